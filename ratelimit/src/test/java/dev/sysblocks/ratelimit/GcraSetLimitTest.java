package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GcraSetLimitTest {

  private final FakeTicker ticker = FakeTicker.create();

  @Test
  void thePermitsLeftCarryOverAndAccrueAtTheNewRate() {
    GcraLimiter limiter =
        GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withCapacity(5), ticker);
    assertThat(limiter.tryAcquire(2)).isTrue();
    limiter.setLimit(Limit.of(20, Duration.ofSeconds(1)).withCapacity(10));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    assertThat(limiter.intervalNanos()).isEqualTo(50_000_000L);
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.availablePermits()).isEqualTo(5);
    assertThat(limiter.limit()).isEqualTo(Limit.of(20, Duration.ofSeconds(1)).withCapacity(10));
  }

  @Test
  void theCarriedPermitsAreCappedToTheNewCapacity() {
    GcraLimiter limiter = GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)), ticker);
    limiter.setLimit(Limit.of(10, Duration.ofSeconds(1)).withCapacity(2));
    assertThat(limiter.availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aDebtLeftByReservationsCarriesOver() {
    GcraLimiter limiter =
        GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withCapacity(1), ticker);
    limiter.reserve(1);
    limiter.reserve(1);
    limiter.reserve(1); // the last waiter may go at 200 ms
    limiter.setLimit(Limit.of(1, Duration.ofSeconds(1)).withCapacity(1));
    // The waiters keep their times; the next permit comes one new interval after the last.
    assertThat(limiter.reserve(1).delayNanos()).isEqualTo(1_200_000_000L);
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aFasterRateDoesNotLetNewCallersOvertakeWaitingReservations() {
    GcraLimiter limiter =
        GcraLimiter.of(Limit.of(1, Duration.ofSeconds(1)).withCapacity(1), ticker);
    limiter.reserve(1);
    limiter.reserve(1); // usable at 1 s
    limiter.reserve(1); // usable at 2 s
    limiter.setLimit(Limit.of(1_000, Duration.ofSeconds(1)).withCapacity(1));
    ticker.advance(Duration.ofMillis(3));
    assertThat(limiter.tryAcquire()).isFalse(); // still behind the waiter of t = 2 s
    ticker.advance(Duration.ofMillis(1_998));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void settingTheSameLimitAgainKeepsTheProgressTowardsTheNextPermit() {
    Limit limit = Limit.of(10, Duration.ofSeconds(1)).withCapacity(1);
    GcraLimiter limiter = GcraLimiter.of(limit, ticker);
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(60));
    limiter.setLimit(Limit.of(10, Duration.ofSeconds(1)).withCapacity(1));
    ticker.advance(Duration.ofMillis(40));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void badLimitsAreRefusedAndLeaveTheLimiterAsItWas() {
    GcraLimiter limiter = GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)), ticker);
    assertThatThrownBy(() -> limiter.setLimit(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit");
    assertThatThrownBy(() -> limiter.setLimit(Limit.of(3, Duration.ofNanos(10))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole-nanosecond emission interval");
    assertThat(limiter.availablePermits()).isEqualTo(10);
  }

  @Test
  void switchingLimitsUnderFourHammeringThreadsNeitherLosesNorMintsPermits() throws Exception {
    // Frozen clock: both limits hold 100 permits; whatever the switches, exactly 100 pass.
    Limit a = Limit.of(100, Duration.ofSeconds(1));
    Limit b = Limit.of(50, Duration.ofSeconds(1)).withCapacity(100);
    GcraLimiter limiter = GcraLimiter.of(a, ticker);
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      List<Future<Long>> takers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        takers.add(
            pool.submit(
                () -> {
                  start.await();
                  long taken = 0;
                  for (int i = 0; i < 20_000; i++) {
                    if (limiter.tryAcquire()) {
                      taken++;
                    }
                  }
                  return taken;
                }));
      }
      Future<?> switcher =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 2_000; i++) {
                  limiter.setLimit(i % 2 == 0 ? b : a);
                }
                return null;
              });
      long total = 0;
      for (Future<Long> f : takers) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      switcher.get(60, TimeUnit.SECONDS);
      assertThat(total).isEqualTo(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reservationsStopBeforeTheTimestampCouldOverflow() {
    for (Limit limit :
        List.of(Limit.of(1, Duration.ofDays(365)), Limit.of(1, Duration.ofNanos(1L << 40)))) {
      GcraLimiter limiter = GcraLimiter.of(limit, ticker);
      int granted = 0;
      while (limiter.reserve(1).granted()) {
        granted++;
      }
      assertThat(granted).isGreaterThan(100);
      assertThat(limiter.tryAcquire()).isFalse();
      Decision d = limiter.decide(1);
      assertThat(d.allowed()).isFalse();
      assertThat(d.retryAfterNanos()).isPositive();
      assertThat(limiter.reserve(1).delayNanos()).isEqualTo(Long.MAX_VALUE);
    }
  }
}
