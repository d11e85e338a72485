package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GcraLimiterTest {

  private final FakeTicker ticker = FakeTicker.create();

  /**
   * The continuous token bucket, the reference for GCRA: tokens are kept in nanoseconds of credit
   * (tokens * T), grow one nanosecond per nanosecond up to C * T, and a request for n costs n * T.
   */
  static final class ContinuousBucket {
    private final long interval;
    private final long full;
    private long credit;
    private long last;

    ContinuousBucket(Limit limit) {
      this.interval = GcraLimiter.intervalOf(limit);
      this.full = limit.capacity() * interval;
      this.credit = limit.initialPermits() * interval;
    }

    long available(long now) {
      return Math.min(full, credit + (now - last)) / interval;
    }

    boolean tryAcquire(long now, long n) {
      credit = Math.min(full, credit + (now - last));
      last = now;
      if (credit >= n * interval) {
        credit -= n * interval;
        return true;
      }
      return false;
    }
  }

  @Test
  void javadocExampleWorks() {
    GcraLimiter limiter = GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withCapacity(5));
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isTrue();
  }

  @Test
  void theWorkedExampleOfTheEssay() {
    GcraLimiter limiter =
        GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withCapacity(5), ticker);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    Decision refused = limiter.decide(1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(100));
    assertThat(refused.remaining()).isZero();
    assertThat(refused.resetNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
    ticker.advance(Duration.ofMillis(100));
    Decision admitted = limiter.decide(1);
    assertThat(admitted.allowed()).isTrue();
    assertThat(admitted.remaining()).isZero();
    assertThat(admitted.resetNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
    ticker.advance(Duration.ofSeconds(10));
    assertThat(limiter.availablePermits()).isEqualTo(5);
  }

  @Test
  void permitsAccrueFromEachRequestNotOnAGrid() {
    // 1 per second, capacity 1: after a request at 0.7 s, the next passes at 1.7 s, not at 1.0 s.
    GcraLimiter limiter = GcraLimiter.of(Limit.of(1, Duration.ofSeconds(1)), ticker);
    ticker.advance(Duration.ofMillis(700));
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(999));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void fractionalIntervalsAreRoundedUpOnlyWhenLongEnough() {
    assertThat(GcraLimiter.intervalOf(Limit.of(3, Duration.ofSeconds(1)))).isEqualTo(333_333_334L);
    assertThat(GcraLimiter.intervalOf(Limit.of(1_000_000_000L, Duration.ofSeconds(1))))
        .isEqualTo(1);
    assertThatThrownBy(() -> GcraLimiter.of(Limit.of(700_000_000L, Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "GCRA needs a whole-nanosecond emission interval, or one of at least 1 µs: 700000000");
  }

  @Test
  void aClockThatGoesBackwardsNeverCreatesPermits() {
    long[] skew = {0};
    Ticker skewed = () -> ticker.read() - skew[0];
    GcraLimiter limiter =
        GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withInitialPermits(0), skewed);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    skew[0] = Duration.ofSeconds(5).toNanos();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
    skew[0] = 0;
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aToleranceBeyondTheRangeIsRefusedEvenWhenItsProductFitsSixtyFourUnsignedBits() {
    // 3 x 100 years is about 9.5e18 ns: over 2^63, under 2^64.
    assertThatThrownBy(
            () -> GcraLimiter.of(Limit.of(1, Duration.ofDays(36_525)).withCapacity(3), ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("capacity times the emission interval must be at most 2^62 ns");
    assertThat(GcraLimiter.of(Limit.of(1, Duration.ofDays(36_525)), ticker).tryAcquire()).isTrue();
  }

  @Test
  void badInputIsRejectedNamingTheParameter() {
    GcraLimiter limiter = GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)), ticker);
    assertThatThrownBy(() -> limiter.tryAcquire(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: 0");
    assertThatThrownBy(() -> limiter.decide(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: 11");
    assertThatThrownBy(() -> GcraLimiter.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit");
    assertThatThrownBy(() -> GcraLimiter.of(Limit.of(1, Duration.ofSeconds(1)), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(
            () -> GcraLimiter.of(Limit.of(1, Duration.ofDays(365)).withCapacity(1_000), ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("capacity times the emission interval must be at most 2^62 ns");
  }

  // ------------------------------------------------------------------------------------------
  // Against the continuous bucket, and the window bound
  // ------------------------------------------------------------------------------------------

  record Arrival(long gapNanos, int permits) {}

  record Scenario(Limit limit, List<Arrival> arrivals) {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<Limit> limits =
        Combinators.combine(
                Arbitraries.longs().between(1, 50),
                Arbitraries.of(Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofMinutes(1)),
                Arbitraries.integers().between(1, 30),
                Arbitraries.integers().between(0, 100))
            .as(
                (permits, period, capacity, initialPercent) ->
                    Limit.of(permits, period)
                        .withCapacity(capacity)
                        .withInitialPermits(capacity * initialPercent / 100));
    return arrivalsUnder(limits);
  }

  /**
   * Up to 300 requests of 1 to 5 permits (at most the capacity) under each limit, with gaps from a
   * third of an interval (bursts) to 50 intervals (idle spells).
   */
  private static Arbitrary<Scenario> arrivalsUnder(Arbitrary<Limit> limits) {
    return limits.flatMap(
        limit -> {
          long interval = GcraLimiter.intervalOf(limit);
          Arbitrary<Long> gaps =
              Arbitraries.oneOf(
                  Arbitraries.longs().between(0, Math.max(1, interval / 3)),
                  Arbitraries.longs().between(0, 3 * interval),
                  Arbitraries.longs().between(0, 50 * interval),
                  Arbitraries.just(0L));
          Arbitrary<Integer> sizes =
              Arbitraries.integers().between(1, (int) Math.min(limit.capacity(), 5));
          return Combinators.combine(gaps, sizes)
              .as(Arrival::new)
              .list()
              .ofMinSize(1)
              .ofMaxSize(300)
              .map(arrivals -> new Scenario(limit, arrivals));
        });
  }

  @Property(tries = 400)
  void admitsExactlyWhatTheContinuousBucketAdmitsAndRespectsTheWindowBound(
      @ForAll("scenarios") Scenario s) {
    FakeTicker clock = FakeTicker.startingAt(987_654_321L);
    GcraLimiter limiter = GcraLimiter.of(s.limit(), clock);
    ContinuousBucket model = new ContinuousBucket(s.limit());
    long interval = limiter.intervalNanos();
    List<long[]> admitted = new ArrayList<>();
    long now = 0;
    for (Arrival a : s.arrivals()) {
      clock.advanceNanos(a.gapNanos());
      now += a.gapNanos();
      boolean expected = model.tryAcquire(now, a.permits());
      assertThat(limiter.tryAcquire(a.permits())).as("request at %s ns", now).isEqualTo(expected);
      if (expected) {
        admitted.add(new long[] {now, a.permits()});
      }
    }
    for (int i = 0; i < admitted.size(); i++) {
      long sum = 0;
      for (int j = i; j < admitted.size(); j++) {
        sum += admitted.get(j)[1];
        long window = admitted.get(j)[0] - admitted.get(i)[0];
        assertThat(sum).isLessThanOrEqualTo(s.limit().capacity() + window / interval);
      }
    }
  }

  @Provide
  Arbitrary<Scenario> fastScenarios() {
    Arbitrary<Limit> limits =
        Combinators.combine(
                Arbitraries.longs().between(100_000, 1_000_000),
                Arbitraries.integers().between(Stripes.COUNT, 40),
                Arbitraries.integers().between(0, 100))
            .as(
                (permits, capacity, initialPercent) ->
                    Limit.of(permits, Duration.ofSeconds(1))
                        .withCapacity(capacity)
                        .withInitialPermits(capacity * initialPercent / 100));
    return arrivalsUnder(limits);
  }

  /**
   * Split into stripes at a random arrival (as contention would), the limiter may refuse what the
   * single meter would admit, but never the reverse: fed the limiter's own admissions, the
   * continuous bucket always has the permits the limiter gave, and at least as many as the limiter
   * says it holds. The model obeys the window bound, so the striped limiter does too.
   */
  @Property(tries = 400)
  void splitIntoStripesItNeverAdmitsWhatTheSingleMeterWouldRefuse(
      @ForAll("fastScenarios") Scenario s, @ForAll @IntRange(min = 0, max = 299) int splitAt) {
    FakeTicker clock = FakeTicker.startingAt(-987_654_321L);
    GcraLimiter limiter = GcraLimiter.of(s.limit(), clock);
    ContinuousBucket model = new ContinuousBucket(s.limit());
    long now = 0;
    for (int k = 0; k < s.arrivals().size(); k++) {
      Arrival a = s.arrivals().get(k);
      if (k == splitAt % s.arrivals().size()) {
        limiter.stripeNow();
        assertThat(limiter.isStriped()).isTrue();
      }
      clock.advanceNanos(a.gapNanos());
      now += a.gapNanos();
      assertThat(limiter.availablePermits()).isLessThanOrEqualTo(model.available(now));
      int permits = (int) Math.min(a.permits(), s.limit().capacity());
      boolean admitted =
          k % 3 == 0 ? limiter.decide(permits).allowed() : limiter.tryAcquire(permits);
      if (admitted) {
        assertThat(model.tryAcquire(now, permits))
            .as("request for %s at %s ns, admitted by the limiter", permits, now)
            .isTrue();
      }
    }
  }

  @Test
  void concurrentCallersAdmitExactlyWhatTheModelAllows() throws Exception {
    Limit limit = Limit.of(40, Duration.ofSeconds(1)).withCapacity(25);
    GcraLimiter limiter = GcraLimiter.of(limit, ticker);
    ContinuousBucket model = new ContinuousBucket(limit);
    hammer(
        limiter,
        Duration.ofMillis(1),
        now -> {
          long taken = 0;
          while (model.tryAcquire(now, 1)) {
            taken++;
          }
          return taken;
        });
  }

  @Test
  void concurrentCallersOnAStripedLimiterAdmitExactlyWhatTheStripesHold() throws Exception {
    // Split while full, before the first interval, so the striped path is hammered whatever the
    // scheduling. The model: Stripes.COUNT continuous meters of capacity share(C, i) and interval
    // k T, continuing the full single meter as GcraStripes says.
    Limit limit = Limit.of(100_000, Duration.ofSeconds(1)).withCapacity(25);
    GcraLimiter limiter = GcraLimiter.of(limit, ticker);
    limiter.stripeNow();
    assertThat(limiter.isStriped()).isTrue();
    long t = limiter.intervalNanos();
    long kt = t * Stripes.COUNT;
    long[] tat = new long[Stripes.COUNT];
    long[] tolerance = new long[Stripes.COUNT];
    for (int i = 0; i < Stripes.COUNT; i++) {
      tolerance[i] = Stripes.share(25, i) * kt;
      tat[i] = -25 * t - (Stripes.COUNT - 1 - i) * t + tolerance[i];
    }
    hammer(
        limiter,
        Duration.ofNanos(1_000),
        now -> {
          long taken = 0;
          for (int i = 0; i < Stripes.COUNT; i++) {
            while (Math.max(tat[i], now) + kt - now <= tolerance[i]) {
              tat[i] = Math.max(tat[i], now) + kt;
              taken++;
            }
          }
          return taken;
        });
  }

  /** Takes every permit the model holds at {@code now} (ns since the start), returns how many. */
  interface Drain {
    long takeAll(long now);
  }

  private void hammer(GcraLimiter limiter, Duration unit, Drain model) throws Exception {
    int threads = 8;
    int intervals = 300;
    AtomicLong[] admitted = new AtomicLong[intervals];
    for (int i = 0; i < intervals; i++) {
      admitted[i] = new AtomicLong();
    }
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    CyclicBarrier done = new CyclicBarrier(threads + 1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < intervals; i++) {
                    start.await(10, TimeUnit.SECONDS);
                    while (limiter.tryAcquire()) {
                      admitted[i].incrementAndGet();
                    }
                    done.await(10, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      long now = 0;
      for (int i = 0; i < intervals; i++) {
        long step = unit.toNanos() * (7 + (i * 37) % 50);
        ticker.advanceNanos(step);
        now += step;
        start.await(10, TimeUnit.SECONDS);
        done.await(10, TimeUnit.SECONDS);
        long expected = model.takeAll(now);
        assertThat(admitted[i].get()).as("interval %s", i).isEqualTo(expected);
      }
      for (Future<?> w : workers) {
        w.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
