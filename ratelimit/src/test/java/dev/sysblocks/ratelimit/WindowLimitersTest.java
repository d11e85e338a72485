package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Fixed window, sliding window counter and sliding window log, under a clock driven by hand. */
class WindowLimitersTest {

  private static final Limit HUNDRED_PER_MINUTE = Limit.of(100, Duration.ofMinutes(1));

  private final FakeTicker ticker = FakeTicker.create();

  /** The largest number of permits admitted in any interval of length {@code window}. */
  private static long busiestWindow(List<long[]> admitted, long window) {
    long best = 0;
    Deque<long[]> inside = new ArrayDeque<>();
    long sum = 0;
    for (long[] a : admitted) {
      inside.addLast(a);
      sum += a[1];
      while (inside.peekFirst()[0] <= a[0] - window) {
        sum -= inside.removeFirst()[1];
      }
      best = Math.max(best, sum);
    }
    return best;
  }

  // ------------------------------------------------------------------------------------------
  // Fixed window
  // ------------------------------------------------------------------------------------------

  @Test
  void aFixedWindowCountsPerWindowAndStartsAgainAtTheBoundary() {
    FixedWindowLimiter limiter = FixedWindowLimiter.of(Limit.of(3, Duration.ofSeconds(1)), ticker);
    assertThat(limiter.tryAcquire(3)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(700));
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfter()).isEqualTo(Duration.ofMillis(300));
    assertThat(d.resetNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
    ticker.advance(Duration.ofMillis(300));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aFixedWindowPassesTwiceItsLimitAcrossABoundary() {
    FixedWindowLimiter limiter = FixedWindowLimiter.of(HUNDRED_PER_MINUTE, ticker);
    ticker.advance(Duration.ofMillis(59_900));
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    ticker.advance(Duration.ofMillis(200)); // 01:00.1, the next window
    for (int i = 0; i < 100; i++) {
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    assertThat(admitted)
        .as("200 permits within 0.2 s under a limit of 100 per minute")
        .isEqualTo(200);
  }

  // ------------------------------------------------------------------------------------------
  // Sliding window counter
  // ------------------------------------------------------------------------------------------

  @Test
  void theSlidingCounterWeighsThePreviousWindowAsTheEssaySays() {
    SlidingWindowCounterLimiter limiter =
        SlidingWindowCounterLimiter.of(HUNDRED_PER_MINUTE, ticker);
    assertThat(limiter.tryAcquire(80)).isTrue();
    ticker.advance(Duration.ofSeconds(75)); // 15 s into the next window: 80 * 3/4 = 60 weigh
    assertThat(limiter.availablePermits()).isEqualTo(40);
    assertThat(limiter.tryAcquire(40)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofSeconds(30)); // 45 s in: 80 * 1/4 = 20, plus the 40 taken
    assertThat(limiter.availablePermits()).isEqualTo(40);
  }

  @Test
  void theSlidingCounterRetryAfterIsWhenTheRequestWouldPass() {
    SlidingWindowCounterLimiter limiter =
        SlidingWindowCounterLimiter.of(HUNDRED_PER_MINUTE, ticker);
    assertThat(limiter.tryAcquire(100)).isTrue();
    ticker.advance(Duration.ofSeconds(60)); // window 1 starts; window 0 weighs all 100
    Decision d = limiter.decide(10);
    assertThat(d.allowed()).isFalse();
    // Needs ceil(100 * (60 - t) / 60) <= 90: t >= 6 s.
    assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(6));
    ticker.advance(d.retryAfter().minusNanos(1));
    assertThat(limiter.tryAcquire(10)).isFalse();
    ticker.advanceNanos(1);
    assertThat(limiter.tryAcquire(10)).isTrue();
  }

  @Test
  void theSlidingCounterWorstCaseIsTwiceTheLimitMinusOne() {
    // The adversary of the essay: the previous window's 100 permits all come at its very end,
    // then requests arrive every millisecond. No interval of one minute may hold 2N = 200.
    SlidingWindowCounterLimiter limiter =
        SlidingWindowCounterLimiter.of(HUNDRED_PER_MINUTE, ticker);
    List<long[]> admitted = new ArrayList<>();
    ticker.advance(Duration.ofMillis(59_999));
    long now = Duration.ofMillis(59_999).toNanos();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
      admitted.add(new long[] {now, 1});
    }
    for (int ms = 0; ms < 120_000; ms++) {
      ticker.advance(Duration.ofMillis(1));
      now += Duration.ofMillis(1).toNanos();
      if (limiter.tryAcquire()) {
        admitted.add(new long[] {now, 1});
      }
    }
    assertThat(busiestWindow(admitted, Duration.ofMinutes(1).toNanos())).isEqualTo(199);
  }

