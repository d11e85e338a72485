package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A GCRA limiter split into stripes after contention: it holds and takes the permits the single TAT
 * held, accrues its next ones at the same instants, merges back when a request needs several
 * stripes or a reservation, and stays one TAT where splitting does not pay (slow or small limits).
 */
class GcraStripesTest {

  private final FakeTicker ticker = FakeTicker.create();

  /** 200,000 per second: T = 5 µs. */
  private GcraLimiter fast(long capacity) {
    return GcraLimiter.of(Limit.of(200_000, Duration.ofSeconds(1)).withCapacity(capacity), ticker);
  }

  @Test
  void aSplitFullLimiterStillGivesItsWholeCapacityOneByOne() {
    GcraLimiter limiter = fast(37);
    limiter.stripeNow();
    assertThat(limiter.isStriped()).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(37);
    for (int i = 0; i < 37; i++) {
      assertThat(limiter.tryAcquire()).as("permit %s", i).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aSplitPartlyUsedLimiterAccruesItsNextPermitsAtTheSameInstants() {
    GcraLimiter limiter = fast(20);
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    ticker.advanceNanos(12_000); // 2.4 intervals: 2 permits, and 0.4 of the next
    limiter.stripeNow();
    assertThat(limiter.availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    Decision refused = limiter.decide(1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterNanos()).isEqualTo(3_000); // the third permit, at 15 µs
    ticker.advanceNanos(2_999);
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advanceNanos(1);
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advanceNanos(5_000);
    assertThat(limiter.tryAcquire()).isTrue(); // one more every T, from whichever stripe
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aRequestNoSingleStripeCanServeMergesTheStripesAndIsDecidedExactly() {
    GcraLimiter limiter = fast(20);
    limiter.stripeNow();
    assertThat(limiter.tryAcquire(20)).isTrue();
    assertThat(limiter.isStriped()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
    limiter.stripeNow(); // striping is off for good
    assertThat(limiter.isStriped()).isFalse();
  }

  @Test
  void fragmentsThatAddUpAreNotRefused() {
    GcraLimiter limiter = fast(20);
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    limiter.stripeNow();
    // COUNT consecutive permits of the limiter go one to each stripe: no stripe holds two.
    ticker.advanceNanos(5_000L * Stripes.COUNT);
    assertThat(limiter.availablePermits()).isEqualTo(Stripes.COUNT);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.isStriped()).isFalse();
    assertThat(limiter.availablePermits()).isEqualTo(Stripes.COUNT - 2);
  }

  @Test
  void aReservationMergesTheStripesSoThatItCanBeCancelled() {
    GcraLimiter limiter = fast(20);
    limiter.stripeNow();
    for (int i = 0; i < 18; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    Reservation r = limiter.reserve(5); // 2 held, 3 more in 15 µs
    assertThat(limiter.isStriped()).isFalse();
    assertThat(r.delayNanos()).isEqualTo(15_000);
    assertThat(r.cancel()).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(2);
  }

  @Test
  void setLimitOnAStripedLimiterCarriesTheSumOfTheStripes() {
    GcraLimiter limiter = fast(20);
    limiter.stripeNow();
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    limiter.setLimit(Limit.of(100, Duration.ofSeconds(1)).withCapacity(50));
    assertThat(limiter.isStriped()).isFalse();
    assertThat(limiter.availablePermits()).isEqualTo(14);
  }

  @Test
  void slowOrSmallLimitsStayOneTat() {
    GcraLimiter slow =
        GcraLimiter.of(Limit.of(99_999, Duration.ofSeconds(1)).withCapacity(100), ticker);
    slow.stripeNow();
    assertThat(slow.isStriped()).isFalse();
    GcraLimiter small = fast(Stripes.COUNT - 1);
    small.stripeNow();
    assertThat(small.isStriped()).isFalse();
  }
}
