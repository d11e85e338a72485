package dev.sysblocks.benchmarks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.scheduler.Job;
import dev.sysblocks.scheduler.JobScheduler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bytes allocated per submission and per run, measured with {@code com.sun.management.ThreadMXBean}
 * allocation counters, which count exactly on JDK 17 (unlike timings, the figures repeat to the
 * byte).
 *
 * <p><b>Submit</b>: on the submitting thread, around {@value #SUBMITS} submissions to a {@code
 * manualDispatch()} scheduler (no worker threads: the count is the submit path's own). The queue is
 * drained between rounds, untimed, so that its arrays are already grown and their growth is not
 * counted. <b>Run</b>: on a pool worker's own thread, from inside the first job to inside the last
 * of {@value #SUBMITS} + 1 jobs it runs back to back: a job at the top priority holds the only
 * worker until all the others are queued, and a job at the lowest priority, queued last, reads the
 * counter again. The count is the worker's whole loop per job: take, run, settle, publish. In both,
 * the best round counts: the fluent {@code newJob(job)...submit()} path allocates its {@code
 * Submission} until C2 compiles the loop and scalar-replaces it, which takes a few rounds.
 *
 * <p>Measured on JDK 17 (compressed oops), 2026-11-23, for a job with no option but its priority:
 * 272 B per submit before the submit path was reworked (Submission 80 + Task 112 +
 * CompletableFuture 24 + PendingJob 56), 168 B once the future was made on demand and the
 * Submission stopped escaping, 136 B once the rarely set options moved to a shared object (Task 80
 * + PendingJob 56), 112 B once the queue entry was folded into the handle (a Task is its own
 * PendingJob: 112 B, one object per job; 104 B once its liveness was read from its status), 64 B,
 * the target, once the Task kept only what every job needs (the scheduler moved into the
 * shared options, the recurrence state into the Recurrence, the dispatch key computed, the value
 * and failure sharing the future's field, no pointer to the running attempt), and 56 B once the
 * priority moved into the shared options (one per priority) and the status and attempts shared an
 * int. A job with an option set (here a timeout) pays for its own options object: 160 B, then 144
 * B, 112 B, now 104 B (Task 56 + TaskOptions 48). A run allocated its Attempt, 64 B; now a pool
 * worker reuses one: 0 B. Each ceiling is the figure measured, plus 16 B of slack for other object
 * layouts where the figure is above the target, so that any of these savings coming undone fails
 * the test.
 */
class SchedulerSubmitAllocationTest {

  private static final int SUBMITS = 100_000;

  /** Most rounds to wait for the JIT; a round at or below the ceiling ends the wait. */
  private static final int ROUNDS = 40;

  /** A plain submit allocates one 56 B object, the task (the bound: 64 B). */
  private static final double PLAIN_SUBMIT_BYTES = 56;

  /** Slack over the measured figure of a submit with an option, for other object layouts. */
  private static final double SLACK = 16;

  /**
   * Ceiling per run on a pool worker: the worker allocates nothing per job, and one byte per run
   * still fails the test if anything of 16 B or more came back on every run.
   */
  private static final double RUN_BYTES = 1;

  private static final long WAIT_SECONDS = 60;

  private enum Path {
    PLAIN,
    PRIORITY,
    TIMEOUT
  }

  @Test
  void plainSubmitAllocatesOnlyTheTaskOf56Bytes() {
    assertThat(bytesPerSubmit(Path.PLAIN, PLAIN_SUBMIT_BYTES))
        .isLessThanOrEqualTo(PLAIN_SUBMIT_BYTES);
  }

  @Test
  void submitWithAPriorityAllocatesNoMore() {
    assertThat(bytesPerSubmit(Path.PRIORITY, PLAIN_SUBMIT_BYTES))
        .isLessThanOrEqualTo(PLAIN_SUBMIT_BYTES);
  }

  @Test
  void submitWithAnOptionAddsOnlyItsOptionsObject() {
    assertThat(bytesPerSubmit(Path.TIMEOUT, 104 + SLACK)).isLessThanOrEqualTo(104 + SLACK);
  }

  @Test
  void aRunOnAPoolWorkerAllocatesNothing() throws InterruptedException {
    assertThat(bytesPerRun(RUN_BYTES)).isLessThanOrEqualTo(RUN_BYTES);
  }

  /** Best bytes per submit over up to {@value #ROUNDS} rounds of {@value #SUBMITS} submissions. */
  static double bytesPerSubmit(Path path, double ceiling) {
    com.sun.management.ThreadMXBean threads = threads();
    long self = Thread.currentThread().getId();
    Job<Void> job = context -> null;
    Duration timeout = Duration.ofSeconds(10);
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().noAging().build();
    try {
      double best = Double.MAX_VALUE;
      for (int round = 0; round < ROUNDS && (round < 3 || best > ceiling); round++) {
        long before = threads.getThreadAllocatedBytes(self);
        // One loop per path, so that each call site stays monomorphic and inlines. At least three
        // rounds: the first ones also pay for the store's queues growing to their working size.
        switch (path) {
          case PLAIN -> {
            for (int i = 0; i < SUBMITS; i++) {
              scheduler.submit(job);
            }
          }
          case PRIORITY -> {
            for (int i = 0; i < SUBMITS; i++) {
              scheduler.newJob(job).priority(i % 10).submit();
            }
          }
          case TIMEOUT -> {
            for (int i = 0; i < SUBMITS; i++) {
              scheduler.newJob(job).priority(i % 10).timeout(timeout).submit();
            }
          }
        }
        long after = threads.getThreadAllocatedBytes(self);
        best = Math.min(best, (after - before) / (double) SUBMITS);
        scheduler.runPending();
      }
      System.out.printf(Locale.ROOT, "%s: %.1f B per submit%n", path, best);
      return best;
    } finally {
      scheduler.shutdownNow();
    }
  }

  /**
   * Best bytes per run on the only worker of a pool, over up to {@value #ROUNDS} rounds of {@value
   * #SUBMITS} + 1 runs, counted on the worker's own thread.
   */
  static double bytesPerRun(double ceiling) throws InterruptedException {
    com.sun.management.ThreadMXBean threads = threads();
    Job<Void> job = context -> null;
    JobScheduler scheduler =
        JobScheduler.builder().workers(1).noAging().threadFactory(daemons()).build();
    try {
      double best = Double.MAX_VALUE;
      for (int round = 0; round < ROUNDS && (round < 3 || best > ceiling); round++) {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch counted = new CountDownLatch(1);
        long[] allocated = new long[2];
        scheduler
            .newJob(
                context -> {
                  holding.countDown();
                  release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                  allocated[0] = threads.getCurrentThreadAllocatedBytes();
                  return null;
                })
            .priority(JobScheduler.MAX_PRIORITY) // first among the queued jobs, FIFO among equals
            .submit();
        assertThat(holding.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < SUBMITS; i++) {
          scheduler.newJob(job).priority(i % 10).submit();
        }
        scheduler
            .newJob(
                context -> {
                  allocated[1] = threads.getCurrentThreadAllocatedBytes();
                  counted.countDown();
                  return null;
                })
            .priority(JobScheduler.MIN_PRIORITY) // last: queued after every other priority-0 job
            .submit();
        release.countDown();
        assertThat(counted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        // The latch orders both writes before this read.
        best = Math.min(best, (allocated[1] - allocated[0]) / (double) (SUBMITS + 1));
      }
      System.out.printf(Locale.ROOT, "RUN: %.1f B per run%n", best);
      return best;
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static com.sun.management.ThreadMXBean threads() {
    return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  }

  private static ThreadFactory daemons() {
    return r -> {
      Thread t = new Thread(r, "allocation-test-worker");
      t.setDaemon(true);
      return t;
    };
  }
}
