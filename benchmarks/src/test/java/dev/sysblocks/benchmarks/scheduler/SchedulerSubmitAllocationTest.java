package dev.sysblocks.benchmarks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.scheduler.Job;
import dev.sysblocks.scheduler.JobScheduler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Bytes allocated per submission, measured on the submitting thread with {@code
 * com.sun.management.ThreadMXBean#getThreadAllocatedBytes} around {@value #SUBMITS} submissions to
 * a {@code manualDispatch()} scheduler (no worker threads: the count is the submit path's own). The
 * queue is drained between rounds, untimed, so that its arrays are already grown and their growth
 * is not counted. The best round counts: the fluent {@code newJob(job)...submit()} path allocates
 * its {@code Submission} until C2 compiles the loop and scalar-replaces it, which takes a few
 * rounds.
 *
 * <p>Measured on JDK 17 (compressed oops), 2026-11-23, for a job with no option but its priority:
 * 272 B per submit before the submit path was reworked (Submission 80 + Task 112 +
 * CompletableFuture 24 + PendingJob 56), 168 B once the future was made on demand and the
 * Submission stopped escaping, 136 B once the rarely set options moved to a shared object (Task 80
 * + PendingJob 56), 112 B once the queue entry was folded into the handle (a Task is its own
 * PendingJob: 112 B, one object per job; 104 B once its liveness was read from its status). A job
 * with an option set (here a timeout) pays for its own options object: 160 B. The target is
 * 64 B: the Task would have to lose half its fields (the recurrence, retry and result state moved
 * to objects made only when used). Each ceiling is the figure measured plus 16 B of slack for other
 * object layouts, so that any of these savings coming undone fails the test.
 */
class SchedulerSubmitAllocationTest {

  private static final int SUBMITS = 100_000;

  /** Most rounds to wait for the JIT; a round at or below the ceiling ends the wait. */
  private static final int ROUNDS = 40;

  /** Slack over the measured figures, for other object layouts. */
  private static final double SLACK = 16;

  private enum Path {
    PLAIN,
    PRIORITY,
    TIMEOUT
  }

  @Test
  void plainSubmitAllocatesOnlyTheHandleAndItsQueueEntry() {
    assertThat(bytesPerSubmit(Path.PLAIN, 112 + SLACK)).isLessThanOrEqualTo(112 + SLACK);
  }

  @Test
  void submitWithAPriorityAllocatesNoMore() {
    assertThat(bytesPerSubmit(Path.PRIORITY, 112 + SLACK)).isLessThanOrEqualTo(112 + SLACK);
  }

  @Test
  void submitWithAnOptionAddsOnlyItsOptionsObject() {
    assertThat(bytesPerSubmit(Path.TIMEOUT, 160 + SLACK)).isLessThanOrEqualTo(160 + SLACK);
  }

  /** Best bytes per submit over up to {@value #ROUNDS} rounds of {@value #SUBMITS} submissions. */
  static double bytesPerSubmit(Path path, double ceiling) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
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
}
