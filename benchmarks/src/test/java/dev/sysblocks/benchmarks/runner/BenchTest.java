package dev.sysblocks.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.benchmarks.cache.CacheGetPutBenchmark;
import org.junit.jupiter.api.Test;

class BenchTest {

  @Test
  void theReferenceImplIsReadFromTheBenchmarkClass() {
    assertThat(Bench.referenceImpl(CacheGetPutBenchmark.class.getName()))
        .hasValue("jdk-syncLinkedHashMap");
    assertThat(Bench.referenceImpl(Bench.class.getName())).isEmpty();
  }
}
