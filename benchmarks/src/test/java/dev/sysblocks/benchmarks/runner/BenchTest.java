package dev.sysblocks.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.benchmarks.cache.CacheGetPutBenchmark;
import dev.sysblocks.benchmarks.cache.CacheHitRatio;
import dev.sysblocks.benchmarks.scheduler.SchedulerDispatchLatency;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTest {

  @Test
  void standaloneReportsAreSelectedByAFindOnTheirQualifiedClassName() {
    assertThat(Bench.selectStandalone(List.of(".*")))
        .hasExactlyElementsOfTypes(CacheHitRatio.class, SchedulerDispatchLatency.class);
    assertThat(Bench.selectStandalone(List.of("Cache"))).hasOnlyElementsOfType(CacheHitRatio.class);
    assertThat(Bench.selectStandalone(List.of("Scheduler")))
        .hasOnlyElementsOfType(SchedulerDispatchLatency.class);
    assertThat(Bench.selectStandalone(List.of("benchmarks\\.cache\\.CacheHit"))).hasSize(1);
    assertThat(Bench.selectStandalone(List.of("KeyHashSpeed", "RateLimiter"))).isEmpty();
  }

  @Test
  void theReferenceImplIsReadFromTheBenchmarkClass() {
    assertThat(Bench.referenceImpl(CacheGetPutBenchmark.class.getName()))
        .hasValue("jdk-syncLinkedHashMap");
    assertThat(Bench.referenceImpl(Bench.class.getName())).isEmpty();
  }
}
