package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Single-threaded behaviour, event by event: a manually dispatched scheduler (no worker threads) on
 * a fake ticker, so every test is a deterministic trace.
 */
class JobSchedulerTest {

  private final FakeTicker time = FakeTicker.create();
  private final List<String> trace = new CopyOnWriteArrayList<>();

  private JobScheduler.Builder manual() {
    return JobScheduler.builder().manualDispatch().ticker(time);
  }

  private Job<String> recording(String name) {
    return context -> {
      trace.add(name);
      return name;
    };
  }

  @Test
  void strictPrioritiesRunHighestFirstAndFifoAmongEquals() {
    JobScheduler scheduler = manual().noAging().build();
    int[] priorities = {3, 9, 0, 5, 9, 1, 3};
    for (int i = 0; i < priorities.length; i++) {
      scheduler.newJob(recording("p" + priorities[i] + "#" + i)).priority(priorities[i]).submit();
    }
    assertThat(scheduler.runPending()).isEqualTo(7);
    assertThat(trace).containsExactly("p9#1", "p9#4", "p5#3", "p3#0", "p3#6", "p1#5", "p0#2");
  }

  @Test
  void withAgingAndNoWaitingTheOrderIsStillByPriorityThenFifo() {
    JobScheduler scheduler = manual().aging(Duration.ofSeconds(1)).build();
    scheduler.newJob(recording("a")).priority(2).submit();
    scheduler.newJob(recording("b")).priority(7).submit();
    scheduler.newJob(recording("c")).priority(2).submit();
    scheduler.runPending();
    assertThat(trace).containsExactly("b", "a", "c");
  }

  @Test
  void aJobThatWaitedOneAgingStepPerLevelOvertakesFreshHigherPriorityWork() {
    JobScheduler scheduler = manual().aging(Duration.ofMillis(10)).build();
    scheduler.newJob(recording("old p5")).priority(5).submit();
    time.advance(Duration.ofMillis(30)); // 3 steps: effective priority 8
    scheduler.newJob(recording("fresh p8")).priority(8).submit(); // tie: the older goes first
    scheduler.newJob(recording("fresh p9")).priority(9).submit(); // still ahead of 8
    scheduler.runPending();
    assertThat(trace).containsExactly("fresh p9", "old p5", "fresh p8");
  }

  @Test
  void aDelayedJobBecomesEligibleExactlyAtItsTime() {
    JobScheduler scheduler = manual().build();
    JobHandle<String> handle =
        scheduler.newJob(recording("late")).delay(Duration.ofSeconds(5)).submit();
    assertThat(scheduler.runPending()).isZero();
    time.advance(Duration.ofMillis(4_999));
    assertThat(scheduler.runPending()).isZero();
    assertThat(handle.status()).isEqualTo(JobStatus.QUEUED);
    time.advance(Duration.ofMillis(1));
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(handle.result().join()).isEqualTo("late");
  }

  @Test
  void delayedJobsRunInRunAtOrderAndARunAtInThePastMeansNow() {
    JobScheduler scheduler = manual().noAging().build();
    long start = time.read();
    scheduler.newJob(recording("at 3s")).runAt(start + Duration.ofSeconds(3).toNanos()).submit();
    scheduler.newJob(recording("at 1s")).runAt(start + Duration.ofSeconds(1).toNanos()).submit();
    scheduler.newJob(recording("past")).runAt(start - 1).submit();
    assertThat(scheduler.runPending()).isEqualTo(1);
    time.advance(Duration.ofSeconds(1));
    scheduler.runPending();
    time.advance(Duration.ofSeconds(2));
    scheduler.runPending();
    assertThat(trace).containsExactly("past", "at 1s", "at 3s");
  }

  @Test
  void theTickerMayStartNearOverflow() {
    FakeTicker edge = FakeTicker.startingAt(Long.MAX_VALUE - Duration.ofSeconds(1).toNanos());
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().ticker(edge).build();
    scheduler.newJob(recording("later")).delay(Duration.ofSeconds(2)).submit();
    scheduler.newJob(recording("now")).submit();
    scheduler.runPending();
    edge.advance(Duration.ofSeconds(2)); // the reading wraps around
    scheduler.runPending();
    assertThat(trace).containsExactly("now", "later");
  }

