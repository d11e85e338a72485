package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitCountersTest {

  private final FakeTicker ticker = FakeTicker.create();
  private final RateLimitCounters counters = new RateLimitCounters();

  @Test
  void countsAcquiredRejectedWaitedAndReturnedPermits() {
    ReservingRateLimiter limiter =
        RateLimiters.observed(
            TokenBucketLimiter.builder()
                .limit(Limit.of(10, Duration.ofSeconds(1)).withCapacity(2))
                .ticker(ticker)
                .build(),
            counters);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.decide(1).allowed()).isFalse();
    Reservation r = limiter.reserve(1); // waits 100 ms
    assertThat(limiter.reserve(1, Duration.ofMillis(10)).granted()).isFalse();
    assertThat(r.cancel()).isTrue();
    assertThat(counters.snapshot())
        .isEqualTo(new RateLimitCounters.Snapshot(3, 3, 1, 100_000_000L, 1));
  }

  @Test
  void observesLimitersThatCannotReserveToo() {
    RateLimiter plain = FixedWindowLimiter.of(Limit.of(1, Duration.ofSeconds(1)), ticker);
    RateLimiter limiter = RateLimiters.observed(plain, counters);
    assertThat(limiter).isNotInstanceOf(ReservingRateLimiter.class);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
    assertThat(counters.snapshot().acquiredPermits()).isEqualTo(1);
    assertThat(counters.snapshot().rejectedPermits()).isEqualTo(1);
  }

  @Test
  void aReservingLimiterSeenAsAPlainOneKeepsItsWaitingSide() {
    RateLimiter asPlain = GcraLimiter.of(Limit.of(1, Duration.ofSeconds(1)), ticker);
    assertThat(RateLimiters.observed(asPlain, counters)).isInstanceOf(ReservingRateLimiter.class);
  }

  @Test
  void nullsAreRejectedByName() {
    assertThatThrownBy(() -> RateLimiters.observed((RateLimiter) null, counters))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter");
    RateLimiter plain = FixedWindowLimiter.of(Limit.of(1, Duration.ofSeconds(1)), ticker);
    assertThatThrownBy(() -> RateLimiters.observed(plain, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
  }
}
