package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Random single-threaded operations on {@link S3FifoCache} against a plain reference model of
 * S3-FIFO: every structure exact and eager (queues of entries removed at once, a set of ghost
 * keys), written for clarity rather than speed. Results, the queues' contents and order, the
 * ghost's size and the eviction count must agree after every operation: the buffered write path,
 * the lazy removal from the deques and the fingerprint ghost change nothing a single thread can
 * observe.
 */
class S3FifoCachePropertyTest {

  private static final int PUT = 0;
  private static final int GET_IF_PRESENT = 1;
  private static final int INVALIDATE = 2;
  private static final int CLEAN_UP = 3;
  private static final int READ_TWICE = 4;
  private static final int OPERATIONS = 5;

  @Property(tries = 400)
  void behavesExactlyLikeTheReferenceModel(
      @ForAll @IntRange(min = 1, max = 30) int maximumSize,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 99_999) Integer> codes) {
    S3FifoCache<Integer, Integer> cache =
        (S3FifoCache<Integer, Integer>)
            CacheBuilder.newBuilder()
                .recordStats()
                .maximumSize(maximumSize)
                .policy(EvictionPolicy.S3_FIFO)
                .<Integer, Integer>build();
    ReferenceS3Fifo model = new ReferenceS3Fifo(maximumSize);
    int keyRange = 3 * maximumSize + 2;
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
        case INVALIDATE -> {
          cache.invalidate(key);
          model.invalidate(key);
        }
        case CLEAN_UP -> cache.cleanUp();
        case READ_TWICE -> { // enough to promote an entry from S to M
          assertThat(cache.getIfPresent(key)).isEqualTo(model.get(key));
          assertThat(cache.getIfPresent(key)).isEqualTo(model.get(key));
        }
        default -> throw new AssertionError(op);
      }
      assertSameState(cache, model);
    }
  }

  /**
   * Removals leave holes in the deques until more holes than live entries (plus 64) trigger a
   * compaction; random short runs rarely get there, so this run does: three quarters of the entries
   * are invalidated, then 600 more keys stream through with reads that promote some of them.
   */
  @Test
  void compactingTheQueuesAfterManyRemovalsChangesNothingObservable() {
    int maximumSize = 200;
    S3FifoCache<Integer, Integer> cache =
        (S3FifoCache<Integer, Integer>)
            CacheBuilder.newBuilder()
                .recordStats()
                .maximumSize(maximumSize)
                .policy(EvictionPolicy.S3_FIFO)
                .<Integer, Integer>build();
    ReferenceS3Fifo model = new ReferenceS3Fifo(maximumSize);
    for (int k = 0; k < 230; k++) { // 30 beyond the maximum: some in M, some in the ghost
      cache.put(k, k);
      model.put(k, k);
      if (k % 3 == 0) {
        assertThat(cache.getIfPresent(k)).isEqualTo(model.get(k));
        assertThat(cache.getIfPresent(k)).isEqualTo(model.get(k));
      }
    }
    for (int k = 0; k < 230; k++) {
      if (k % 4 == 0) {
        continue; // keep a quarter: more holes than live entries (+ 64) compacts the deques
      }
      cache.invalidate(k);
      model.invalidate(k);
      assertSameState(cache, model);
    }
    for (int k = 300; k < 900; k++) {
      cache.put(k, k);
      model.put(k, k);
      int back = k - 250; // some of these are ghosts, some resident
      assertThat(cache.getIfPresent(back)).isEqualTo(model.get(back));
      if (cache.getIfPresent(back) == null) {
        cache.put(back, k);
        model.put(back, k);
      } else {
        model.get(back);
      }
      assertSameState(cache, model);
    }
  }

  private static void assertSameState(S3FifoCache<Integer, Integer> cache, ReferenceS3Fifo model) {
    assertThat(cache.residentKeys()).as("S then M, newest first").isEqualTo(model.residentKeys());
    assertThat(cache.ghostSize()).as("ghost size").isEqualTo(model.ghost.size());
    assertThat(cache.stats().evictionCount()).as("evictions").isEqualTo(model.evictions);
    assertThat(cache.estimatedSize()).isEqualTo(model.entries.size());
    assertThat(cache.linkedSize()).isEqualTo(model.entries.size());
  }

  /** S3-FIFO as the class essay states it, with eager removal and exact ghost keys. */
  private static final class ReferenceS3Fifo {
    final long maximumSize;
    final long maxSmall;
    final long maxMain;
    final long maxGhost;
    final Map<Integer, Entry> entries = new HashMap<>();
    final ArrayDeque<Entry> small = new ArrayDeque<>(); // oldest first
    final ArrayDeque<Entry> main = new ArrayDeque<>();
    final Set<Integer> ghost = new LinkedHashSet<>(); // oldest first
    long evictions;

    ReferenceS3Fifo(long maximumSize) {
      this.maximumSize = maximumSize;
      this.maxSmall = (long) (maximumSize * 0.1);
      this.maxMain = maximumSize - maxSmall;
      this.maxGhost = (long) (maximumSize * 0.9);
    }

    Integer get(Integer key) {
      Entry e = entries.get(key);
      if (e == null) {
        return null;
      }
      e.frequency = Math.min(3, e.frequency + 1);
      return e.value;
    }

    void put(Integer key, Integer value) {
      Entry e = entries.get(key);
      if (e != null) {
        e.value = value;
        e.frequency = Math.min(3, e.frequency + 1);
        return;
      }
      while (small.size() + main.size() >= maximumSize) {
        if ((small.size() >= maxSmall && !small.isEmpty()) || main.isEmpty()) {
          evictFromSmall();
        } else {
          evictFromMain();
        }
      }
      e = new Entry(key, value);
      entries.put(key, e);
      if (ghost.remove(key)) {
        main.addLast(e);
      } else {
        small.addLast(e);
      }
    }

    void invalidate(Integer key) {
      Entry e = entries.remove(key);
      if (e != null && !small.remove(e)) {
        main.remove(e);
      }
    }

    private void evictFromSmall() {
      while (!small.isEmpty()) {
        Entry victim = small.pollFirst();
        if (victim.frequency > 1) {
          victim.frequency = 0;
          main.addLast(victim);
          if (main.size() > maxMain) {
            evictFromMain();
          }
        } else {
          entries.remove(victim.key);
          evictions++;
          if (maxGhost >= 1) {
            while (ghost.size() >= maxGhost) {
              ghost.remove(ghost.iterator().next());
            }
            ghost.add(victim.key);
          }
          return;
        }
      }
    }

    private void evictFromMain() {
      while (!main.isEmpty()) {
        Entry victim = main.pollFirst();
        if (victim.frequency > 0) {
          victim.frequency--;
          main.addLast(victim);
        } else {
          entries.remove(victim.key);
          evictions++;
          return;
        }
      }
    }

    List<Integer> residentKeys() {
      List<Integer> keys = new ArrayList<>();
      for (Iterator<Entry> it = small.descendingIterator(); it.hasNext(); ) {
        keys.add(it.next().key);
      }
      for (Iterator<Entry> it = main.descendingIterator(); it.hasNext(); ) {
        keys.add(it.next().key);
      }
      return keys;
    }
  }

  private static final class Entry {
    final Integer key;
    Integer value;
    int frequency;

    Entry(Integer key, Integer value) {
      this.key = key;
      this.value = value;
    }
  }
}
