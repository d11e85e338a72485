package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeakyBucketShaperTest {

  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = FakeTicker.create();
  private final CountDownLatch go = new CountDownLatch(1);

  /** The shaper's thread starts only when the test says go, so submissions see a still clock. */
  private final ThreadFactory gated =
      r ->
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                r.run();
              });

  private LeakyBucketShaper tenPerSecond(int queueCapacity) {
    return LeakyBucketShaper.builder(Limit.of(10, Duration.ofSeconds(1)))
        .queueCapacity(queueCapacity)
        .ticker(ticker)
        .threadFactory(gated)
        .build();
  }

  @Test
  void aBurstLeavesEvenlySpacedAndWhatDoesNotFitIsRefused() throws Exception {
    List<Long> ranAt = new CopyOnWriteArrayList<>();
    CompletableFuture<?>[] futures = new CompletableFuture<?>[5];
    try (LeakyBucketShaper shaper = tenPerSecond(3)) {
      for (int i = 0; i < 5; i++) {
        futures[i] = shaper.submit(() -> ranAt.add(ticker.read()));
      }
      assertThat(shaper.queued()).isEqualTo(3);
      go.countDown();
    }
    assertThat(ranAt).containsExactly(0L, 100 * MS, 200 * MS);
    assertThat(futures[2]).isCompleted();
    assertThatThrownBy(() -> futures[3].get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("queue full: 3 tasks wait");
  }

  @Test
  void aTaskThatOverrunsItsIntervalDelaysTheOthersInsteadOfCausingABurst() throws Exception {
    List<Long> ranAt = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    try (LeakyBucketShaper shaper = tenPerSecond(5)) {
      done.add(
          shaper.submit(
              () -> {
                ranAt.add(ticker.read());
                ticker.advance(Duration.ofMillis(250)); // runs for 250 ms
              }));
      done.add(shaper.submit(() -> ranAt.add(ticker.read()))); // slot 100 ms: late, goes at once
      done.add(shaper.submit(() -> ranAt.add(ticker.read()))); // slot 200 ms: 1 interval after
      go.countDown();
    }
    assertThat(done).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(ranAt).containsExactly(0L, 250 * MS, 350 * MS);
  }

  @Test
  void aDrainedBucketLetsTheNextTaskGoAtOnce() throws Exception {
    List<Long> ranAt = new CopyOnWriteArrayList<>();
    go.countDown();
    try (LeakyBucketShaper shaper = tenPerSecond(3)) {
      shaper.submit(() -> ranAt.add(ticker.read())).get(10, TimeUnit.SECONDS);
      ticker.advance(Duration.ofSeconds(1));
      long submittedAt = ticker.read();
      shaper.submit(() -> ranAt.add(ticker.read())).get(10, TimeUnit.SECONDS);
      assertThat(ranAt).containsExactly(0L, submittedAt);
    }
  }

  @Test
  void aThrowingTaskFailsOnlyItsOwnFuture() throws Exception {
    CompletableFuture<Void> bad;
    CompletableFuture<Void> good;
    try (LeakyBucketShaper shaper = tenPerSecond(5)) {
      bad =
          shaper.submit(
              () -> {
                throw new IllegalStateException("boom");
              });
      good = shaper.submit(() -> {});
      go.countDown();
    }
    assertThatThrownBy(() -> bad.get(1, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(good).isCompleted();
  }

  @Test
  void shutdownNowReturnsTheTasksThatHadNotStartedAndCancelsTheirFutures() {
    LeakyBucketShaper shaper = tenPerSecond(5);
    Runnable a = () -> {};
    Runnable b = () -> {};
    CompletableFuture<Void> fa = shaper.submit(a);
    CompletableFuture<Void> fb = shaper.submit(b);
    assertThat(shaper.shutdownNow()).containsExactly(a, b);
    assertThat(fa).isCancelled();
    assertThat(fb).isCancelled();
    assertThat(shaper.submit(() -> {})).isCompletedExceptionally();
    go.countDown();
    shaper.close(); // returns: nothing left to run
  }

  @Test
  void badInputIsRejectedByName() {
    assertThatThrownBy(() -> LeakyBucketShaper.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("rate");
    assertThatThrownBy(
            () -> LeakyBucketShaper.builder(Limit.of(1, Duration.ofSeconds(1))).queueCapacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity must be positive: 0");
    go.countDown();
    try (LeakyBucketShaper shaper = tenPerSecond(1)) {
      assertThatThrownBy(() -> shaper.submit(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("task");
    }
  }
}
