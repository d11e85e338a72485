package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The usage snippets of the README and the Javadoc, compiled and run. */
class ReadmeExamplesTest {

  @Test
  void readmeExampleSubmitsAPrioritisedRetriedJobAndShutsDownGracefully() throws Exception {
    // --- README snippet begins ---
    JobScheduler scheduler =
        JobScheduler.builder()
            .workers(4)
            .queueCapacity(10_000)
            .blockWhenFull(Duration.ofSeconds(1)) // back-pressure on producers
            .aging(Duration.ofSeconds(1)) // a waiting job gains one priority level per second
            .deadLetterHandler(
                (job, error) -> System.err.println("gave up on " + job + ": " + error))
            .build();
    JobHandle<String> handle =
        scheduler
            .newJob(context -> "report, attempt " + context.attempt())
            .priority(7) // 0 (least urgent) to 9
            .delay(Duration.ofMillis(10))
            .retry(
                RetryPolicy.exponentialBackoff(5, Duration.ofMillis(100), Duration.ofSeconds(10))
                    .retryOn(e -> e instanceof IOException))
            .timeout(Duration.ofSeconds(30))
            .idempotencyKey("report-2026-11-23")
            .submit();
    String report = handle.result().get(); // "report, attempt 1"
    scheduler.close(); // stop accepting, run every accepted job, wait for the workers
    // --- README snippet ends ---
    assertThat(report).isEqualTo("report, attempt 1");
    assertThat(handle.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void readmeTestingExampleDrivesTheSchedulerByHand() {
    // --- README snippet (testing) begins ---
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().ticker(time).build();
    JobHandle<String> later =
        scheduler.newJob(context -> "done").delay(Duration.ofMinutes(5)).submit();
    scheduler.runPending(); // runs nothing: not yet eligible
    time.advance(Duration.ofMinutes(5));
    scheduler.runPending(); // runs it, on this thread
    // --- README snippet (testing) ends ---
    assertThat(later.result()).isCompletedWithValue("done");
  }

  @Test
  void javadocExampleOfJobSchedulerWorks() {
    try (JobScheduler scheduler = JobScheduler.builder().workers(4).build()) {
      JobHandle<String> handle =
          scheduler
              .newJob(context -> "hello from attempt " + context.attempt())
              .priority(7)
              .retry(
                  RetryPolicy.exponentialBackoff(3, Duration.ofMillis(10), Duration.ofSeconds(1)))
              .timeout(Duration.ofSeconds(5))
              .submit();
      String greeting = handle.result().join();
      assertThat(greeting).isEqualTo("hello from attempt 1");
    }
  }

  @Test
  void javadocExampleOfJobHandleWorks() throws Exception {
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().build();
    JobHandle<Integer> handle = scheduler.submit(context -> 42);
    scheduler.runPending();
    int answer = handle.result().get();
    assertThat(answer).isEqualTo(42);
  }
}