  @Test
  void retriesFollowExponentialBackoffWithFullJitterThenDeadLetter() {
    List<String> deadLetters = new ArrayList<>();
    JobScheduler scheduler =
        manual()
            .random(() -> Long.MIN_VALUE) // nextDouble() = 0.5: half of each cap
            .deadLetterHandler((job, failure) -> deadLetters.add(job.id() + ":" + failure))
            .build();
    AtomicInteger runs = new AtomicInteger();
    JobHandle<Object> handle =
        scheduler
            .newJob(
                context -> {
                  runs.incrementAndGet();
                  throw new IOException("down, attempt " + context.attempt());
                })
            .retry(
                RetryPolicy.exponentialBackoff(4, Duration.ofMillis(100), Duration.ofMillis(300)))
            .submit();

    // Caps 100, 200, 300 (max) ms; half of each: waits of 50, 100 and 150 ms.
    long[] waitsMillis = {50, 100, 150};
    assertThat(scheduler.runPending()).isEqualTo(1);
    for (long wait : waitsMillis) {
      time.advance(Duration.ofMillis(wait - 1));
      assertThat(scheduler.runPending()).as("before %s ms", wait).isZero();
      time.advance(Duration.ofMillis(1));
      assertThat(scheduler.runPending()).as("at %s ms", wait).isEqualTo(1);
    }
    assertThat(runs).hasValue(4);
    assertThat(handle.status()).isEqualTo(JobStatus.DEAD_LETTERED);
    assertThat(handle.attempts()).isEqualTo(4);
    assertThat(deadLetters).containsExactly("1:java.io.IOException: down, attempt 4");
    assertThatThrownBy(() -> handle.result().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(scheduler.stats().retried()).isEqualTo(3);
    assertThat(scheduler.stats().deadLettered()).isEqualTo(1);
  }

  @Test
  void withoutJitterTheWaitsAreTheCapsAndASuccessEndsTheRetries() {
    JobScheduler scheduler = manual().build();
    JobHandle<Integer> handle =
        scheduler
            .newJob(
                context -> {
                  if (context.attempt() < 3) {
                    throw new IllegalStateException("not yet");
                  }
                  return context.attempt();
                })
            .retry(
                RetryPolicy.exponentialBackoff(5, Duration.ofMillis(100), Duration.ofSeconds(10))
                    .withoutJitter())
            .submit();
    scheduler.runPending();
    time.advance(Duration.ofMillis(100));
    scheduler.runPending();
    time.advance(Duration.ofMillis(199));
    assertThat(scheduler.runPending()).isZero();
    time.advance(Duration.ofMillis(1));
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(handle.result().join()).isEqualTo(3);
  }

  @Test
  void anErrorTheRetryPredicateRejectsFailsAtOnceWithoutDeadLettering() {
    List<JobHandle<?>> deadLetters = new ArrayList<>();
    JobScheduler scheduler = manual().deadLetterHandler((job, e) -> deadLetters.add(job)).build();
    JobHandle<Object> handle =
        scheduler
            .newJob(
                context -> {
                  throw new IllegalArgumentException("bad request");
                })
            .retry(
                RetryPolicy.exponentialBackoff(5, Duration.ZERO, Duration.ZERO)
                    .retryOn(e -> e instanceof IOException))
            .submit();
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.FAILED);
    assertThat(handle.attempts()).isEqualTo(1);
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void aJobThrowingAnErrorFailsWithoutHarmingTheScheduler() {
    JobScheduler scheduler = manual().build();
    JobHandle<Object> handle =
        scheduler
            .newJob(
                context -> {
                  throw new AssertionError("boom");
                })
            .submit();
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.FAILED);
    scheduler.submit(recording("next"));
    scheduler.runPending();
    assertThat(trace).containsExactly("next");
  }

  @Test
  void aStillPendingIdempotencyKeyReturnsTheExistingHandle() {
    JobScheduler scheduler = manual().build();
    JobHandle<String> first = scheduler.newJob(recording("first")).idempotencyKey("k").submit();
    JobHandle<String> again = scheduler.newJob(recording("again")).idempotencyKey("k").submit();
    assertThat(again).isSameAs(first);
    assertThat(scheduler.stats().submitted()).isEqualTo(1);
    scheduler.runPending();
    assertThat(trace).containsExactly("first");
    JobHandle<String> later = scheduler.newJob(recording("later")).idempotencyKey("k").submit();
    assertThat(later).isNotSameAs(first);
    scheduler.runPending();
    assertThat(trace).containsExactly("first", "later");
  }

