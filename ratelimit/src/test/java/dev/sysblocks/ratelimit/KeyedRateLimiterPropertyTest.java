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
 * bucket in GcraLimiterTest), created at the key's first request with the key's own limit: the
 * builder's for every key, or one of four limits per key through {@code limitPerKey}.
 */
class KeyedRateLimiterPropertyTest {

  private static final int KEYS = 40;

  record Op(int key, long advanceNanos, long permits) {}

  /**
   * Each key's limit: null for the builder's limit for every key (no limitPerKey), else an index
   * into {@link #LIMITS} per key.
   */
  record Tiers(List<Integer> ofKey) {
    Limit of(int key) {
      return ofKey == null ? LIMITS.get(0) : LIMITS.get(ofKey.get(key));
    }
  }

  /**
   * T = 200 ms burst 4 (the builder's); T = 500 ms burst 2; T = 100 ms burst 6 starting with 2 (its
   * keys start in debt, so they must never be forgotten when full); T = 300 ms burst 3.
   */
  static final List<Limit> LIMITS =
      List.of(
          Limit.of(5, Duration.ofSeconds(1)).withCapacity(4),
          Limit.of(2, Duration.ofSeconds(1)),
          Limit.of(10, Duration.ofSeconds(1)).withCapacity(6).withInitialPermits(2),
          Limit.of(10, Duration.ofSeconds(3)).withCapacity(3));

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, KEYS - 1),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 50_000_000L),
                Arbitraries.longs().between(0, 2_000_000_000L)),
            Arbitraries.longs().between(1, 4))
        .as(Op::new)
        .list()
        .ofMaxSize(400);
  }

  @Provide
  Arbitrary<Tiers> tiers() {
    return Arbitraries.oneOf(
        Arbitraries.just(new Tiers(null)),
        Arbitraries.integers().between(0, LIMITS.size() - 1).list().ofSize(KEYS).map(Tiers::new));
  }

  private static KeyedRateLimiter<Integer> keyed(Tiers tiers, long maximumKeys, FakeTicker t) {
    KeyedRateLimiter.Builder<Integer> builder =
        KeyedRateLimiter.<Integer>builder(LIMITS.get(0)).maximumKeys(maximumKeys).ticker(t);
    return tiers.ofKey() == null ? builder.build() : builder.limitPerKey(tiers::of).build();
  }

  /** A request for at most the key's capacity. */
  private static long permitsOf(Op op, Tiers tiers) {
    return Math.min(op.permits(), tiers.of(op.key()).capacity());
  }

  @Property(tries = 300)
  void withRoomForEveryKeyEachDecisionIsTheOneItsOwnLimiterMakes(
      @ForAll("ops") List<Op> ops, @ForAll("tiers") Tiers tiers) {
    FakeTicker ticker = FakeTicker.create();
    Map<Integer, GcraLimiter> reference = new HashMap<>();
    // The function runs only for a key not held: its first request, or one after the table
    // forgot it, which it may do only when the key's bucket is full and its limit starts keys
    // full. Checked at each call against the key's own limiter, before this request reaches it.
    KeyedRateLimiter<Integer> keyed =
        KeyedRateLimiter.<Integer>builder(LIMITS.get(0))
            .maximumKeys(1_000)
            .ticker(ticker)
            .limitPerKey(
                key -> {
                  GcraLimiter own = reference.get(key);
                  Limit limit = tiers.of(key);
                  if (own != null) {
                    assertThat(limit.initialPermits())
                        .as("key %s, forgotten though its limit starts keys in debt", key)
                        .isEqualTo(limit.capacity());
                    assertThat(own.availablePermits())
                        .as("key %s, forgotten before its bucket was full", key)
                        .isEqualTo(limit.capacity());
                  }
                  return limit;
                })
            .build();
    for (Op op : ops) {
      ticker.advanceNanos(op.advanceNanos());
      long permits = permitsOf(op, tiers);
      Decision decided = keyed.decide(op.key(), permits); // before the key's limiter exists
      GcraLimiter own =
          reference.computeIfAbsent(op.key(), k -> GcraLimiter.of(tiers.of(k), ticker));
      assertThat(decided).isEqualTo(own.decide(permits));
    }
    assertThat(keyed.evictions()).isZero();
  }

  @Property(tries = 300)
  void withoutLimitPerKeyEachDecisionIsTheOneItsOwnLimiterMakes(@ForAll("ops") List<Op> ops) {
    FakeTicker ticker = FakeTicker.create();
    Tiers tiers = new Tiers(null);
    KeyedRateLimiter<Integer> keyed = keyed(tiers, 1_000, ticker);
    Map<Integer, GcraLimiter> reference = new HashMap<>();
    for (Op op : ops) {
      ticker.advanceNanos(op.advanceNanos());
      GcraLimiter own =
          reference.computeIfAbsent(op.key(), k -> GcraLimiter.of(tiers.of(k), ticker));
      long permits = permitsOf(op, tiers);
      assertThat(keyed.decide(op.key(), permits)).isEqualTo(own.decide(permits));
    }
    assertThat(keyed.evictions()).isZero();
  }

  @Property(tries = 300)
  void aKeyExceedsItsLimitOnlyAfterAnEviction(
      @ForAll("ops") List<Op> ops, @ForAll("tiers") Tiers tiers) {
    // 40 keys in a table of 16 slots: keys in debt are evicted all the time. An admission that a
    // limiter fed with only that key's admitted requests would refuse is allowed only if the table
    // evicted a key since that limiter started (the key came back with a fresh bucket); the check
    // then goes on with a limiter started now, which allows at least what the key has left.
    FakeTicker ticker = FakeTicker.create();
    KeyedRateLimiter<Integer> keyed = keyed(tiers, 1, ticker);
    Map<Integer, GcraLimiter> shadow = new HashMap<>();
    Map<Integer, Long> evictionsAtStart = new HashMap<>();
    long restarts = 0;
    for (Op op : ops) {
      ticker.advanceNanos(op.advanceNanos());
      long permits = permitsOf(op, tiers);
      long evictionsBefore = keyed.evictions();
      GcraLimiter own = shadow.get(op.key());
      if (own == null) {
        own = GcraLimiter.of(tiers.of(op.key()), ticker);
        shadow.put(op.key(), own);
        evictionsAtStart.put(op.key(), evictionsBefore);
      }
      if (keyed.tryAcquire(op.key(), permits) && !own.tryAcquire(permits)) {
        assertThat(keyed.evictions())
            .as("%s admitted beyond its limit without an eviction", op)
            .isGreaterThan(evictionsAtStart.get(op.key()));
        restarts++;
        GcraLimiter fresh = GcraLimiter.of(tiers.of(op.key()), ticker);
        assertThat(fresh.tryAcquire(permits)).isTrue();
        shadow.put(op.key(), fresh);
        evictionsAtStart.put(op.key(), keyed.evictions());
      }
    }
    assertThat(restarts).isLessThanOrEqualTo(keyed.evictions());
    assertThat(keyed.tableBytes()).isEqualTo(16 + 8 * 32); // 16 slots, never grown
  }
}
