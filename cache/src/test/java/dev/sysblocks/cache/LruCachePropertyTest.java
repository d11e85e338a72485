package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random single-threaded operations on {@link LruCache} against the reference model of exact LRU: a
 * {@link LinkedHashMap} in access order that drops its eldest entry above the maximum. Every
 * result, the recency order and the counters must agree after every operation.
 */
class LruCachePropertyTest {

  /** Operations, decoded from an int so that jqwik shrinks failures to short, small sequences. */
  private static final int PUT = 0;

  private static final int GET_IF_PRESENT = 1;
  private static final int GET_WITH_LOADER = 2;
  private static final int INVALIDATE = 3;
  private static final int CLEAN_UP = 4;
  private static final int READ_BURST = 5;
  private static final int OPERATIONS = 6;

  /**
   * Reads in a burst: more than a read-buffer stripe holds (16), so that the buffer fills between
   * two writes and the overflow path is exercised, which random single reads rarely do.
   */
  private static final int BURST = 40;

  @Property(tries = 300)
  void behavesExactlyLikeAnAccessOrderedLinkedHashMap(
      @ForAll @IntRange(min = 1, max = 8) int maximumSize,
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 999) Integer> codes) {
    LruCache<Integer, Integer> cache =
        (LruCache<Integer, Integer>)
            CacheBuilder.newBuilder()
                .recordStats()
                .maximumSize(maximumSize)
                .<Integer, Integer>build();
    ExactLru model = new ExactLru(maximumSize);
    int keyRange = 2 * maximumSize + 2;
    int step = 0;
    for (int code : codes) {
      int op = code % OPERATIONS;
      Integer key = (code / OPERATIONS) % keyRange;
      Integer value = step++;
      switch (op) {
        case PUT -> {
          cache.put(key, value);
          model.put(key, value);
        }
        case GET_IF_PRESENT -> assertThat(cache.getIfPresent(key)).isEqualTo(model.get(key));
        case GET_WITH_LOADER -> {
          Integer expected = model.get(key);
          if (expected == null) {
            model.put(key, value);
            expected = value;
          }
          assertThat(cache.get(key, k -> value)).isEqualTo(expected);
        }
        case INVALIDATE -> {
          cache.invalidate(key);
          model.remove(key);
        }
        case CLEAN_UP -> {
          cache.cleanUp();
          // Only here: reading the order drains the buffers, which would hide their behaviour.
          assertThat(cache.keysInAccessOrder()).isEqualTo(model.keysInAccessOrder());
        }
        case READ_BURST -> {
          for (int i = 0; i < BURST; i++) {
            Integer k = (key + i % 3) % keyRange;
            assertThat(cache.getIfPresent(k)).isEqualTo(model.get(k));
          }
        }
        default -> throw new AssertionError(op);
      }
      assertThat(cache.estimatedSize()).isEqualTo(model.size()).isLessThanOrEqualTo(maximumSize);
    }
    assertThat(cache.keysInAccessOrder()).isEqualTo(model.keysInAccessOrder());
    CacheStats stats = cache.stats();
    assertThat(stats.hitCount()).isEqualTo(model.hits);
    assertThat(stats.missCount()).isEqualTo(model.misses);
    assertThat(stats.evictionCount()).isEqualTo(model.evictions);
  }

  /** Exact LRU, the textbook way. */
  private static final class ExactLru {
    private final int maximumSize;
    private final LinkedHashMap<Integer, Integer> map;
    long hits;
    long misses;
    long evictions;

    ExactLru(int maximumSize) {
      this.maximumSize = maximumSize;
      this.map =
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
              boolean evict = size() > ExactLru.this.maximumSize;
              if (evict) {
                evictions++;
              }
              return evict;
            }
          };
    }

    Integer get(Integer key) {
      Integer v = map.get(key);
      if (v == null) {
        misses++;
      } else {
        hits++;
      }
      return v;
    }

    void put(Integer key, Integer value) {
      map.put(key, value);
    }

    void remove(Integer key) {
      map.remove(key);
    }

    int size() {
      return map.size();
    }

    List<Integer> keysInAccessOrder() {
      return new ArrayList<>(map.keySet());
    }
  }
}