  record Arrival(long gapNanos, int permits) {}

  @Provide
  Arbitrary<List<Arrival>> adversarial() {
    long minute = Duration.ofMinutes(1).toNanos();
    return Combinators.combine(
            Arbitraries.oneOf(
                Arbitraries.longs().between(0, minute / 200),
                Arbitraries.longs().between(0, minute),
                Arbitraries.just(0L)),
            Arbitraries.integers().between(1, 10))
        .as(Arrival::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(400);
  }

  @Property(tries = 200)
  void theSlidingCounterNeverAdmitsTwiceTheLimitInAnyWindow(
      @ForAll("adversarial") List<Arrival> arrivals) {
    FakeTicker clock = FakeTicker.create();
    SlidingWindowCounterLimiter limiter = SlidingWindowCounterLimiter.of(HUNDRED_PER_MINUTE, clock);
    List<long[]> admitted = new ArrayList<>();
    long now = 0;
    for (Arrival a : arrivals) {
      clock.advanceNanos(a.gapNanos());
      now += a.gapNanos();
      if (limiter.tryAcquire(a.permits())) {
        admitted.add(new long[] {now, a.permits()});
      }
    }
    assertThat(busiestWindow(admitted, Duration.ofMinutes(1).toNanos())).isLessThanOrEqualTo(199);
  }

  @Test
  void onRandomTrafficTheSlidingCounterDecidesAsAnExactCountBelowTheLimit() {
    // At every request, the exact answer is whether the permits the counter itself admitted in the
    // last window, plus this one, fit the limit. One client, Poisson arrivals. Measured (seed 2024,
    // 10^6 requests): 0% of decisions differ at 0.5 times the limit, 0.04% at 0.9. At and above the
    // limit every request is a decision at the margin, and the estimate (which lags an exact count
    // by up to one permit) differs often -- 14% at 1x, 39% at 2x, 84% at 10x -- while admitting
    // nearly the same number of permits as the exact log (next test).
    assertThat(disagreement(0.5, 1_000_000)).isZero();
    assertThat(disagreement(0.9, 1_000_000)).isLessThan(0.001);
    assertThat(disagreement(1.0, 1_000_000)).isBetween(0.05, 0.25);
    assertThat(disagreement(10.0, 1_000_000)).isBetween(0.5, 0.95);
  }

  @Test
  void inOverloadTheSlidingCounterAdmitsWithinAPercentOfTheExactLog() {
    for (double load : new double[] {1.0, 2.0, 10.0}) {
      Limit limit = Limit.of(1_000, Duration.ofSeconds(10));
      FakeTicker clock = FakeTicker.create();
      SlidingWindowCounterLimiter counter = SlidingWindowCounterLimiter.of(limit, clock);
      SlidingWindowLogLimiter log = SlidingWindowLogLimiter.of(limit, clock);
      SplittableRandom random = new SplittableRandom(7);
      double meanGapNanos = limit.periodNanos() / (1_000 * load);
      long byCounter = 0;
      long byLog = 0;
      for (int i = 0; i < 1_000_000; i++) {
        clock.advanceNanos((long) (-Math.log(1 - random.nextDouble()) * meanGapNanos));
        byCounter += counter.tryAcquire() ? 1 : 0;
        byLog += log.tryAcquire() ? 1 : 0;
      }
      assertThat((double) byCounter / byLog).as("load %s", load).isBetween(0.99, 1.01);
    }
  }

  private static double disagreement(double load, int requests) {
    Limit limit = Limit.of(1_000, Duration.ofSeconds(10));
    long window = limit.periodNanos();
    FakeTicker clock = FakeTicker.create();
    SlidingWindowCounterLimiter counter = SlidingWindowCounterLimiter.of(limit, clock);
    SplittableRandom random = new SplittableRandom(2024);
    double meanGapNanos = window / (1_000 * load);
    Deque<Long> admitted = new ArrayDeque<>();
    long now = 0;
    int differ = 0;
    for (int i = 0; i < requests; i++) {
      long gap = (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
      clock.advanceNanos(gap);
      now += gap;
      while (!admitted.isEmpty() && admitted.peekFirst() <= now - window) {
        admitted.removeFirst();
      }
      boolean exact = admitted.size() + 1 <= 1_000;
      boolean estimated = counter.tryAcquire();
      if (estimated) {
        admitted.addLast(now);
      }
      if (estimated != exact) {
        differ++;
      }
    }
    return differ / (double) requests;
  }

  // ------------------------------------------------------------------------------------------
  // Sliding window log
  // ------------------------------------------------------------------------------------------

  @Test
  void theLogIsExactAsInTheEssay() {
    SlidingWindowLogLimiter limiter =
        SlidingWindowLogLimiter.of(Limit.of(3, Duration.ofSeconds(1)), ticker);
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(700));
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(150)); // 1.05 s
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfter()).isEqualTo(Duration.ofMillis(50));
    ticker.advance(Duration.ofMillis(50)); // 1.1 s: the 0.1 s admission is exactly 1 s old
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Property(tries = 200)
  void theLogNeverAdmitsMoreThanTheLimitInAnyWindowAndRefusesOnlyWhenItMust(
      @ForAll("adversarial") List<Arrival> arrivals) {
    FakeTicker clock = FakeTicker.create();
    SlidingWindowLogLimiter limiter = SlidingWindowLogLimiter.of(HUNDRED_PER_MINUTE, clock);
    long minute = Duration.ofMinutes(1).toNanos();
    List<long[]> admitted = new ArrayList<>();
    long now = 0;
    for (Arrival a : arrivals) {
      clock.advanceNanos(a.gapNanos());
      now += a.gapNanos();
      long inWindow = 0;
      for (long[] x : admitted) {
        inWindow += x[0] > now - minute ? x[1] : 0;
      }
      boolean expected = inWindow + a.permits() <= 100;
      assertThat(limiter.tryAcquire(a.permits())).isEqualTo(expected);
      if (expected) {
        admitted.add(new long[] {now, a.permits()});
      }
    }
    assertThat(busiestWindow(admitted, minute)).isLessThanOrEqualTo(100);
  }

