package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random single-threaded operations on {@link SieveCache} against a plain reference model of SIEVE:
 * a list of keys, newest first, a set of visited keys and a hand, every step eager, written from
 * the NSDI pseudo code for clarity rather than speed. Results, the queue's order, the hand and the
 * eviction count must agree after every operation: the buffered write path changes nothing a single
 * thread can observe. With a time-to-live, the fake clock moves between operations and expired
 * entries are removed by the reads that find them, in both.
 */
class SieveCachePropertyTest {

  private static final int PUT = 0;
  private static final int GET_IF_PRESENT = 1;
  private static final int INVALIDATE = 2;
  private static final int CLEAN_UP = 3;
  private static final int ADVANCE_CLOCK = 4;
  private static final int OPERATIONS = 5;

  /** With a time-to-live: 8 ns of the fake clock; each ADVANCE_CLOCK moves it 1 to 3 ns. */
  private static final long TTL_NANOS = 8;

  /** One operation in this many (by code) empties the whole cache instead. */
  private static final int INVALIDATE_ALL_ONE_IN = 97;

  @Property(tries = 400)
  void behavesExactlyLikeTheReferenceModel(
      @ForAll @IntRange(min = 1, max = 30) int maximumSize,
      @ForAll boolean timeToLive,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 99_999) Integer> codes) {
    FakeTicker ticker = FakeTicker.create();
    CacheBuilder builder =
        CacheBuilder.newBuilder()
            .recordStats()
            .maximumSize(maximumSize)
            .policy(EvictionPolicy.SIEVE)
            .ticker(ticker);
    if (timeToLive) {
      builder.expireAfterWrite(Duration.ofNanos(TTL_NANOS));
    }
    SieveCache<Integer, Integer> cache =
        (SieveCache<Integer, Integer>) builder.<Integer, Integer>build();
    ReferenceSieve model = new ReferenceSieve(maximumSize, timeToLive ? TTL_NANOS : 0);
    int keyRange = 3 * maximumSize + 2;
    int step = 0;
    for (int code : codes) {
      int op = code % OPERATIONS;
      Integer key = (code / OPERATIONS) % keyRange;
      Integer value = step++;
      if (code % INVALIDATE_ALL_ONE_IN == 0) {
        cache.invalidateAll();
        model.invalidateAll();
      } else {
        switch (op) {
          case PUT -> {
            cache.put(key, value);
            model.put(key, value, ticker.read());
          }
          case GET_IF_PRESENT ->
              assertThat(cache.getIfPresent(key)).isEqualTo(model.get(key, ticker.read()));
          case INVALIDATE -> {
            cache.invalidate(key);
            model.invalidate(key);
          }
          case CLEAN_UP -> cache.cleanUp();
          case ADVANCE_CLOCK -> ticker.advanceNanos(1 + key % 3);
          default -> throw new AssertionError(op);
        }
      }
      assertSameState(cache, model);
    }
  }

  private static void assertSameState(SieveCache<Integer, Integer> cache, ReferenceSieve model) {
    assertThat(cache.keysNewestFirst()).as("queue, newest first").isEqualTo(model.keys);
    assertThat(cache.handKey()).as("hand").isEqualTo(model.hand);
    assertThat(cache.stats().evictionCount()).as("evictions").isEqualTo(model.evictions);
    assertThat(cache.estimatedSize()).isEqualTo(model.values.size());
    assertThat(cache.linkedSize()).isEqualTo(model.values.size());
  }

  /** SIEVE as the class essay states it, on a list of keys; expiry as SieveCache applies it. */
  private static final class ReferenceSieve {
    final int maximumSize;
    final long ttlNanos; // 0: none
    final List<Integer> keys = new ArrayList<>(); // newest first
    final Map<Integer, Integer> values = new HashMap<>();
    final Map<Integer, Long> writeNanos = new HashMap<>();
    final Set<Integer> visited = new HashSet<>();
    Integer hand; // null: start at the oldest
    long evictions;

    ReferenceSieve(int maximumSize, long ttlNanos) {
      this.maximumSize = maximumSize;
      this.ttlNanos = ttlNanos;
    }

    Integer get(Integer key, long now) {
      Integer value = values.get(key);
      if (value == null) {
        return null;
      }
      if (ttlNanos != 0 && now - writeNanos.get(key) >= ttlNanos) {
        remove(key);
        evictions++; // an expiry counts as an eviction
        return null;
      }
      visited.add(key);
      return value;
    }

    void put(Integer key, Integer value, long now) {
      if (values.containsKey(key)) { // updated in place, expired or not, and marked as a use
        values.put(key, value);
        writeNanos.put(key, now);
        visited.add(key);
        return;
      }
      if (keys.size() >= maximumSize) {
        evict();
      }
      keys.add(0, key);
      values.put(key, value);
      writeNanos.put(key, now);
    }

    void invalidate(Integer key) {
      if (values.containsKey(key)) {
        remove(key);
      }
    }

    void invalidateAll() {
      keys.clear();
      values.clear();
      writeNanos.clear();
      visited.clear();
      hand = null;
    }

    private void evict() {
      int i = hand == null ? keys.size() - 1 : keys.indexOf(hand);
      while (visited.remove(keys.get(i))) { // clear the bit and pass over, towards newer entries
        i = i == 0 ? keys.size() - 1 : i - 1;
      }
      hand = keys.get(i);
      remove(hand);
      evictions++;
    }

    /** Removes a key; a hand resting on it moves to the next newer key (null past the newest). */
    private void remove(Integer key) {
      int i = keys.indexOf(key);
      if (key.equals(hand)) {
        hand = i == 0 ? null : keys.get(i - 1);
      }
      keys.remove(i);
      values.remove(key);
      writeNanos.remove(key);
      visited.remove(key);
    }
  }
}
