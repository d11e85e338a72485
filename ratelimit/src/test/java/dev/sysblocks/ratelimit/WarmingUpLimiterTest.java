package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WarmingUpLimiterTest {

  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = FakeTicker.create();

  private WarmingUpLimiter tenPerSecondWarmingOverTwoSeconds() {
    return WarmingUpLimiter.of(
        Limit.of(10, Duration.ofSeconds(1)),
        Duration.ofSeconds(2),
        WarmingUpLimiter.DEFAULT_COLD_FACTOR,
        ticker);
  }

  @Test
  void aColdLimiterSpeedsUpFromTheColdToTheStableIntervalOverTheWarmUp()
      throws InterruptedException {
    // The essay's worked example: 290, 270, ..., 110 ms, then 100 ms.
    WarmingUpLimiter limiter = tenPerSecondWarmingOverTwoSeconds();
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      waits.add(limiter.acquire(1) / MS);
    }
    assertThat(waits)
        .containsExactly(
            0L, 290L, 270L, 250L, 230L, 210L, 190L, 170L, 150L, 130L, 110L, 100L, 100L);
    assertThat(waits.subList(1, 11).stream().mapToLong(Long::longValue).sum()).isEqualTo(2_000);
  }

  @Test
  void idlingForTheWarmUpPeriodMakesItColdAgain() throws InterruptedException {
    WarmingUpLimiter limiter = tenPerSecondWarmingOverTwoSeconds();
    for (int i = 0; i < 12; i++) {
      limiter.acquire(1);
    }
    assertThat(limiter.currentIntervalNanos()).isEqualTo(100.0 * MS);
    ticker.advance(Duration.ofSeconds(2));
    assertThat(limiter.currentIntervalNanos()).isEqualTo(300.0 * MS);
    limiter.acquire(1);
    assertThat(limiter.acquire(1)).isEqualTo(290 * MS);
  }

  @Test
  void tryAcquirePassesOnlyOnceThePreviousRequestsIntervalHasElapsed() {
    WarmingUpLimiter limiter = tenPerSecondWarmingOverTwoSeconds();
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(200));
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfterNanos()).isEqualTo(90 * MS);
    ticker.advance(Duration.ofMillis(90));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aCancelledReservationGivesBackItsPlaceAndItsWarmth() {
    WarmingUpLimiter limiter = tenPerSecondWarmingOverTwoSeconds();
    limiter.reserve(1);
    Reservation second = limiter.reserve(1);
    assertThat(second.delayNanos()).isEqualTo(290 * MS);
    assertThat(second.cancel()).isTrue();
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(290 * MS);
    assertThat(limiter.reserve(1, Duration.ofMillis(100)).granted()).isFalse();
  }

  @Property(tries = 200)
  void admittedRequestsAreNeverCloserThanTheStableInterval(
      @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 400_000_000L) Long> gaps) {
    FakeTicker clock = FakeTicker.create();
    WarmingUpLimiter limiter =
        WarmingUpLimiter.of(Limit.of(10, Duration.ofSeconds(1)), Duration.ofSeconds(2), 3.0, clock);
    long last = Long.MIN_VALUE;
    for (long gap : gaps) {
      clock.advanceNanos(gap);
      if (limiter.tryAcquire()) {
        long now = clock.read();
        if (last != Long.MIN_VALUE) {
          assertThat(now - last).isGreaterThanOrEqualTo(100 * MS);
        }
        last = now;
      }
    }
  }

  @Test
  void badArgumentsAreRejectedByName() {
    Limit limit = Limit.of(10, Duration.ofSeconds(1));
    assertThatThrownBy(() -> WarmingUpLimiter.of(limit, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmUp must be positive and at most 100 years: PT0S");
    assertThatThrownBy(() -> WarmingUpLimiter.of(limit, Duration.ofSeconds(1), 1.0, ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("coldFactor must be above 1 and at most 10^6: 1.0");
    assertThatThrownBy(() -> WarmingUpLimiter.of(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("stable");
    assertThatThrownBy(() -> WarmingUpLimiter.of(limit, Duration.ofSeconds(1)).tryAcquire(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": 0");
  }
}
