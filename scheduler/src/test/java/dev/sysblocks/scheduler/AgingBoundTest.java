package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The starvation bound under a flood: a single manually driven worker runs one job per millisecond
 * while two priority-9 jobs arrive every millisecond, so the queue only grows. The stated guarantee
 * is that a priority-p job starts before every job that became eligible more than (9 - p) aging
 * steps after it.
 */
class AgingBoundTest {

  private static final long STEP_MILLIS = 10;

  @Test
  void aLowPriorityJobStartsBeforeAnyJobArrivingMoreThanNineStepsAfterIt() {
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .aging(Duration.ofMillis(STEP_MILLIS))
            .build();
    long[] lowStartedAt = {-1};
    long[] latestSubmissionStartedBeforeLow = {-1};
    long[] nowMillis = {0};

    // Five urgent jobs are already waiting when the low one arrives at t = 0.
    for (int i = 0; i < 5; i++) {
      scheduler.newJob(Job.of(() -> {})).priority(9).submit();
    }
    JobHandle<String> low =
        scheduler
            .newJob(
                context -> {
                  lowStartedAt[0] = nowMillis[0];
                  return "low";
                })
            .priority(0)
            .submit();
    for (long t = 0; t < 400 && lowStartedAt[0] < 0; t++) {
      nowMillis[0] = t;
      for (int i = 0; i < 2; i++) {
        long at = t;
        scheduler
            .newJob(
                Job.of(
                    () ->
                        latestSubmissionStartedBeforeLow[0] =
                            Math.max(latestSubmissionStartedBeforeLow[0], at)))
            .priority(9)
            .submit();
      }
      assertThat(scheduler.runNext()).isTrue();
      time.advance(Duration.ofMillis(1));
    }

    long bound = (JobScheduler.MAX_PRIORITY - 0) * STEP_MILLIS; // 90 ms
    assertThat(low.status()).isEqualTo(JobStatus.SUCCEEDED);
    // Every job that overtook it arrived less than 90 ms after it (one arriving at exactly 90 ms
    // ties on effective priority and loses on arrival order) ...
    assertThat(latestSubmissionStartedBeforeLow[0]).isLessThan(bound);
    // ... so it waited for the 5 earlier jobs and the 2 * 90 arriving in [0, 90) ms, at one job per
    // millisecond: 185 ms.
    assertThat(lowStartedAt[0]).isEqualTo(5 + 2 * bound);
  }

  @Test
  void withoutAgingTheSameFloodStarvesTheLowPriorityJob() {
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().ticker(time).noAging().build();
    JobHandle<Void> low = scheduler.newJob(Job.of(() -> {})).priority(0).submit();
    for (int t = 0; t < 1_000; t++) {
      scheduler.newJob(Job.of(() -> {})).priority(9).submit();
      scheduler.newJob(Job.of(() -> {})).priority(9).submit();
      scheduler.runNext();
      time.advance(Duration.ofMillis(1));
    }
    assertThat(low.status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void theBoundScalesWithTheDistanceToTheTopPriority() {
    // A priority-6 job is overtaken only by jobs arriving less than 3 steps (30 ms) after it.
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .aging(Duration.ofMillis(STEP_MILLIS))
            .build();
    long[] startedAt = {-1};
    long[] now = {0};
    scheduler
        .newJob(
            Job.of(
                () -> {
                  startedAt[0] = now[0];
                }))
        .priority(6)
        .submit();
    for (long t = 0; t < 200 && startedAt[0] < 0; t++) {
      now[0] = t;
      scheduler.newJob(Job.of(() -> {})).priority(9).submit();
      scheduler.newJob(Job.of(() -> {})).priority(9).submit();
      scheduler.runNext();
      time.advance(Duration.ofMillis(1));
    }
    assertThat(startedAt[0]).isEqualTo(2 * 3 * STEP_MILLIS);
  }
}
