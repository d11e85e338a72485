package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Recurring jobs at a fixed rate and with a fixed delay, traced on a fake ticker. The job itself
 * advances the ticker to simulate how long it runs.
 */
class RecurringJobTest {

  private final FakeTicker time = FakeTicker.create();
  private final JobScheduler scheduler =
      JobScheduler.builder().manualDispatch().ticker(time).build();
  private final List<String> runs = new CopyOnWriteArrayList<>();

  private long seconds() {
    return TimeUnit.NANOSECONDS.toSeconds(time.read());
  }

  /** Records "occurrence@second" and then runs for {@code runSeconds}. */
  private Job<String> taking(long runSeconds) {
    return context -> {
      runs.add(context.occurrence() + "@" + seconds());
      time.advance(Duration.ofSeconds(runSeconds));
      return "ok";
    };
  }

  /** Moves the clock second by second up to {@code untilSecond}, running what is due. */
  private void runUntil(long untilSecond) {
    scheduler.runPending();
    while (seconds() < untilSecond) {
      time.advance(Duration.ofSeconds(1));
      scheduler.runPending();
    }
  }

  @Test
  void aFixedRateJobRunsOnItsGridWhateverItsRunTime() {
    JobHandle<String> handle =
        scheduler.newJob(taking(3)).repeatAtFixedRate(Duration.ofSeconds(10)).submit();
    runUntil(35);
    assertThat(runs).containsExactly("1@0", "2@10", "3@20", "4@30");
    assertThat(handle.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(handle.result()).isNotDone();
  }

  @Test
  void aFixedRateOccurrenceThatOverrunsSkipsTheMissedGridPoints() {
    scheduler.newJob(taking(25)).repeatAtFixedRate(Duration.ofSeconds(10)).submit();
    runUntil(65);
    // 0 -> ends at 25, skips 10 and 20, next at 30 -> ends at 55, skips 40 and 50, next at 60.
    assertThat(runs).containsExactly("1@0", "2@30", "3@60");
  }

  @Test
  void aFixedDelayJobWaitsAfterEachRunEnds() {
    scheduler
        .newJob(taking(3))
        .delay(Duration.ofSeconds(2))
        .repeatWithFixedDelay(Duration.ofSeconds(10))
        .submit();
    runUntil(45);
    assertThat(runs).containsExactly("1@2", "2@15", "3@28", "4@41");
  }

  @Test
  void cancellingARecurringJobStopsIt() {
    JobHandle<String> handle =
        scheduler.newJob(taking(0)).repeatAtFixedRate(Duration.ofSeconds(10)).submit();
    runUntil(15);
    assertThat(handle.cancel()).isTrue();
    runUntil(50);
    assertThat(runs).containsExactly("1@0", "2@10");
    assertThat(handle.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(handle.result()).isCancelled();
  }

  @Test
  void aFailingOccurrenceIsRetriedWithinItsOccurrenceThenTheGridResumes() {
    List<String> attempts = new ArrayList<>();
    scheduler
        .newJob(
            context -> {
              attempts.add(context.occurrence() + "." + context.attempt() + "@" + seconds());
              if (context.occurrence() == 2 && context.attempt() == 1) {
                throw new IOException("flaky");
              }
              return "ok";
            })
        .repeatAtFixedRate(Duration.ofSeconds(10))
        .retry(
            RetryPolicy.exponentialBackoff(3, Duration.ofSeconds(1), Duration.ofSeconds(1))
                .withoutJitter())
        .submit();
    runUntil(25);
    // The retry of occurrence 2 runs at 11 s; occurrence 3 stays on the grid at 20 s.
    assertThat(attempts).containsExactly("1.1@0", "2.1@10", "2.2@11", "3.1@20");
  }

  @Test
  void anOccurrenceOutOfAttemptsEndsTheRecurringJob() {
    AtomicReference<JobHandle<?>> deadLetter = new AtomicReference<>();
    JobScheduler withHandler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .deadLetterHandler((job, e) -> deadLetter.set(job))
            .build();
    JobHandle<String> handle =
        withHandler
            .newJob(
                context -> {
                  if (context.occurrence() == 2) {
                    throw new IOException("broken");
                  }
                  return "ok";
                })
            .repeatAtFixedRate(Duration.ofSeconds(10))
            .retry(RetryPolicy.exponentialBackoff(2, Duration.ZERO, Duration.ZERO))
            .submit();
    withHandler.runPending();
    time.advance(Duration.ofSeconds(10));
    withHandler.runPending();
    time.advance(Duration.ofSeconds(100));
    assertThat(withHandler.runPending()).isZero();
    assertThat(handle.status()).isEqualTo(JobStatus.DEAD_LETTERED);
    assertThat(handle.attempts()).isEqualTo(3);
    assertThat(deadLetter.get()).isSameAs(handle);
  }

  @Test
  void shutdownCancelsAQueuedRecurringJobAndTheAccountsBalance() throws Exception {
    JobHandle<String> recurring =
        scheduler.newJob(taking(0)).repeatAtFixedRate(Duration.ofSeconds(10)).submit();
    JobHandle<String> oneOff = scheduler.newJob(taking(0)).delay(Duration.ofSeconds(5)).submit();
    runUntil(1);
    scheduler.shutdown();
    assertThat(recurring.status()).isEqualTo(JobStatus.CANCELLED);
    runUntil(30);
    assertThat(oneOff.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(runs).containsExactly("1@0", "1@5");
    assertThat(scheduler.awaitTermination(Duration.ZERO)).isTrue();
    SchedulerStats s = scheduler.stats();
    assertThat(s.succeeded() + s.cancelled()).isEqualTo(s.submitted()).isEqualTo(2);
  }

  @Test
  void shutdownDuringAnOccurrenceEndsTheJobWhenTheOccurrenceEnds() {
    JobHandle<String> handle =
        scheduler
            .newJob(
                context -> {
                  scheduler.shutdown();
                  return "last";
                })
            .repeatWithFixedDelay(Duration.ofSeconds(1))
            .submit();
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(handle.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void theListenerSeesEachOccurrenceRescheduled() {
    List<String> events = new ArrayList<>();
    JobScheduler listened =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .listener(e -> events.add(e.kind().toString()))
            .build();
    listened.newJob(context -> "x").repeatAtFixedRate(Duration.ofSeconds(1)).submit();
    listened.runPending();
    time.advance(Duration.ofSeconds(1));
    listened.runPending();
    assertThat(events)
        .containsExactly("SUBMITTED", "STARTED", "RESCHEDULED", "STARTED", "RESCHEDULED");
  }

  @Test
  void badRepetitionsAreRefused() {
    assertThatThrownBy(() -> scheduler.newJob(taking(0)).repeatAtFixedRate(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be positive: PT0S");
    assertThatThrownBy(
            () -> scheduler.newJob(taking(0)).repeatWithFixedDelay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be positive: PT-1S");
    assertThatThrownBy(
            () ->
                scheduler
                    .newJob(taking(0))
                    .repeatAtFixedRate(Duration.ofSeconds(1))
                    .repeatWithFixedDelay(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("repetition already set");
  }
}
