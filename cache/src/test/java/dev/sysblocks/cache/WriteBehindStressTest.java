package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several writer threads against the real flusher, a tiny cache, a queue small enough that writers
 * block on it, and a store that fails every 7th call. Waits are bounded; nothing sleeps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteBehindStressTest {

  private static final int THREADS = 4;
  private static final long WAIT_SECONDS = 20;
  private static final int DELETED = -1;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final WriteLogStore<String, Integer> store = new WriteLogStore<>();
  private final List<PendingWrite<String, Integer>> deadLetters = new ArrayList<>();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  private WriteBehindStrategyCache<String, Integer> cache(int cacheSize, int queueSize) {
    return (WriteBehindStrategyCache<String, Integer>)
        StoreBackedCacheBuilder.newBuilder(
                store,
                CacheBuilder.newBuilder().maximumSize(cacheSize).policy(EvictionPolicy.SIEVE))
            .writeBehind()
            .maxQueueSize(queueSize)
            .batchSize(4)
            .maxWriteDelay(Duration.ofMillis(1))
            .blockWhenFull(Duration.ofSeconds(WAIT_SECONDS))
            .retry(100, Duration.ofMillis(1), Duration.ofMillis(4))
            .deadLetterHandler(
                (writes, cause) -> {
                  synchronized (deadLetters) {
                    deadLetters.addAll(writes);
                  }
                })
            .build();
  }

  /** Starts {@code THREADS} tasks together and waits (bounded) for all of them. */
  private <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
    CyclicBarrier start = new CyclicBarrier(tasks.size());
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> task : tasks) {
      futures.add(
          pool.submit(
              () -> {
                start.await(WAIT_SECONDS, TimeUnit.SECONDS);
                return task.call();
              }));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  void writersOfTheirOwnKeysReadTheirWritesAndTheStoreEndsWithTheLastOfEach() throws Exception {
    store.failEvery = 7;
    WriteBehindStrategyCache<String, Integer> cache = cache(8, 16);
    List<Callable<Map<String, List<Integer>>>> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      writers.add(
          () -> {
            Random random = new Random(thread);
            Map<String, List<Integer>> acked = new HashMap<>(); // per key: values, DELETED
            for (int i = 0; i < 1_000; i++) {
              String key = "t" + thread + "k" + random.nextInt(8);
              if (random.nextInt(8) == 0) {
                cache.delete(key);
                acked.computeIfAbsent(key, k -> new ArrayList<>()).add(DELETED);
                assertThat(cache.get(key)).isNull();
              } else {
                cache.put(key, i);
                acked.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                assertThat(cache.get(key)).isEqualTo(i); // even if evicted before the flush
              }
            }
            return acked;
          });
    }
    Map<String, List<Integer>> acked = new HashMap<>();
    runTogether(writers).forEach(acked::putAll);

    assertThat(cache.close(Duration.ofSeconds(WAIT_SECONDS))).isEmpty();

    Map<String, Integer> expected = new HashMap<>();
    acked.forEach(
        (key, ops) -> {
          int last = ops.get(ops.size() - 1);
          if (last != DELETED) {
            expected.put(key, last);
          }
          List<Integer> applied = new ArrayList<>();
          for (Integer v : store.appliedTo(key)) {
            applied.add(v == null ? DELETED : v);
          }
          assertThat(WriteBehindPropertyTest.isOrderedSubsequence(applied, ops))
              .as("key %s reached the store in order", key)
              .isTrue();
        });
    assertThat(store.snapshot()).isEqualTo(expected);
    assertThat(deadLetters).isEmpty();
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.retryCount()).isPositive();
    assertThat(s.rejectedWrites()).isZero();
    assertThat(s.queueDepth()).isZero();
    WriteBehindTest.assertAccounted(s);
  }

  @Test
  void concurrentWritersOfOneKeyLeaveTheCacheAndTheStoreAgreeing() throws Exception {
    WriteBehindStrategyCache<String, Integer> cache = cache(100, 4);
    List<Callable<Void>> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      writers.add(
          () -> {
            for (int i = 0; i < 500; i++) {
              cache.put("shared", thread * 10_000 + i);
              cache.put("own" + thread, i);
            }
            return null;
          });
    }
    runTogether(writers);
    Integer cached = cache.engine.peek("shared").value();

    assertThat(cache.close(Duration.ofSeconds(WAIT_SECONDS))).isEmpty();

    // The key's guard orders the queue and the cache alike: the last cached value is the last
    // stored one.
    assertThat(store.snapshot()).containsEntry("shared", cached);
    List<Integer> applied = store.appliedTo("shared");
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      List<Integer> mine =
          applied.stream().filter(v -> v / 10_000 == thread).toList(); // one writer's values
      assertThat(mine).as("writer %s's values in the store", thread).isSorted();
      assertThat(store.snapshot()).containsEntry("own" + thread, 499);
    }
    WriteBehindTest.assertAccounted(cache.writeBehindStats());
  }
}
