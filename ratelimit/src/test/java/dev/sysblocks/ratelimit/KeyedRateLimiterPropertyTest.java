package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The keyed limiter against one {@link GcraLimiter} per key (itself checked against the continuous
 * bucket in GcraLimiterTest), created at the key's first request.
 */
class KeyedRateLimiterPropertyTest {

  record Op(int key, long advanceNanos, long permits) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 39),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 50_000_000L),
                Arbitraries.longs().between(0, 2_000_000_000L)),
            Arbitraries.longs().between(1, 4))
        .as(Op::new)
        .list()
        .ofMaxSize(400);
  }

  private static Limit limit() {
    return Limit.of(5, Duration.ofSeconds(1)).withCapacity(4); // T = 200 ms, burst 4
  }

  @Property(tries = 300)
  void withRoomForEveryKeyEachDecisionIsTheOneItsOwnLimiterMakes(@ForAll("ops") List<Op> ops) {
    FakeTicker ticker = FakeTicker.create();
    KeyedRateLimiter<Integer> keyed =
        KeyedRateLimiter.<Integer>builder(limit()).maximumKeys(1_000).ticker(ticker).build();
    Map<Integer, GcraLimiter> reference = new HashMap<>();
    for (Op op : ops) {
      ticker.advanceNanos(op.advanceNanos());
      GcraLimiter own = reference.computeIfAbsent(op.key(), k -> GcraLimiter.of(limit(), ticker));
      assertThat(keyed.decide(op.key(), op.permits())).isEqualTo(own.decide(op.permits()));
    }
    assertThat(keyed.evictions()).isZero();
  }

  @Property(tries = 300)
  void aKeyExceedsItsLimitOnlyAfterAnEviction(@ForAll("ops") List<Op> ops) {
    // 40 keys in a table of 16 slots: keys in debt are evicted all the time. An admission that a
    // limiter fed with only that key's admitted requests would refuse is allowed only if the table
    // evicted a key since that limiter started (the key came back with a full bucket); the check
    // then goes on with a limiter started now, which allows at least what the key has left.
    FakeTicker ticker = FakeTicker.create();
    KeyedRateLimiter<Integer> keyed =
        KeyedRateLimiter.<Integer>builder(limit()).maximumKeys(1).ticker(ticker).build();
    Map<Integer, GcraLimiter> shadow = new HashMap<>();
    Map<Integer, Long> evictionsAtStart = new HashMap<>();
    long restarts = 0;
    for (Op op : ops) {
      ticker.advanceNanos(op.advanceNanos());
      long evictionsBefore = keyed.evictions();
      GcraLimiter own = shadow.get(op.key());
      if (own == null) {
        own = GcraLimiter.of(limit(), ticker);
        shadow.put(op.key(), own);
        evictionsAtStart.put(op.key(), evictionsBefore);
      }
      if (keyed.tryAcquire(op.key(), op.permits()) && !own.tryAcquire(op.permits())) {
        assertThat(keyed.evictions())
            .as("%s admitted beyond its limit without an eviction", op)
            .isGreaterThan(evictionsAtStart.get(op.key()));
        restarts++;
        GcraLimiter fresh = GcraLimiter.of(limit(), ticker);
        assertThat(fresh.tryAcquire(op.permits())).isTrue();
        shadow.put(op.key(), fresh);
        evictionsAtStart.put(op.key(), keyed.evictions());
      }
    }
    assertThat(restarts).isLessThanOrEqualTo(keyed.evictions());
    assertThat(keyed.tableBytes()).isEqualTo(16 + 8 * 32); // 16 slots, never grown
  }
}
