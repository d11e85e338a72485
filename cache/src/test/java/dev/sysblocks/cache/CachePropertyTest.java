package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random single-threaded operations on every policy against a plain map of the last value written
 * per key: a cache may forget (evict) entries, but never invent or resurrect one, never exceeds its
 * maximum once cleaned up, and forgets nothing while it holds fewer keys than its maximum.
 */
class CachePropertyTest {

  @Property(tries = 200)
  void aCacheIsASubsetOfTheLastWritesAndRespectsItsBound(
      @ForAll EvictionPolicy policy,
      @ForAll @IntRange(min = 1, max = 16) int maximumSize,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 9_999) Integer> codes) {
    Cache<Integer, Integer> cache =
        CacheBuilder.newBuilder().maximumSize(maximumSize).policy(policy).build();
    Map<Integer, Integer> lastWrite = new HashMap<>();
    int keyRange = 3 * maximumSize;
    int step = 0;
    for (int code : codes) {
      Integer key = (code / 4) % keyRange;
      Integer value = step++;
      switch (code % 4) {
        case 0 -> {
          cache.put(key, value);
          lastWrite.put(key, value);
        }
        case 1 -> {
          Integer seen = cache.getIfPresent(key);
          if (seen != null) {
            assertThat(seen).isEqualTo(lastWrite.get(key));
          }
        }
        case 2 -> {
          cache.invalidate(key);
          lastWrite.remove(key);
          assertThat(cache.getIfPresent(key)).isNull();
        }
        default -> cache.cleanUp();
      }
    }
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(maximumSize);
    long present = 0;
    for (Map.Entry<Integer, Integer> e : lastWrite.entrySet()) {
      Integer seen = cache.getIfPresent(e.getKey());
      if (seen != null) {
        present++;
        assertThat(seen).isEqualTo(e.getValue());
      }
    }
    assertThat(present).isEqualTo(cache.estimatedSize());
  }

  @Property(tries = 200)
  void nothingIsLostBelowTheMaximum(
      @ForAll EvictionPolicy policy,
      @ForAll @IntRange(min = 1, max = 32) int maximumSize,
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 9_999) Integer> codes) {
    Cache<Integer, Integer> cache =
        CacheBuilder.newBuilder().maximumSize(maximumSize).policy(policy).build();
    Map<Integer, Integer> lastWrite = new HashMap<>();
    int step = 0;
    for (int code : codes) {
      Integer key = (code / 3) % maximumSize; // never more distinct keys than the maximum
      Integer value = step++;
      switch (code % 3) {
        case 0 -> {
          cache.put(key, value);
          lastWrite.put(key, value);
        }
        case 1 -> assertThat(cache.getIfPresent(key)).isEqualTo(lastWrite.get(key));
        default -> {
          cache.invalidate(key);
          lastWrite.remove(key);
        }
      }
    }
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(lastWrite.size());
    assertThat(cache.stats().evictionCount()).isZero();
  }
}