  @Test
  void aJobWaitingForARetryStillHoldsItsKey() {
    JobScheduler scheduler = manual().build();
    JobHandle<Object> first =
        scheduler
            .newJob(
                context -> {
                  throw new IOException("x");
                })
            .idempotencyKey("k")
            .retry(RetryPolicy.exponentialBackoff(2, Duration.ofSeconds(1), Duration.ofSeconds(1)))
            .submit();
    scheduler.runPending();
    assertThat(first.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(scheduler.newJob(recording("dup")).idempotencyKey("k").submit()).isSameAs(first);
  }

  @Test
  void aCancelledQueuedJobNeverRuns() {
    JobScheduler scheduler = manual().build();
    JobHandle<String> handle = scheduler.submit(recording("x"));
    assertThat(handle.cancel()).isTrue();
    assertThat(handle.cancel()).isFalse();
    assertThat(scheduler.runPending()).isZero();
    assertThat(trace).isEmpty();
    assertThat(handle.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(handle.result()).isCancelled();
    assertThat(scheduler.stats().queued()).isZero();
    assertThat(scheduler.stats().cancelled()).isEqualTo(1);
  }

  @Test
  void cancellingARunningJobSignalsAndInterruptsItAndDiscardsItsResult() {
    JobScheduler scheduler = manual().build();
    AtomicReference<JobHandle<String>> self = new AtomicReference<>();
    AtomicReference<String> seen = new AtomicReference<>();
    self.set(
        scheduler
            .newJob(
                context -> {
                  boolean cancelled = self.get().cancel();
                  seen.set(cancelled + " " + context.isCancelled() + " " + Thread.interrupted());
                  return "ignored";
                })
            .retry(RetryPolicy.exponentialBackoff(3, Duration.ZERO, Duration.ZERO))
            .submit());
    scheduler.runPending();
    assertThat(seen).hasValue("true true true");
    assertThat(self.get().status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(self.get().attempts()).isEqualTo(1);
    assertThatThrownBy(() -> self.get().result().join()).isInstanceOf(CancellationException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void theListenerSeesEveryEventOfAJobInOrder() {
    List<String> events = new ArrayList<>();
    JobScheduler scheduler =
        manual()
            .listener(e -> events.add(e.kind() + "@" + e.attempt() + " " + e.job().status()))
            .build();
    scheduler
        .newJob(
            context -> {
              if (context.attempt() == 1) {
                throw new IOException("once");
              }
              return "ok";
            })
        .retry(RetryPolicy.exponentialBackoff(2, Duration.ZERO, Duration.ZERO))
        .submit();
    scheduler.runPending();
    assertThat(events)
        .containsExactly(
            "SUBMITTED@0 QUEUED",
            "STARTED@1 RUNNING",
            "RETRY_SCHEDULED@1 QUEUED",
            "STARTED@2 RUNNING",
            "SUCCEEDED@2 SUCCEEDED");
  }

  @Test
  void aThrowingListenerOrDeadLetterHandlerIsIgnored() {
    JobScheduler scheduler =
        manual()
            .listener(
                e -> {
                  throw new IllegalStateException("listener");
                })
            .deadLetterHandler(
                (job, failure) -> {
                  throw new IllegalStateException("handler");
                })
            .build();
    JobHandle<Object> handle =
        scheduler
            .newJob(
                context -> {
                  throw new IOException("x");
                })
            .retry(RetryPolicy.exponentialBackoff(1, Duration.ZERO, Duration.ZERO))
            .submit();
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.DEAD_LETTERED);
    assertThat(handle.result()).isCompletedExceptionally();
  }

  @Test
  void statsCountQueuedJobsByPriorityAndMeasureWaits() {
    JobScheduler scheduler = manual().build();
    scheduler.newJob(recording("a")).priority(2).submit();
    scheduler.newJob(recording("b")).priority(2).submit();
    scheduler.newJob(recording("c")).priority(7).delay(Duration.ofSeconds(1)).submit();
    SchedulerStats before = scheduler.stats();
    assertThat(before.queued()).isEqualTo(3);
    assertThat(before.queued(2)).isEqualTo(2);
    assertThat(before.queued(7)).isEqualTo(1);
    time.advance(Duration.ofMillis(3));
    scheduler.runPending();
    SchedulerStats after = scheduler.stats();
    assertThat(after.queued()).isEqualTo(1);
    assertThat(after.succeeded()).isEqualTo(2);
    // 3 ms = 3,000,000 ns lies in the bucket [2^21, 2^22) ns, reported as its upper bound.
    assertThat(after.waitTimePercentile(0.5)).isEqualTo(Duration.ofNanos((1L << 22) - 1));
    assertThat(after.runTimePercentile(0.99)).isEqualTo(Duration.ZERO);
    assertThat(after.running()).isZero();
  }

  @Test
  void gracefulShutdownRefusesNewJobsAndRunsEveryAcceptedOne() throws Exception {
    JobScheduler scheduler = manual().build();
    scheduler.submit(recording("a"));
    scheduler.newJob(recording("delayed")).delay(Duration.ofSeconds(1)).submit();
    scheduler.shutdown();
    assertThatThrownBy(() -> scheduler.submit(recording("refused")))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasMessageContaining("shut down");
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(scheduler.isTerminated()).isFalse();
    time.advance(Duration.ofSeconds(1));
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(scheduler.awaitTermination(Duration.ZERO)).isTrue();
    assertThat(trace).containsExactly("a", "delayed");
  }

  @Test
  void shutdownNowReturnsEveryUnstartedJobAndTheAccountsBalance() {
    JobScheduler scheduler = manual().build();
    scheduler.submit(recording("ran"));
    scheduler.runPending();
    JobHandle<String> cancelled = scheduler.submit(recording("cancelled"));
    cancelled.cancel();
    JobHandle<String> queued = scheduler.submit(recording("queued"));
    JobHandle<String> delayed =
        scheduler.newJob(recording("delayed")).delay(Duration.ofHours(1)).submit();
    List<JobHandle<?>> returned = scheduler.shutdownNow();
    assertThat(returned).containsExactly(queued, delayed);
    assertThat(queued.status()).isEqualTo(JobStatus.RETURNED);
    assertThatThrownBy(() -> delayed.result().join()).isInstanceOf(CancellationException.class);
    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(scheduler.runPending()).isZero();
    SchedulerStats s = scheduler.stats();
    assertThat(s.submitted()).isEqualTo(4);
    assertThat(s.succeeded() + s.failed() + s.deadLettered() + s.cancelled() + s.returned())
        .isEqualTo(s.submitted());
    assertThat(s.returned()).isEqualTo(2);
  }

  @Test
  void aFullQueueRejectsWithAClearMessageByDefault() {
    JobScheduler scheduler = manual().queueCapacity(2).build();
    scheduler.submit(recording("a"));
    scheduler.submit(recording("b"));
    assertThatThrownBy(() -> scheduler.submit(recording("c")))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasMessage("queue is full: capacity 2");
    assertThat(scheduler.stats().rejected()).isEqualTo(1);
    assertThat(scheduler.stats().submitted()).isEqualTo(2);
    scheduler.runNext();
    scheduler.submit(recording("d"));
  }

  @Test
  void aFullQueueCanRunTheJobInTheCaller() {
    JobScheduler scheduler = manual().queueCapacity(1).runInCallerWhenFull().build();
    scheduler.submit(recording("queued"));
    JobHandle<String> inline = scheduler.submit(recording("inline"));
    assertThat(inline.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(trace).containsExactly("inline");
    scheduler.runPending();
    assertThat(trace).containsExactly("inline", "queued");
  }

  @Test
  void retriesAreNeverRefusedByAFullQueue() {
    JobScheduler scheduler = manual().queueCapacity(1).build();
    JobHandle<String> flaky =
        scheduler
            .newJob(
                context -> {
                  if (context.attempt() == 1) {
                    scheduler.submit(recording("fills the queue"));
                    throw new IOException("x");
                  }
                  return "ok";
                })
            .retry(
                RetryPolicy.exponentialBackoff(2, Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .withoutJitter())
            .submit();
    scheduler.runNext(); // the queue fills up, then the attempt fails: its retry is queued anyway
    assertThat(scheduler.stats().queued()).isEqualTo(2);
    assertThat(flaky.status()).isEqualTo(JobStatus.QUEUED);
    time.advance(Duration.ofSeconds(1));
    scheduler.runPending();
    assertThat(flaky.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(trace).containsExactly("fills the queue");
  }

  @Test
  void runNextNeedsManualDispatch() {
    try (JobScheduler scheduler = JobScheduler.builder().workers(1).build()) {
      assertThatThrownBy(scheduler::runNext)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("manualDispatch");
    }
  }
}
