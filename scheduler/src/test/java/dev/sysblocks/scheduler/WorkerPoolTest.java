package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Behaviour with real worker threads. Waits are bounded by latches and {@code get(timeout)}: no
 * assertion depends on how fast a thread happens to run.
 */
class WorkerPoolTest {

  private static final long WAIT_SECONDS = 20;

  @Test
  void workersRunSubmittedJobsAndCloseWaitsForThem() throws Exception {
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    try (JobScheduler scheduler = JobScheduler.builder().workers(3).build()) {
      for (int i = 0; i < 100; i++) {
        int n = i;
        results.add(scheduler.submit(context -> n * n).result());
      }
    }
    for (int i = 0; i < 100; i++) {
      assertThat(results.get(i)).isCompletedWithValue(i * i);
    }
  }

  @Test
  void theDefaultTimeoutAppliesToJobsThatSetNoneAndAJobsOwnOverridesIt() throws Exception {
    try (JobScheduler scheduler =
        JobScheduler.builder().workers(2).defaultTimeout(Duration.ofMillis(50)).build()) {
      Job<String> hang =
          context -> {
            new CountDownLatch(1).await(WAIT_SECONDS, TimeUnit.SECONDS);
            return "not interrupted";
          };
      JobHandle<String> byDefault = scheduler.newJob(hang).priority(3).submit();
      assertThatThrownBy(() -> byDefault.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class);
      CountDownLatch release = new CountDownLatch(1);
      JobHandle<String> ownTimeout =
          scheduler
              .newJob(
                  context -> {
                    release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    return "ran past the default";
                  })
              .timeout(Duration.ofSeconds(WAIT_SECONDS * 2))
              .submit();
      // Outlives the 50 ms default: released only once the first job's timeout has been seen.
      assertThat(scheduler.stats().timedOut()).isEqualTo(1);
      Thread.sleep(100); // not for correctness: gives a wrongly applied 50 ms timeout its chance
      release.countDown();
      assertThat(ownTimeout.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo("ran past the default");
    }
  }

  @Test
  void aTimedOutAttemptIsInterruptedAndRetried() throws Exception {
    try (JobScheduler scheduler = JobScheduler.builder().workers(1).build()) {
      CountDownLatch interrupted = new CountDownLatch(1);
      AtomicInteger cancelledSignals = new AtomicInteger();
      JobHandle<String> handle =
          scheduler
              .newJob(
                  context -> {
                    if (context.attempt() == 1) {
                      try {
                        new CountDownLatch(1).await(WAIT_SECONDS, TimeUnit.SECONDS); // hang
                      } catch (InterruptedException e) {
                        if (context.isCancelled()) {
                          cancelledSignals.incrementAndGet();
                        }
                        interrupted.countDown();
                        throw e;
                      }
                    }
                    return "attempt " + context.attempt();
                  })
              .timeout(Duration.ofMillis(50))
              .retry(RetryPolicy.exponentialBackoff(2, Duration.ZERO, Duration.ZERO))
              .submit();
      assertThat(handle.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("attempt 2");
      // The retry runs on a fresh worker, possibly before the old thread has seen its interrupt.
      assertThat(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(cancelledSignals).hasValue(1);
      assertThat(scheduler.stats().timedOut()).isEqualTo(1);
    }
  }

  @Test
  void aTimeoutWithoutRetriesFailsTheJobWithATimeoutException() throws Exception {
    try (JobScheduler scheduler = JobScheduler.builder().workers(1).build()) {
      JobHandle<String> handle =
          scheduler
              .newJob(
                  context -> {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    return "too late";
                  })
              .timeout(Duration.ofMillis(20))
              .submit();
      assertThatThrownBy(() -> handle.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class)
          .hasMessageContaining("attempt 1 timed out after PT0.02S");
      assertThat(handle.status()).isEqualTo(JobStatus.FAILED);
    }
  }

  @Test
  void aJobThatIgnoresInterruptsDoesNotTakeAWorkerAway() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch hanging = new CountDownLatch(1);
    JobScheduler scheduler = JobScheduler.builder().workers(1).build();
    try {
      AtomicReference<JobContext> stubbornContext = new AtomicReference<>();
      JobHandle<String> stubborn =
          scheduler
              .newJob(
                  context -> {
                    stubbornContext.set(context);
                    hanging.countDown();
                    while (true) {
                      try {
                        if (release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                          return "finally";
                        }
                      } catch (InterruptedException ignored) {
                        // a badly behaved job: keeps going
                      }
                    }
                  })
              .timeout(Duration.ofMillis(30))
              .submit();
      assertThat(hanging.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      // The only worker is stuck, yet after the timeout a replacement runs the next job.
      JobHandle<String> next = scheduler.submit(context -> "ran");
      assertThat(next.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ran");
      assertThat(stubborn.status()).isEqualTo(JobStatus.FAILED);
      // The abandoned job still sees its own context: its worker was replaced, not reused.
      assertThat(stubbornContext.get().isCancelled()).isTrue();
      assertThat(stubbornContext.get().attempt()).isEqualTo(1);
    } finally {
      release.countDown();
      scheduler.close();
    }
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void throwingJobsNeverKillTheWorkers() throws Exception {
    JobScheduler scheduler = JobScheduler.builder().workers(2).build();
    try (scheduler) {
      for (int i = 0; i < 200; i++) {
        scheduler.submit(
            context -> {
              throw new OutOfMemoryError("simulated");
            });
      }
      assertThat(scheduler.submit(context -> "alive").result().get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo("alive");
    }
    // Counted after close(): the other worker may still be settling its last failure above.
    assertThat(scheduler.stats().failed()).isEqualTo(200);
    assertThat(scheduler.stats().succeeded()).isEqualTo(1);
  }

  @Test
  void cancellingARunningJobInterruptsItsWorker() throws Exception {
    try (JobScheduler scheduler = JobScheduler.builder().workers(1).build()) {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch stopped = new CountDownLatch(1);
      JobHandle<Object> handle =
          scheduler.submit(
              context -> {
                started.countDown();
                try {
                  new CountDownLatch(1).await(WAIT_SECONDS, TimeUnit.SECONDS);
                } finally {
                  stopped.countDown();
                }
                return null;
              });
      assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(handle.cancel()).isTrue();
      assertThat(stopped.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(handle.status()).isEqualTo(JobStatus.CANCELLED);
      // Neither the interrupt nor the signal leaks into the next job on the same worker, which
      // gets the worker's context again, reset.
      assertThat(
              scheduler
                  .submit(
                      context ->
                          Thread.currentThread().isInterrupted()
                              + " "
                              + context.isCancelled()
                              + " "
                              + context.attempt())
                  .result()
                  .get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo("false false 1");
    }
  }

  @Test
  void cancellingOneOfTwoRunningJobsStopsOnlyThatOne() throws Exception {
    try (JobScheduler scheduler = JobScheduler.builder().workers(2).build()) {
      CountDownLatch release = new CountDownLatch(1);
      List<JobHandle<String>> handles = new ArrayList<>();
      for (int i = 0; i < 2; i++) { // one after the other: the first started is the older one
        CountDownLatch started = new CountDownLatch(1);
        handles.add(
            scheduler.submit(
                context -> {
                  started.countDown();
                  try {
                    release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    return "released, cancelled " + context.isCancelled();
                  } catch (InterruptedException e) {
                    return "interrupted, cancelled " + context.isCancelled();
                  }
                }));
        assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      }
      JobHandle<String> cancelled = handles.get(0); // not the most recent of the running attempts
      assertThat(cancelled.cancel()).isTrue();
      assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
      JobHandle<String> other = handles.get(1);
      assertThat(other.status()).isEqualTo(JobStatus.RUNNING);
      release.countDown();
      assertThat(other.result().get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo("released, cancelled false");
      assertThat(cancelled.result()).isCancelled();
    }
  }

  @Test
  void aBlockedSubmitterProceedsWhenSpaceFreesUp() throws Exception {
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .queueCapacity(1)
            .blockWhenFull(Duration.ofSeconds(WAIT_SECONDS))
            .build();
    scheduler.submit(context -> "first");
    CompletableFuture<JobHandle<String>> second =
        CompletableFuture.supplyAsync(() -> scheduler.submit(context -> "second"));
    assertThat(scheduler.runNext()).isTrue(); // frees the only slot
    JobHandle<String> handle = second.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(handle.result()).isCompletedWithValue("second");
  }

  @Test
  void aBlockedSubmitterGivesUpAfterItsTimeout() {
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .queueCapacity(1)
            .blockWhenFull(Duration.ofMillis(20))
            .build();
    scheduler.submit(context -> "first");
    assertThatThrownBy(() -> scheduler.submit(context -> "second"))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage("queue still full after waiting PT0.02S: capacity 1");
  }

  @Test
  void workersWaitForDelayedJobsOnTheTicker() throws Exception {
    FakeTicker time = FakeTicker.create();
    try (JobScheduler scheduler = JobScheduler.builder().workers(2).ticker(time).build()) {
      JobHandle<String> later =
          scheduler.newJob(context -> "later").delay(Duration.ofHours(1)).submit();
      JobHandle<String> now = scheduler.submit(context -> "now");
      assertThat(now.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("now");
      assertThat(later.status()).isEqualTo(JobStatus.QUEUED);
      time.advance(Duration.ofHours(1)); // the waiting worker notices within its poll interval
      assertThat(later.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("later");
    }
  }

  /**
   * Only one idle worker waits for the earliest run-at, and a submitter wakes a worker only for a
   * job due before that worker's deadline. With the ticker poll at an hour, a wake-up skipped
   * wrongly, or a hand-over to the next waiter that never comes, leaves a job waiting an hour and
   * fails this test; none may start before its time either.
   */
  @Test
  void delayedJobsStartOnTimeFromWakeUpsAloneWhateverOrderTheirTimesArriveIn() throws Exception {
    JobScheduler scheduler =
        JobScheduler.builder().workers(2).tickerPoll(Duration.ofHours(1)).build();
    try {
      JobHandle<String> far =
          scheduler.newJob(context -> "far").delay(Duration.ofHours(1)).submit();
      List<CompletableFuture<Long>> early = new ArrayList<>();
      // Each due sooner than the one before (a wake-up each), then later than all (none needed:
      // the worker armed for the earliest hands over to the next when it takes its job).
      long[] delaysMillis = {200, 150, 100, 50, 250, 300, 320, 340};
      for (long millis : delaysMillis) {
        early.add(lateness(scheduler, TimeUnit.MILLISECONDS.toNanos(millis)));
      }
      List<CompletableFuture<Long>> random = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long seed = t;
        Thread submitter =
            new Thread(
                () -> {
                  SplittableRandom r = new SplittableRandom(seed);
                  List<CompletableFuture<Long>> mine = new ArrayList<>();
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  for (int i = 0; i < 500; i++) {
                    mine.add(lateness(scheduler, r.nextLong(TimeUnit.MILLISECONDS.toNanos(30))));
                  }
                  synchronized (random) {
                    random.addAll(mine);
                  }
                });
        submitter.start();
        submitters.add(submitter);
      }
      start.countDown();
      for (Thread submitter : submitters) {
        submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      }
      List<CompletableFuture<Long>> all = new ArrayList<>(early);
      synchronized (random) {
        assertThat(random).hasSize(1_000);
        all.addAll(random);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
      for (CompletableFuture<Long> lateness : all) {
        assertThat(lateness.join()).as("started this many ns after its time").isNotNegative();
      }
      assertThat(far.status()).isEqualTo(JobStatus.QUEUED);
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** Submits a job due in {@code delayNanos}; its result is how many ns after its time it ran. */
  private static CompletableFuture<Long> lateness(JobScheduler scheduler, long delayNanos) {
    long due = System.nanoTime() + delayNanos;
    return scheduler
        .newJob(context -> System.nanoTime() - due)
        .delay(Duration.ofNanos(delayNanos))
        .submit()
        .result();
  }

  /**
   * The worker that waited for a delayed job's time and now runs it (here: for as long as the test
   * likes) no longer waits for any time, so a job due later must wake the other worker: with the
   * ticker poll at an hour, a stale "someone will wake by then" would leave it waiting until the
   * first job ends.
   */
  @Test
  void aDelayedJobStartsOnTimeWhileTheWorkerThatWaitedBeforeItRunsALongJob() throws Exception {
    JobScheduler scheduler =
        JobScheduler.builder().workers(2).tickerPoll(Duration.ofHours(1)).build();
    CountDownLatch longJobStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      JobHandle<Boolean> longJob =
          scheduler
              .newJob(
                  context -> {
                    longJobStarted.countDown();
                    return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                  })
              .delay(Duration.ofMillis(20))
              .submit();
      assertThat(longJobStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      JobHandle<String> later =
          scheduler.newJob(context -> "later").delay(Duration.ofMillis(20)).submit();
      assertThat(later.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("later");
      assertThat(longJob.status()).isEqualTo(JobStatus.RUNNING);
      release.countDown();
      assertThat(longJob.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    } finally {
      release.countDown();
      scheduler.shutdownNow();
    }
  }

  /**
   * A submitter may leave a job due no sooner than the armed worker's deadline in the inbox without
   * a wake-up; a job pushed on top of it and due now must not wait for that deadline (here an hour,
   * the ticker poll too).
   */
  @Test
  void aJobDueNowPushedOnTopOfADelayedOneThatWokeNobodyStartsAtOnce() throws Exception {
    JobScheduler scheduler =
        JobScheduler.builder().workers(1).tickerPoll(Duration.ofHours(1)).build();
    try {
      scheduler.newJob(context -> "in an hour").delay(Duration.ofHours(1)).submit();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (!scheduler.isTimerArmed() && System.nanoTime() - deadline < 0) {
        Thread.onSpinWait(); // the worker drains it and waits for its time: a bounded wait
      }
      assertThat(scheduler.isTimerArmed()).isTrue();
      scheduler.newJob(context -> "in two hours").delay(Duration.ofHours(2)).submit();
      JobHandle<String> now = scheduler.newJob(context -> "now").submit();
      assertThat(now.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("now");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void gracefulShutdownWaitsForDelayedJobsAndRetries() throws Exception {
    JobScheduler scheduler = JobScheduler.builder().workers(2).build();
    AtomicInteger runs = new AtomicInteger();
    JobHandle<Integer> flaky =
        scheduler
            .newJob(
                context -> {
                  runs.incrementAndGet();
                  if (context.attempt() < 3) {
                    throw new IllegalStateException("again");
                  }
                  return context.attempt();
                })
            .retry(RetryPolicy.exponentialBackoff(3, Duration.ofMillis(5), Duration.ofMillis(5)))
            .submit();
    JobHandle<String> delayed =
        scheduler.newJob(context -> "delayed").delay(Duration.ofMillis(30)).submit();
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
    assertThat(flaky.result()).isCompletedWithValue(3);
    assertThat(delayed.result()).isCompletedWithValue("delayed");
    assertThat(runs).hasValue(3);
  }

  @Test
  void aRecurringJobRepeatsOnTheWorkersUntilCloseCancelsIt() throws Exception {
    CountDownLatch threeRuns = new CountDownLatch(3);
    JobScheduler scheduler = JobScheduler.builder().workers(2).build();
    JobHandle<Void> recurring;
    try (scheduler) {
      recurring =
          scheduler
              .newJob(Job.of(threeRuns::countDown))
              .repeatAtFixedRate(Duration.ofMillis(2))
              .submit();
      assertThat(threeRuns.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    } // close() must not wait for ever on a job that repeats for ever
    assertThat(recurring.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(scheduler.isTerminated()).isTrue();
  }
}
