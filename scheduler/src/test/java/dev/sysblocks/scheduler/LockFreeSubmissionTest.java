package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Submissions that skip the lock (unbounded queue, pool workers, no key, no period) go through the
 * inbox: they must be counted at once, keep FIFO order with submissions that take the lock, be
 * cancellable before any worker has seen them, and be refused after shutdown. A single worker is
 * held busy by a latch so that everything submitted meanwhile waits in the inbox.
 */
class LockFreeSubmissionTest {

  private static final long WAIT_SECONDS = 20;

  @Test
  void jobsWaitingInTheInboxAreCountedAndKeepFifoOrderAcrossBothPaths() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (JobScheduler scheduler = JobScheduler.builder().workers(1).noAging().build()) {
      scheduler.submit(
          context -> {
            started.countDown();
            return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
          });
      assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      scheduler.newJob(context -> order.add("a")).priority(3).submit(); // inbox
      scheduler.newJob(context -> order.add("b")).priority(3).idempotencyKey("b").submit(); // lock
      scheduler.newJob(context -> order.add("c")).priority(3).submit(); // inbox
      scheduler.newJob(context -> order.add("high")).priority(8).submit(); // inbox
      SchedulerStats stats = scheduler.stats();
      assertThat(stats.submitted()).isEqualTo(5);
      assertThat(stats.queued(3)).isEqualTo(3);
      assertThat(stats.queued(8)).isEqualTo(1);
      assertThat(stats.queued()).isEqualTo(4);
      release.countDown();
    }
    assertThat(order).containsExactly("high", "a", "b", "c");
  }

  @Test
  void aJobStillInTheInboxCanBeCancelledAndNeverRuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    JobHandle<Boolean> cancelled;
    JobScheduler scheduler = JobScheduler.builder().workers(1).build();
    try {
      scheduler.submit(
          context -> {
            started.countDown();
            return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
          });
      assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      cancelled = scheduler.submit(context -> ran.add("cancelled"));
      scheduler.submit(context -> ran.add("kept"));
      assertThat(cancelled.cancel()).isTrue();
      assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(scheduler.stats().queued()).isEqualTo(1);
      release.countDown();
    } finally {
      scheduler.close();
    }
    assertThat(ran).containsExactly("kept");
    SchedulerStats stats = scheduler.stats();
    assertThat(stats.submitted()).isEqualTo(3);
    assertThat(stats.succeeded() + stats.cancelled()).isEqualTo(3);
    assertThat(stats.cancelled()).isEqualTo(1);
  }

  @Test
  void shutdownNowReturnsJobsThatNoWorkerHasSeenAndLaterSubmissionsAreRefused() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    JobScheduler scheduler = JobScheduler.builder().workers(1).build();
    scheduler.submit(
        context -> {
          started.countDown();
          return new CountDownLatch(1).await(WAIT_SECONDS, TimeUnit.SECONDS); // until interrupted
        });
    assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    JobHandle<String> first = scheduler.submit(context -> "first");
    JobHandle<String> second = scheduler.submit(context -> "second");
    List<JobHandle<?>> returned = scheduler.shutdownNow();
    assertThat(returned).containsExactly(first, second);
    assertThat(first.status()).isEqualTo(JobStatus.RETURNED);
    assertThatThrownBy(() -> scheduler.submit(context -> "late"))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("shut down");
    assertThat(scheduler.awaitTermination(java.time.Duration.ofSeconds(WAIT_SECONDS))).isTrue();
    SchedulerStats stats = scheduler.stats();
    assertThat(stats.submitted()).isEqualTo(3);
    assertThat(stats.rejected()).isEqualTo(1);
    assertThat(stats.returned()).isEqualTo(2);
    assertThat(stats.queued()).isZero();
  }
}
