package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The accounting identity under load: 8 workers, 4 submitting threads, 10^5 jobs of mixed
 * priorities, some failing once (retried), some always (dead-lettered), some with an error that is
 * not retried, some cancelled right after submission and some sleeping briefly (so that an
 * immediate shutdown interrupts something). After a graceful or an immediate shutdown, possibly in
 * the middle of the load, every accepted job is accounted for exactly once, and every job ran
 * exactly as many times as it had attempts.
 */
class SchedulerLoadStressTest {

  private static final int SUBMITTERS = 4;
  private static final int JOBS = 100_000;
  private static final int PER_SUBMITTER = JOBS / SUBMITTERS;
  private static final long WAIT_SECONDS = 60;

  private enum Stop {
    GRACEFUL_AT_END,
    GRACEFUL_MIDWAY,
    IMMEDIATE_MIDWAY
  }

  @Test
  void everyJobIsAccountedForAfterAGracefulShutdownAtTheEnd() throws Exception {
    run(Stop.GRACEFUL_AT_END);
  }

  @Test
  void aGracefulShutdownInTheMiddleOfTheLoadLosesNothing() throws Exception {
    run(Stop.GRACEFUL_MIDWAY);
  }

  @Test
  void anImmediateShutdownInTheMiddleOfTheLoadLosesNothing() throws Exception {
    run(Stop.IMMEDIATE_MIDWAY);
  }

  private static void run(Stop stop) throws Exception {
    AtomicIntegerArray runs = new AtomicIntegerArray(JOBS);
    JobScheduler scheduler =
        JobScheduler.builder()
            .workers(8)
            .aging(Duration.ofMillis(1))
            .defaultRetryPolicy(
                RetryPolicy.exponentialBackoff(3, Duration.ofNanos(1_000), Duration.ofMillis(1))
                    .retryOn(e -> e instanceof IOException))
            .build();
    CyclicBarrier start = new CyclicBarrier(SUBMITTERS);
    CountDownLatch halfway = new CountDownLatch(SUBMITTERS);
    CountDownLatch stopIssued = new CountDownLatch(stop == Stop.GRACEFUL_AT_END ? 0 : 1);
    ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
    List<JobHandle<?>> returned = new ArrayList<>();
    List<List<JobHandle<?>>> accepted = new ArrayList<>();
    try {
      List<Future<List<JobHandle<?>>>> futures = new ArrayList<>();
      for (int s = 0; s < SUBMITTERS; s++) {
        int submitter = s;
        futures.add(
            submitters.submit(
                () -> submit(scheduler, submitter, runs, start, halfway, stopIssued)));
      }
      if (stop != Stop.GRACEFUL_AT_END) {
        assertThat(halfway.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        if (stop == Stop.IMMEDIATE_MIDWAY) {
          returned.addAll(scheduler.shutdownNow());
        } else {
          scheduler.shutdown();
        }
        stopIssued.countDown();
      }
      for (Future<List<JobHandle<?>>> f : futures) {
        accepted.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
      }
      scheduler.shutdown();
      assertThat(scheduler.awaitTermination(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
    } finally {
      submitters.shutdownNow();
      scheduler.shutdownNow();
    }

    SchedulerStats stats = scheduler.stats();
    Map<JobStatus, Long> byStatus = new EnumMap<>(JobStatus.class);
    long acceptedCount = 0;
    for (int s = 0; s < SUBMITTERS; s++) {
      List<JobHandle<?>> handles = accepted.get(s);
      acceptedCount += handles.size();
      for (int i = 0; i < handles.size(); i++) {
        JobHandle<?> h = handles.get(i);
        assertThat(h.status().isFinal()).as("job %s", h).isTrue();
        assertThat(h.result()).isDone();
        byStatus.merge(h.status(), 1L, Long::sum);
        // No job ran twice unless it was retried: each attempt ran the body exactly once.
        assertThat(runs.get(s * PER_SUBMITTER + i)).as("runs of %s", h).isEqualTo(h.attempts());
      }
    }
    assertThat(stats.submitted()).isEqualTo(acceptedCount);
    assertThat(
            stats.succeeded()
                + stats.failed()
                + stats.deadLettered()
                + stats.cancelled()
                + stats.returned())
        .as("%s", stats)
        .isEqualTo(stats.submitted());
    assertThat(byStatus.getOrDefault(JobStatus.SUCCEEDED, 0L)).isEqualTo(stats.succeeded());
    assertThat(byStatus.getOrDefault(JobStatus.FAILED, 0L)).isEqualTo(stats.failed());
    assertThat(byStatus.getOrDefault(JobStatus.DEAD_LETTERED, 0L)).isEqualTo(stats.deadLettered());
    assertThat(byStatus.getOrDefault(JobStatus.CANCELLED, 0L)).isEqualTo(stats.cancelled());
    assertThat(byStatus.getOrDefault(JobStatus.RETURNED, 0L)).isEqualTo(stats.returned());
    assertThat(returned).hasSize((int) stats.returned());
    assertThat(stats.queued()).isZero();
    assertThat(stats.running()).isZero();
    if (stop == Stop.GRACEFUL_AT_END) {
      assertThat(acceptedCount).isEqualTo(JOBS);
      assertThat(stats.deadLettered()).isPositive();
      assertThat(stats.retried()).isPositive();
      assertThat(stats.cancelled()).isPositive();
    } else {
      assertThat(acceptedCount).isEqualTo(JOBS / 2);
    }
    if (stop != Stop.IMMEDIATE_MIDWAY) {
      assertThat(stats.returned()).isZero();
    }
  }

  private static List<JobHandle<?>> submit(
      JobScheduler scheduler,
      int submitter,
      AtomicIntegerArray runs,
      CyclicBarrier start,
      CountDownLatch halfway,
      CountDownLatch stopIssued)
      throws Exception {
    SplittableRandom random = new SplittableRandom(submitter);
    List<JobHandle<?>> handles = new ArrayList<>(PER_SUBMITTER);
    start.await(WAIT_SECONDS, TimeUnit.SECONDS);
    for (int i = 0; i < PER_SUBMITTER; i++) {
      if (i == PER_SUBMITTER / 2) {
        // Half the jobs are in: for a shutdown midway, wait until it has been issued, so that the
        // rest is certainly refused (the workers meanwhile keep draining the queue).
        halfway.countDown();
        assertThat(stopIssued.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      }
      int index = submitter * PER_SUBMITTER + i;
      JobHandle<Integer> handle;
      try {
        handle =
            scheduler
                .newJob(context -> body(index, context, runs))
                .priority(random.nextInt(JobScheduler.MAX_PRIORITY + 1))
                .submit();
      } catch (RejectedExecutionException e) {
        assertThat(i).isGreaterThanOrEqualTo(PER_SUBMITTER / 2);
        break; // shut down: the rest is refused, and refused jobs are not counted as submitted
      }
      handles.add(handle);
      if (i % 37 == 0) {
        handle.cancel();
      }
    }
    return handles;
  }

  private static Integer body(int index, JobContext context, AtomicIntegerArray runs)
      throws Exception {
    runs.incrementAndGet(index);
    if (index % 101 == 0) {
      throw new IOException("always failing " + index);
    }
    if (index % 103 == 0) {
      throw new IllegalArgumentException("not retryable " + index);
    }
    if (index % 10 == 0 && context.attempt() == 1) {
      throw new IOException("failing once " + index);
    }
    if (index % 500 == 0) {
      Thread.sleep(1); // something for an immediate shutdown to interrupt
    }
    return index;
  }
}
