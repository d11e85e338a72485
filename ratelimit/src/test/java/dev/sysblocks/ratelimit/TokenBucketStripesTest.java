package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A token bucket split into stripes after contention: it holds, takes and refills the permits the
 * single word held, merges back when a request needs several stripes or a reservation, and stays
 * one word where splitting would change its decisions (small capacities, several limits).
 */
class TokenBucketStripesTest {

  private final FakeTicker ticker = FakeTicker.create();

  private TokenBucketLimiter limiter(Limit limit) {
    return TokenBucketLimiter.builder().limit(limit).ticker(ticker).build();
  }

  @Test
  void aSplitFullBucketStillGivesItsWholeCapacityOneByOne() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(37));
    limiter.stripeNow();
    assertThat(limiter.isStriped()).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(37);
    for (int i = 0; i < 37; i++) {
      assertThat(limiter.tryAcquire()).as("permit %s", i).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void aLongIdleFillsTheStripesToTheCapacityAndNoFurther() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(37));
    limiter.stripeNow();
    for (int i = 0; i < 30; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    ticker.advance(Duration.ofHours(1));
    assertThat(limiter.availablePermits()).isEqualTo(37);
    for (int i = 0; i < 37; i++) {
      assertThat(limiter.tryAcquire()).as("permit %s", i).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void theSplitCarriesThePermitsLeftAndTheRefillGoesOnAtTheSameRate() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    for (int i = 0; i < 15; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    ticker.advance(Duration.ofMillis(250)); // 2 generated: 7 left
    limiter.stripeNow();
    assertThat(limiter.availablePermits()).isEqualTo(7);
    for (int i = 0; i < 7; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
    // 10 per second: after one more second exactly 10 more, drawn from whichever stripe has them.
    ticker.advance(Duration.ofSeconds(1));
    int taken = 0;
    while (limiter.tryAcquire()) {
      taken++;
    }
    assertThat(taken).isEqualTo(10);
  }

  @Test
  void aRefusalOnAStripedLimiterSaysWhenToRetry() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    limiter.stripeNow();
    while (limiter.tryAcquire()) {
      // drain every stripe
    }
    Decision refused = limiter.decide(1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    // The next permit of the whole limiter comes 100 ms on, and some stripe receives it.
    assertThat(refused.retryAfterNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
    ticker.advanceNanos(refused.retryAfterNanos() - 1);
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advanceNanos(1);
    Decision allowed = limiter.decide(1);
    assertThat(allowed.allowed()).isTrue();
    assertThat(allowed.retryAfterNanos()).isZero();
    assertThat(allowed.limit()).isEqualTo(20);
  }

  @Test
  void aRequestNoSingleStripeCanServeMergesTheStripesAndIsDecidedExactly() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    limiter.stripeNow();
    assertThat(limiter.tryAcquire(20)).isTrue(); // the whole capacity: more than any stripe holds
    assertThat(limiter.isStriped()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
    limiter.stripeNow(); // striping is off for good: no alternation under mixed requests
    assertThat(limiter.isStriped()).isFalse();
  }

  @Test
  void fragmentsThatAddUpAreNotRefused() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    limiter.stripeNow();
    while (limiter.tryAcquire()) {
      // drain every stripe
    }
    // COUNT consecutive permits of the limiter go one to each stripe: no stripe holds two.
    ticker.advance(Duration.ofMillis(100L * Stripes.COUNT));
    assertThat(limiter.availablePermits()).isEqualTo(Stripes.COUNT);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.isStriped()).isFalse();
    assertThat(limiter.availablePermits()).isEqualTo(Stripes.COUNT - 2);
  }

  @Test
  void aReservationMergesTheStripesSoThatItCanBeCancelled() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    limiter.stripeNow();
    for (int i = 0; i < 18; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    Reservation r = limiter.reserve(5); // 2 held, 3 more come in 300 ms
    assertThat(limiter.isStriped()).isFalse();
    assertThat(r.delayNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
    assertThat(r.cancel()).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(2);
  }

  @Test
  void setLimitsOnAStripedLimiterCarriesTheSumOfTheStripes() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    limiter.stripeNow();
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    limiter.setLimits(List.of(Limit.of(100, Duration.ofSeconds(1)).withCapacity(50)));
    assertThat(limiter.isStriped()).isFalse();
    assertThat(limiter.availablePermits()).isEqualTo(14);
  }

  @Test
  void smallCapacitiesAndSeveralLimitsStayOneWord() {
    TokenBucketLimiter small =
        limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(Stripes.COUNT - 1));
    small.stripeNow();
    assertThat(small.isStriped()).isFalse();
    TokenBucketLimiter several =
        TokenBucketLimiter.builder()
            .limit(Limit.of(10, Duration.ofSeconds(1)).withCapacity(100))
            .limit(Limit.of(100, Duration.ofMinutes(1)))
            .ticker(ticker)
            .build();
    several.stripeNow();
    assertThat(several.isStriped()).isFalse();
  }

  @Test
  void sharesAddUpToTheWholeForAnyValue() {
    for (long x : new long[] {-9, -1, 0, 1, 2, 3, 7, 37, 1L << 62}) {
      long sum = 0;
      for (int i = 0; i < Stripes.COUNT; i++) {
        long share = Stripes.share(x, i);
        assertThat(share)
            .isBetween(Math.floorDiv(x, Stripes.COUNT), -Math.floorDiv(-x, Stripes.COUNT));
        assertThat(Stripes.share(Stripes.totalFor(Math.max(0, share), i), i))
            .isGreaterThanOrEqualTo(Math.max(0, share));
        sum += share;
      }
      assertThat(sum).as("shares of %s", x).isEqualTo(x);
    }
    assertThat(Stripes.count(1)).isEqualTo(2);
    assertThat(Stripes.count(2)).isEqualTo(4);
    assertThat(Stripes.count(3)).isEqualTo(8);
    assertThat(Stripes.count(64)).isEqualTo(16);
  }
}
