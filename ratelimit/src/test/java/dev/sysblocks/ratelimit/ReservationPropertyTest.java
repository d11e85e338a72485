package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Reservations, refusals and cancellations in random order: every permit that is used (an admission
 * at its time, a reservation at its ready time, unless its cancel gave it back) must be one the
 * reference bucket admits when fed the uses in time order. So waiting, queueing and cancelling
 * never admit more than the limit.
 */
class ReservationPropertyTest {

  /** kind 0: tryAcquire; 1: reserve with a maximum wait; 2: cancel an outstanding reservation. */
  record Op(int kind, long gapNanos, int permits, long maxWaitNanos, int pick) {}

  record Use(long at, int seq, long permits) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 150_000_000L),
                Arbitraries.longs().between(0, 1_000_000_000L)),
            Arbitraries.integers().between(1, 3),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 2_000_000_000L),
                Arbitraries.just(Long.MAX_VALUE - 1)),
            Arbitraries.integers().between(0, 1_000))
        .as(Op::new)
        .list()
        .ofMaxSize(200);
  }

  private static Limit limit() {
    return Limit.of(7, Duration.ofSeconds(1)).withCapacity(3); // GCRA interval 142,857,143 ns
  }

  private static List<Use> run(ReservingRateLimiter limiter, FakeTicker ticker, List<Op> ops) {
    List<Use> uses = new ArrayList<>();
    List<Reservation> outstanding = new ArrayList<>();
    List<Use> reservedUses = new ArrayList<>();
    int seq = 0;
    for (Op op : ops) {
      ticker.advanceNanos(op.gapNanos());
      long now = ticker.read();
      switch (op.kind()) {
        case 0 -> {
          if (limiter.tryAcquire(op.permits())) {
            uses.add(new Use(now, seq++, op.permits()));
          }
        }
        case 1 -> {
          Reservation r = limiter.reserveNanos(op.permits(), op.maxWaitNanos());
          if (r.granted()) {
            assertThat(r.delayNanos()).isLessThanOrEqualTo(op.maxWaitNanos());
            outstanding.add(r);
            reservedUses.add(new Use(now + r.delayNanos(), seq++, op.permits()));
          }
        }
        default -> {
          if (!outstanding.isEmpty()) {
            int i = op.pick() % outstanding.size();
            if (outstanding.get(i).cancel()) {
              reservedUses.set(i, null); // given back: never used
            }
          }
        }
      }
    }
    for (Use u : reservedUses) {
      if (u != null) {
        uses.add(u);
      }
    }
    uses.sort(Comparator.comparingLong(Use::at).thenComparingInt(Use::seq));
    return uses;
  }

  @Property(tries = 500)
  void tokenBucketUsesFitTheTextbookBucket(@ForAll("ops") List<Op> ops) {
    FakeTicker ticker = FakeTicker.create();
    TokenBucketLimiter limiter = TokenBucketLimiter.builder().limit(limit()).ticker(ticker).build();
    TokenBucketModel model = new TokenBucketModel(limit());
    for (Use u : run(limiter, ticker, ops)) {
      model.advanceTo(u.at());
      assertThat(model.tryAcquire(u.permits())).as("%s", u).isTrue();
    }
  }

  @Property(tries = 500)
  void gcraUsesFitTheContinuousBucket(@ForAll("ops") List<Op> ops) {
    FakeTicker ticker = FakeTicker.create();
    GcraLimiter limiter = GcraLimiter.of(limit(), ticker);
    GcraLimiterTest.ContinuousBucket model = new GcraLimiterTest.ContinuousBucket(limit());
    for (Use u : run(limiter, ticker, ops)) {
      assertThat(model.tryAcquire(u.at(), u.permits())).as("%s", u).isTrue();
    }
  }
}
