package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The waiting side of every {@link ReservingRateLimiter}: event traces under a fake clock that also
 * sleeps, so every wait passes in fake time.
 */
abstract class ReservingRateLimiterContractTest {

  final FakeTicker ticker = FakeTicker.create();

  /** A limiter of 10 permits per second, burst 1, starting full, on {@link #ticker}. */
  abstract ReservingRateLimiter tenPerSecond();

  private static final long MS = 1_000_000L;

  @AfterEach
  void clearInterrupt() {
    boolean wasInterrupted = Thread.interrupted();
    assertThat(wasInterrupted).as("interrupt flag left set by the test").isFalse();
  }

  @Test
  void acquireWaitsForItsTurnInTheLimitersClock() throws InterruptedException {
    ReservingRateLimiter limiter = tenPerSecond();
    assertThat(limiter.acquire(1)).isZero();
    assertThat(limiter.acquire(1)).isEqualTo(100 * MS);
    assertThat(limiter.acquire(1)).isEqualTo(100 * MS);
    assertThat(ticker.read()).isEqualTo(200 * MS);
  }

  @Test
  void reservationsAreServedFirstComeFirstServedAndNobodyJumpsTheQueue() {
    ReservingRateLimiter limiter = tenPerSecond();
    Reservation first = limiter.reserve(1);
    Reservation second = limiter.reserve(1);
    Reservation third = limiter.reserve(1);
    assertThat(first.delayNanos()).isZero();
    assertThat(second.delayNanos()).isEqualTo(100 * MS);
    assertThat(third.delayNanos()).isEqualTo(200 * MS);
    ticker.advance(Duration.ofMillis(150));
    assertThat(limiter.tryAcquire()).isFalse(); // the permit of t = 100 ms went to `second`
    ticker.advance(Duration.ofMillis(150));
    assertThat(limiter.tryAcquire()).isTrue(); // t = 300 ms: the first permit nobody reserved
  }

  @Test
  void cancellingTheLastReservationGivesItsPermitsBack() {
    ReservingRateLimiter limiter = tenPerSecond();
    limiter.reserve(1);
    Reservation waiting = limiter.reserve(1);
    assertThat(waiting.cancel()).isTrue();
    assertThat(waiting.isCancelled()).isTrue();
    assertThat(waiting.cancel()).isFalse(); // once
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(100 * MS); // the same place again
  }

  @Test
  void cancellingInTheMiddleOfTheQueueLeavesAGapRatherThanAdmittingTwice() {
    ReservingRateLimiter limiter = tenPerSecond();
    limiter.reserve(1);
    Reservation middle = limiter.reserve(1);
    Reservation last = limiter.reserve(1);
    assertThat(middle.cancel()).isFalse();
    assertThat(middle.isCancelled()).isTrue();
    assertThat(last.delayNanos()).isEqualTo(200 * MS);
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(300 * MS); // not 200 ms: no double
  }

  @Test
  void aReservationPastItsTimeCannotBeCancelled() {
    ReservingRateLimiter limiter = tenPerSecond();
    limiter.reserve(1);
    Reservation second = limiter.reserve(1);
    ticker.advance(Duration.ofMillis(100));
    assertThat(second.cancel()).isFalse();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void tryAcquireWithATimeoutRefusesAtOnceAndTakesNothingWhenTheWaitIsLonger()
      throws InterruptedException {
    ReservingRateLimiter limiter = tenPerSecond();
    assertThat(limiter.tryAcquire(1, Duration.ZERO)).isTrue();
    assertThat(limiter.tryAcquire(1, Duration.ofMillis(99))).isFalse();
    assertThat(ticker.read()).isZero(); // refused without sleeping
    assertThat(limiter.tryAcquire(1, Duration.ofMillis(100))).isTrue();
    assertThat(ticker.read()).isEqualTo(100 * MS);
    Reservation refused = limiter.reserve(1, Duration.ofMillis(50));
    assertThat(refused.granted()).isFalse();
    assertThat(refused.delayNanos()).isEqualTo(100 * MS); // how long it would have been
    assertThat(refused.cancel()).isFalse();
    assertThatThrownBy(refused::await).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anInterruptedWaitGivesItsPermitsBack() {
    ReservingRateLimiter limiter = tenPerSecond();
    limiter.reserve(1);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> limiter.acquire(1)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse(); // consumed by the throw, as a real sleep does
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(100 * MS); // its place is free again
  }

  @Test
  void acquireAsyncCompletesAtOnceWhenPermitsAreThereAndRefusesBeyondItsTimeout() {
    ReservingRateLimiter limiter = tenPerSecond();
    assertThat(limiter.acquireAsync(1, Duration.ZERO)).isCompletedWithValue(true);
    assertThat(limiter.acquireAsync(1, Duration.ofMillis(10))).isCompletedWithValue(false);
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(100 * MS); // the refusal took nothing
  }

  @Test
  void cancellingAPendingAsyncAcquireGivesItsPermitsBack() {
    ReservingRateLimiter limiter =
        tenPerSecond(); // 100 ms of fake time is 100 ms of real waiting for the future
    limiter.reserve(1);
    limiter.reserve(1);
    CompletableFuture<Boolean> pending = limiter.acquireAsync(1, Duration.ofHours(1));
    assertThat(pending.cancel(false)).isTrue();
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(200 * MS);
  }

  @Test
  void badArgumentsAreRejectedByName() {
    ReservingRateLimiter limiter = tenPerSecond();
    assertThatThrownBy(() -> limiter.reserve(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permits must be between 1 and the capacity 1: 0");
    assertThatThrownBy(() -> limiter.reserve(1, Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must not be negative: PT-0.000000001S");
    assertThatThrownBy(() -> limiter.tryAcquire(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> limiter.reserveNanos(1, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWaitNanos must not be negative: -5");
  }

  static final class TokenBucketTest extends ReservingRateLimiterContractTest {
    @Override
    ReservingRateLimiter tenPerSecond() {
      return TokenBucketLimiter.builder()
          .limit(Limit.of(10, Duration.ofSeconds(1)).withCapacity(1))
          .ticker(ticker)
          .build();
    }
  }

  static final class TokenBucketWithTwoLimitsTest extends ReservingRateLimiterContractTest {
    @Override
    ReservingRateLimiter tenPerSecond() {
      return TokenBucketLimiter.builder()
          .limit(Limit.of(10, Duration.ofSeconds(1)).withCapacity(1))
          .limit(Limit.of(1_000, Duration.ofSeconds(1)))
          .ticker(ticker)
          .build();
    }
  }

  static final class GcraTest extends ReservingRateLimiterContractTest {
    @Override
    ReservingRateLimiter tenPerSecond() {
      return GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withCapacity(1), ticker);
    }
  }
}
