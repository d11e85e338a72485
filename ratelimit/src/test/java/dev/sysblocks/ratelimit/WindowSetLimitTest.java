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
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The window limiters' setLimit with a new window length, as the class essays state it. */
class WindowSetLimitTest {

  private static final List<BiFunction<Limit, FakeTicker, WindowedLimiter>> COUNTERS =
      List.of(FixedWindowLimiter::of, SlidingWindowCounterLimiter::of);

  private final FakeTicker ticker = FakeTicker.create();

  private static Limit perSecond(long permits, double seconds) {
    return Limit.of(permits, Duration.ofMillis((long) (seconds * 1000)));
  }

  // ------------------------------------------------------------------------------------------
  // Fixed window
  // ------------------------------------------------------------------------------------------

  @Test
  void aFixedWindowStartsItsNewWindowsAtTheChangeCarryingTheRunningCount() {
    FixedWindowLimiter limiter = FixedWindowLimiter.of(perSecond(5, 1), ticker);
    ticker.advance(Duration.ofMillis(200));
    assertThat(limiter.tryAcquire(3)).isTrue();
    ticker.advance(Duration.ofMillis(300)); // 0.5 s: the change
    limiter.setLimit(perSecond(10, 2));
    assertThat(limiter.limit()).isEqualTo(perSecond(10, 2));
    assertThat(limiter.availablePermits()).isEqualTo(7); // the 3 taken count in [0.5 s, 2.5 s)
    assertThat(limiter.tryAcquire(7)).isTrue();
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.limit()).isEqualTo(10);
    assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(2)); // not at 2 s, the old grid's
    ticker.advance(Duration.ofMillis(1_999));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advanceNanos(1_000_000);
    assertThat(limiter.availablePermits()).isEqualTo(10);
  }

  @Test
  void aShorterWindowWaitsOutTheCountItInheritsForOneNewWindow() {
    // 100 per minute, all used; now 10 per second. A fresh window would give 10 at once.
    FixedWindowLimiter limiter = FixedWindowLimiter.of(perSecond(100, 60), ticker);
    assertThat(limiter.tryAcquire(100)).isTrue();
    ticker.advance(Duration.ofSeconds(30));
    limiter.setLimit(perSecond(10, 1));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(999));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aChangeAfterTheRunningWindowEndedCarriesNothingOfAFixedWindow() {
    FixedWindowLimiter limiter = FixedWindowLimiter.of(perSecond(5, 1), ticker);
    assertThat(limiter.tryAcquire(5)).isTrue();
    ticker.advance(Duration.ofMillis(1_500)); // no call since: the counter is still window 0's
    limiter.setLimit(perSecond(5, 3));
    assertThat(limiter.availablePermits()).isEqualTo(5);
  }

  // ------------------------------------------------------------------------------------------
  // Sliding window counter
  // ------------------------------------------------------------------------------------------

  @Test
  void theSlidingCounterCarriesItsEstimateAtTheChangeIntoTheNewFirstWindow() {
    SlidingWindowCounterLimiter limiter =
        SlidingWindowCounterLimiter.of(perSecond(100, 60), ticker);
    assertThat(limiter.tryAcquire(80)).isTrue();
    ticker.advance(Duration.ofSeconds(75)); // 15 s into window 1: window 0 weighs 80 * 3/4 = 60
    assertThat(limiter.tryAcquire(20)).isTrue(); // estimate 80
    limiter.setLimit(perSecond(100, 10)); // epoch at 75 s; its first window holds the 80
    assertThat(limiter.availablePermits()).isEqualTo(20);
    assertThat(limiter.tryAcquire(20)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofSeconds(10)); // 85 s: window 1 of the epoch; window 0 held 100
    assertThat(limiter.availablePermits()).isZero();
    ticker.advance(Duration.ofSeconds(5)); // halfway: 100 * 1/2 weigh
    assertThat(limiter.availablePermits()).isEqualTo(50);
    ticker.advance(Duration.ofSeconds(5)); // 95 s: 2 windows of 10 s after the change
    assertThat(limiter.availablePermits()).isEqualTo(100);
  }

  @Test
  void aChangeInTheWindowAfterTheRunningOneCarriesTheWeightedCount() {
    SlidingWindowCounterLimiter limiter = SlidingWindowCounterLimiter.of(perSecond(5, 1), ticker);
    assertThat(limiter.tryAcquire(5)).isTrue();
    ticker.advance(Duration.ofMillis(1_500)); // window 1, half-way: window 0 weighs ceil(2.5)
    limiter.setLimit(perSecond(5, 3));
    assertThat(limiter.availablePermits()).isEqualTo(2);
  }

  // ------------------------------------------------------------------------------------------
  // Both counters
  // ------------------------------------------------------------------------------------------

  @Test
  void settingTheSameLimitAgainKeepsTheRunningWindow() {
    for (BiFunction<Limit, FakeTicker, WindowedLimiter> kind : COUNTERS) {
      WindowedLimiter limiter = kind.apply(perSecond(5, 1), ticker);
      ticker.advance(Duration.ofMillis(700));
      assertThat(limiter.tryAcquire(4)).isTrue();
      WindowCounter before = limiter.currentWindow();
      limiter.setLimit(perSecond(5, 1));
      assertThat(limiter.currentWindow()).isSameAs(before);
      assertThat(limiter.tryAcquire(2)).as("%s", limiter).isFalse();
      ticker.advance(Duration.ofMillis(299)); // the window still ends on the old grid, at 1 s
      assertThat(limiter.availablePermits()).as("%s", limiter).isEqualTo(1);
      assertThat(limiter.currentWindow()).isSameAs(before);
      ticker.advance(Duration.ofMillis(1));
      assertThat(limiter.availablePermits()).as("%s", limiter).isPositive();
      assertThat(limiter.currentWindow().index).isEqualTo(1);
      assertThat(limiter.currentWindow().start).isZero();
    }
  }

  @Test
  void aCallerDoesNotWaitForASetLimitStalledAfterClosingTheWindow() {
    // Play a setLimit whose thread stopped right after closing the window: the next caller finds
    // the window closed, installs the requested limit itself, and decides under it.
    for (BiFunction<Limit, FakeTicker, WindowedLimiter> kind : COUNTERS) {
      WindowedLimiter limiter = kind.apply(perSecond(5, 1), ticker);
      ticker.advance(Duration.ofMillis(400));
      assertThat(limiter.tryAcquire(2)).isTrue();
      Limit next = perSecond(8, 2);
      WindowCounter w = limiter.currentWindow();
      w.request(next);
      assertThat(w.close()).isEqualTo(2);
      // 6 is more than the closed window's limit of 5, not more than the new one's 8.
      assertThat(limiter.tryAcquire(6)).as("%s", limiter).isTrue(); // 2 carried + 6 = 8
      assertThat(limiter.tryAcquire()).as("%s", limiter).isFalse();
      assertThat(limiter.limit()).isEqualTo(next);
      WindowCounter installed = limiter.currentWindow();
      assertThat(installed.start).isEqualTo(400_000_000L);
      limiter.setLimit(next); // the stalled call resumes: already done
      assertThat(limiter.currentWindow()).isSameAs(installed);
    }
  }

  @Test
  void badLimitsAreRefusedAndLeaveTheLimiterAsItWas() {
    FixedWindowLimiter limiter = FixedWindowLimiter.of(perSecond(5, 1), ticker);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThatThrownBy(() -> limiter.setLimit(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit");
    assertThatThrownBy(() -> limiter.setLimit(perSecond(5, 2).withCapacity(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("window limiters have no burst capacity");
    assertThat(limiter.limit()).isEqualTo(perSecond(5, 1));
    assertThat(limiter.availablePermits()).isEqualTo(3);
  }

  // ------------------------------------------------------------------------------------------
  // Sliding log
  // ------------------------------------------------------------------------------------------

  @Test
  void theLogAppliesANewWindowToTheAdmissionsItHolds() {
    SlidingWindowLogLimiter longer = SlidingWindowLogLimiter.of(perSecond(3, 1), ticker);
    SlidingWindowLogLimiter shorter = SlidingWindowLogLimiter.of(perSecond(3, 1), ticker);
    for (long gap : new long[] {100, 100, 700}) { // admissions at 0.1, 0.2 and 0.9 s
      ticker.advance(Duration.ofMillis(gap));
      assertThat(longer.tryAcquire()).isTrue();
      assertThat(shorter.tryAcquire()).isTrue();
    }
    ticker.advance(Duration.ofMillis(100)); // 1.0 s
    longer.setLimit(perSecond(3, 2)); // 0.1, 0.2 and 0.9 s are all within the last 2 s
    shorter.setLimit(perSecond(3, 0.5)); // only 0.9 s is within the last 0.5 s
    assertThat(longer.tryAcquire()).isFalse();
    assertThat(shorter.tryAcquire(2)).isTrue();
    Decision d = longer.decide(1);
    assertThat(d.retryAfter()).isEqualTo(Duration.ofMillis(1_100)); // 0.1 s + 2 s
    ticker.advance(Duration.ofMillis(1_100));
    assertThat(longer.tryAcquire()).isTrue();
    assertThat(longer.tryAcquire()).isFalse();
  }

  @Test
  void aLogShrunkAndGrownAgainDoesNotForgetTheAdmissionsItDropped() {
    SlidingWindowLogLimiter limiter = SlidingWindowLogLimiter.of(perSecond(10, 1), ticker);
    assertThat(limiter.tryAcquire(10)).isTrue();
    limiter.setLimit(perSecond(2, 1)); // keeps 2 of the 10 timestamps
    ticker.advance(Duration.ofMillis(500));
    limiter.setLimit(perSecond(10, 1));
    assertThat(limiter.tryAcquire()).isFalse(); // 10 were admitted at 0, within the last second
    ticker.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire(10)).isTrue();
  }

  @Test
  void aLogGrownInBothPermitsAndWindowCountsWhatItForgotAsTakenAtTheNewestForgottenTime() {
    SlidingWindowLogLimiter limiter = SlidingWindowLogLimiter.of(perSecond(2, 1), ticker);
    for (long gap : new long[] {0, 100, 900, 100}) { // admissions at 0, 0.1, 1.0 and 1.1 s
      ticker.advance(Duration.ofMillis(gap));
      assertThat(limiter.tryAcquire()).isTrue();
    }
    ticker.advance(Duration.ofMillis(100)); // 1.2 s; the log holds 1.0 and 1.1, forgot 0 and 0.1
    limiter.setLimit(perSecond(10, 5));
    // An exact count of the last 5 s finds 4 admissions and would allow 6 more; the log cannot
    // know them, so its 8 new slots count as taken at 0.1 s: refused until 5.1 s.
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.decide(1).retryAfter()).isEqualTo(Duration.ofMillis(3_900));
    ticker.advance(Duration.ofMillis(3_900)); // 5.1 s: exact again, 1.0 and 1.1 s still count
    assertThat(limiter.availablePermits()).isEqualTo(8);
    assertThat(limiter.tryAcquire(8)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  // ------------------------------------------------------------------------------------------
  // Under contention
  // ------------------------------------------------------------------------------------------

  @Test
  void switchingWindowLengthsUnderFourHammeringThreadsNeitherLosesNorMintsPermits()
      throws Exception {
    // Both limits hold 100 permits, in windows of 1 s and 3 s. In each round the clock stands
    // still: whatever the switches, exactly 100 pass; then it moves 10 s on (every count forgotten)
    // to a new offset into the windows.
    Limit a = perSecond(100, 1);
    Limit b = perSecond(100, 3);
    List<BiFunction<Limit, FakeTicker, RateLimiter>> kinds =
        List.of(
            FixedWindowLimiter::of, SlidingWindowCounterLimiter::of, SlidingWindowLogLimiter::of);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      for (BiFunction<Limit, FakeTicker, RateLimiter> kind : kinds) {
        FakeTicker clock = FakeTicker.create();
        RateLimiter limiter = kind.apply(a, clock);
        for (int round = 0; round < 20; round++) {
          clock.advance(Duration.ofMillis(10_000 + 137 * round));
          CyclicBarrier start = new CyclicBarrier(threads + 1);
          List<Future<Long>> takers = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            takers.add(
                pool.submit(
                    () -> {
                      start.await(60, TimeUnit.SECONDS);
                      long taken = 0;
                      for (int i = 0; i < 5_000; i++) {
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
                    start.await(60, TimeUnit.SECONDS);
                    for (int i = 0; i < 500; i++) {
                      setLimit(limiter, i % 2 == 0 ? b : a);
                    }
                    return null;
                  });
          long total = 0;
          for (Future<Long> f : takers) {
            total += f.get(60, TimeUnit.SECONDS);
          }
          switcher.get(60, TimeUnit.SECONDS);
          assertThat(total).as("%s, round %s", limiter, round).isEqualTo(100);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void setLimit(RateLimiter limiter, Limit limit) {
    if (limiter instanceof SlidingWindowLogLimiter log) {
      log.setLimit(limit);
    } else {
      ((WindowedLimiter) limiter).setLimit(limit);
    }
  }
}
