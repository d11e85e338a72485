package dev.sysblocks.benchmarks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The latency harness, which JMH's adapter test does not see, runs end to end at a tiny size. */
class SchedulerDispatchLatencyTest {

  @Test
  void reportHasEveryTableWithEveryImplementation() throws Exception {
    String report = SchedulerDispatchLatency.run(0.05, 2_000, 10_000);

    assertThat(report)
        .contains("#### Dispatch latency", "#### Lateness", "#### Schedule and cancel")
        .contains("**sysblocks-scheduler**", "jdk-tpe-pbq", "quartz-ram", "jdk-stpe")
        .doesNotContain("NaN");
  }
}
