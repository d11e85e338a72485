package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random arrival sequences against the textbook model ({@link TokenBucketModel}): the limiter
 * admits exactly the requests the model admits, and over every window of length T admits at most
 * capacity + floor(T * N / P) + 1 permits.
 */
class TokenBucketPropertyTest {

  /** A request for {@code permits} arriving {@code gapNanos} after the previous one. */
  record Arrival(long gapNanos, int permits) {}

  record Scenario(Limit limit, List<Arrival> arrivals) {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<Limit> limits =
        Combinators.combine(
                Arbitraries.longs().between(1, 50),
                Arbitraries.of(
                    Duration.ofMillis(1),
                    Duration.ofMillis(7),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(3),
                    Duration.ofMinutes(1)),
                Arbitraries.integers().between(1, 30),
                Arbitraries.integers().between(0, 100))
            .as(
                (permits, period, capacity, initialPercent) ->
                    Limit.of(permits, period)
                        .withCapacity(capacity)
                        .withInitialPermits(capacity * initialPercent / 100));
    return limits.flatMap(
        limit -> {
          long interval = limit.periodNanos() / limit.permits();
          Arbitrary<Long> gaps =
              Arbitraries.oneOf(
                  Arbitraries.longs().between(0, Math.max(1, interval / 3)),
                  Arbitraries.longs().between(0, 3 * interval),
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
  void admitsExactlyWhatTheTextbookBucketAdmits(@ForAll("scenarios") Scenario s) {
    FakeTicker ticker = FakeTicker.startingAt(-1_234_567_890L);
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder().limit(s.limit()).ticker(ticker).build();
    TokenBucketModel model = new TokenBucketModel(s.limit());
    long elapsed = 0;
    for (Arrival a : s.arrivals()) {
      ticker.advanceNanos(a.gapNanos());
      elapsed += a.gapNanos();
      model.advanceTo(elapsed);
      assertThat(limiter.availablePermits()).isEqualTo(model.tokens());
      assertThat(limiter.tryAcquire(a.permits()))
          .as("request for %s at %s ns", a.permits(), elapsed)
          .isEqualTo(model.tryAcquire(a.permits()));
    }
  }

  /**
   * Split into stripes at a random arrival (as contention would), the limiter may refuse what the
   * single bucket would admit, but never the reverse: fed the limiter's own admissions, the model
   * always has the permits the limiter gave, and always holds at least as many as the limiter says
   * it holds. The model obeys the window bound, so the striped limiter does too.
   */
  @Property(tries = 400)
  void splitIntoStripesItNeverAdmitsWhatTheSingleBucketWouldRefuse(
      @ForAll("scenarios") Scenario s, @ForAll @IntRange(min = 0, max = 299) int splitAt) {
    FakeTicker ticker = FakeTicker.startingAt(987_654_321L);
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder().limit(s.limit()).ticker(ticker).build();
    TokenBucketModel model = new TokenBucketModel(s.limit());
    long elapsed = 0;
    for (int k = 0; k < s.arrivals().size(); k++) {
      Arrival a = s.arrivals().get(k);
      if (k == splitAt % s.arrivals().size()) {
        limiter.stripeNow();
      }
      ticker.advanceNanos(a.gapNanos());
      elapsed += a.gapNanos();
      model.advanceTo(elapsed);
      assertThat(limiter.availablePermits()).isLessThanOrEqualTo(model.tokens());
      boolean admitted =
          k % 3 == 0 ? limiter.decide(a.permits()).allowed() : limiter.tryAcquire(a.permits());
      if (admitted) {
        assertThat(model.tryAcquire(a.permits()))
            .as("request for %s at %s ns, admitted by the limiter", a.permits(), elapsed)
            .isTrue();
      }
    }
  }

  @Property(tries = 400)
  void neverAdmitsMoreThanTheBoundInAnyWindow(@ForAll("scenarios") Scenario s) {
    FakeTicker ticker = FakeTicker.create();
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder().limit(s.limit()).ticker(ticker).build();
    List<long[]> admitted = new ArrayList<>(); // {time, permits}
    long elapsed = 0;
    for (Arrival a : s.arrivals()) {
      ticker.advanceNanos(a.gapNanos());
      elapsed += a.gapNanos();
      if (limiter.decide(a.permits()).allowed()) {
        admitted.add(new long[] {elapsed, a.permits()});
      }
    }
    BigInteger n = BigInteger.valueOf(s.limit().permits());
    BigInteger p = BigInteger.valueOf(s.limit().periodNanos());
    for (int i = 0; i < admitted.size(); i++) {
      long sum = 0;
      for (int j = i; j < admitted.size(); j++) {
        sum += admitted.get(j)[1];
        long window = admitted.get(j)[0] - admitted.get(i)[0];
        long bound =
            s.limit().capacity()
                + BigInteger.valueOf(window).multiply(n).divide(p).longValueExact()
                + 1;
        assertThat(sum)
            .as("permits admitted in a window of %s ns", window)
            .isLessThanOrEqualTo(bound);
      }
    }
  }
}