  @Test
  void windowLimitersRejectBadInputByName() {
    assertThatThrownBy(() -> FixedWindowLimiter.of(HUNDRED_PER_MINUTE.withCapacity(5), ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("window limiters have no burst capacity or initial permits");
    assertThatThrownBy(() -> SlidingWindowCounterLimiter.of(null, ticker))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit");
    assertThatThrownBy(() -> SlidingWindowLogLimiter.of(HUNDRED_PER_MINUTE, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(
            () -> SlidingWindowLogLimiter.of(Limit.of(1L << 25, Duration.ofSeconds(1)), ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a sliding log keeps one timestamp per permit: at most 16777216 permits per window,"
                + " not 33554432");
    RateLimiter limiter = SlidingWindowCounterLimiter.of(HUNDRED_PER_MINUTE, ticker);
    assertThatThrownBy(() -> limiter.tryAcquire(101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the limit 100: 101");
    assertThatThrownBy(() -> FixedWindowLimiter.of(HUNDRED_PER_MINUTE, ticker).decide(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the limit 100: 0");
  }

  @Test
  void windowLimitersChangeTheirPermitsButKeepTheCountsOfTheRunningWindow() {
    FakeTicker clock = FakeTicker.create();
    Limit five = Limit.of(5, Duration.ofSeconds(1));
    Limit eight = Limit.of(8, Duration.ofSeconds(1));
    Limit two = Limit.of(2, Duration.ofSeconds(1));
    for (RateLimiter limiter :
        List.<RateLimiter>of(
            FixedWindowLimiter.of(five, clock),
            SlidingWindowCounterLimiter.of(five, clock),
            SlidingWindowLogLimiter.of(five, clock))) {
      assertThat(limiter.tryAcquire(5)).as("%s", limiter).isTrue();
      setLimit(limiter, eight);
      assertThat(limiter.availablePermits()).as("%s", limiter).isEqualTo(3);
      assertThat(limiter.tryAcquire(3)).as("%s", limiter).isTrue();
      assertThat(limiter.tryAcquire()).as("%s", limiter).isFalse();
      setLimit(limiter, two);
      assertThat(limiter.tryAcquire()).as("%s", limiter).isFalse();
      assertThatThrownBy(() -> setLimit(limiter, five.withCapacity(10)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("window limiters have no burst capacity");
      assertThatThrownBy(() -> limiter.tryAcquire(3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("permits must be between 1 and the limit 2: 3");
      clock.advance(Duration.ofSeconds(3));
      assertThat(limiter.tryAcquire(2)).as("%s", limiter).isTrue();
      assertThat(limiter.tryAcquire()).as("%s", limiter).isFalse();
      // A new window length is accepted too (WindowSetLimitTest: what it carries over).
      setLimit(limiter, Limit.of(5, Duration.ofSeconds(2)));
      assertThat(limiter.tryAcquire(3)).as("%s", limiter).isTrue();
      assertThat(limiter.tryAcquire()).as("%s", limiter).isFalse();
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
