package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Many threads writing, reading, deleting and invalidating a few keys through a store that delays
 * its calls at random (so the interleavings that break an unguarded cache happen): once every
 * thread has stopped, the cache holds for every key either nothing or exactly the store's value.
 * The fault variant also fails every k-th store call (before applying it) and checks that the store
 * ends with the last acknowledged value of every key.
 *
 * <p>Checked against two broken variants of GuardedCache: caching a load's result without comparing
 * stamps, and releasing the key's lock during the store write; the rounds test fails on both within
 * its first rounds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteThroughStressTest {

  private static final int KEYS = 16;
  private static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 3_000;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * A random delay without sleeping (S6): up to {@code maxYields} scheduler yields. Yielding is the
   * point here: handing the processor to another thread mid-operation is what makes the harmful
   * interleavings happen.
   */
  @SuppressWarnings("ThreadPriorityCheck")
  static void jitter(int maxYields) {
    int n = ThreadLocalRandom.current().nextInt(maxYields + 1);
    for (int i = 0; i < n; i++) {
      Thread.yield();
    }
  }

  private static StrategyCache<String, String> newCache(InstrumentedStore<String, String> store) {
    return newCache(store, WriteStrategy.WRITE_THROUGH);
  }

  private static StrategyCache<String, String> newCache(
      InstrumentedStore<String, String> store, WriteStrategy writes) {
    return (StrategyCache<String, String>)
        StoreBackedCacheBuilder.newBuilder(store, CacheBuilder.newBuilder().maximumSize(KEYS * 2))
            .writeStrategy(writes)
            .build();
  }

  private static void assertCacheAgreesWithStore(
      StrategyCache<String, String> cache, InstrumentedStore<String, String> store) {
    Map<String, String> stored = store.snapshot();
    for (int k = 0; k < KEYS; k++) {
      String key = "k" + k;
      Slot<String> slot = cache.engine.peek(key);
      if (slot != null) {
        assertThat(slot.value()).as("cached value of %s", key).isEqualTo(stored.get(key));
      }
    }
    assertThat(cache.engine.pinnedKeys()).isZero();
  }

  @Test
  void afterConcurrentWritesReadsAndInvalidationsTheCacheEqualsTheStore() throws Exception {
    InstrumentedStore<String, String> store = new InstrumentedStore<>();
    store.beforeWrite = k -> jitter(20);
    store.afterWrite = k -> jitter(20);
    store.afterLoadRead = k -> jitter(20); // a load holds what it read for a while
    StrategyCache<String, String> cache = newCache(store);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < OPS_PER_THREAD; i++) {
                  String key = "k" + random.nextInt(KEYS);
                  int op = random.nextInt(10);
                  if (op < 4) {
                    cache.put(key, "t" + thread + "-" + i);
                  } else if (op < 8) {
                    cache.get(key);
                  } else if (op < 9) {
                    cache.invalidate(key);
                  } else {
                    cache.delete(key);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(50, TimeUnit.SECONDS);
    }
    assertCacheAgreesWithStore(cache, store);
    for (int k = 0; k < KEYS; k++) {
      assertThat(cache.get("k" + k)).isEqualTo(store.snapshot().get("k" + k));
    }
  }

  @Test
  void roundsOfTwoWritersAndSixReadersOfOneKeyNeverLeaveTheCacheBehindTheStore() throws Exception {
    runRounds(WriteStrategy.WRITE_THROUGH);
  }

  @Test
  void writeAroundRoundsNeverLeaveTheCacheBehindTheStore() throws Exception {
    runRounds(WriteStrategy.WRITE_AROUND);
  }

  private void runRounds(WriteStrategy writes) throws Exception {
    // The final state of a long random run is mostly repaired by its last writes; here every
    // round ends in quiescence and is checked, so one stale fill or out-of-order write fails.
    InstrumentedStore<String, String> store = new InstrumentedStore<>();
    store.beforeWrite = k -> jitter(30);
    store.afterWrite = k -> jitter(30); // a writer holds its applied write for a while
    store.afterLoadRead = k -> jitter(30);
    StrategyCache<String, String> cache = newCache(store, writes);
    for (int round = 0; round < 400; round++) {
      String key = "k" + round % KEYS;
      cache.invalidate(key); // every reader of the round misses and loads
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        String value = "r" + round + "-t" + t;
        boolean writer = t < 2;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  if (writer) {
                    cache.put(key, value);
                  } else {
                    cache.get(key);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
      Slot<String> slot = cache.engine.peek(key);
      if (slot != null) {
        assertThat(slot.value())
            .as("round %d: cached value of %s", round, key)
            .isEqualTo(store.snapshot().get(key));
      }
    }
    assertThat(cache.engine.pinnedKeys()).isZero();
  }

  @ParameterizedTest(name = "{0}, every {1}th store call fails")
  @CsvSource({"WRITE_THROUGH, 2", "WRITE_THROUGH, 3", "WRITE_THROUGH, 7", "WRITE_AROUND, 3"})
  void aStoreFailingEveryKthCallEndsWithTheLastAcknowledgedValueOfEveryKey(
      WriteStrategy writes, int k) throws Exception {
    InstrumentedStore<String, String> store = new InstrumentedStore<>();
    store.failEvery = k;
    store.beforeWrite = key -> jitter(10);
    store.afterWrite = key -> jitter(10);
    store.afterLoadRead = key -> jitter(10);
    StrategyCache<String, String> cache = newCache(store, writes);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<Map<String, String>>> acked = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      acked.add(
          pool.submit(
              () -> {
                start.await();
                // Each thread owns the keys k ≡ thread (mod THREADS), so "last acknowledged" is
                // well defined per key; reads of every key interleave with other threads' writes.
                Map<String, String> lastAcked = new HashMap<>();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < OPS_PER_THREAD; i++) {
                  int own = thread + THREADS * random.nextInt(KEYS / THREADS);
                  String key = "k" + own;
                  String value = "t" + thread + "-" + i;
                  try {
                    int op = random.nextInt(10);
                    if (op < 3) {
                      cache.get("k" + random.nextInt(KEYS));
                    } else if (op < 9) {
                      cache.put(key, value);
                      lastAcked.put(key, value);
                    } else {
                      cache.delete(key);
                      lastAcked.remove(key);
                    }
                  } catch (InstrumentedStore.StoreDownException expected) {
                    // not acknowledged: neither the store nor the cache took it
                  }
                }
                return lastAcked;
              }));
    }
    Map<String, String> expected = new HashMap<>();
    for (Future<Map<String, String>> f : acked) {
      expected.putAll(f.get(50, TimeUnit.SECONDS));
    }
    assertThat(store.snapshot()).isEqualTo(expected);
    assertCacheAgreesWithStore(cache, store);
  }
}
