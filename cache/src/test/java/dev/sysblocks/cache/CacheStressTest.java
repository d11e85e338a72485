package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Eight threads mixing reads, loads, writes and invalidations on one cache, then checks of what
 * must hold once the threads have stopped and pending bookkeeping is applied. Values encode their
 * key, so a value returned for the wrong key is caught.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CacheStressTest {

  static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 50_000;

  /** Values are key * VALUE_STRIDE + a sequence number below it. */
  private static final long VALUE_STRIDE = 1L << 32;

  /**
   * Every policy with maintenance on the calling thread (the default), and again with it on the
   * common fork-join pool.
   */
  static Stream<String> configurations() {
    return Stream.concat(
        Stream.of(EvictionPolicy.values()).map(EvictionPolicy::name),
        Stream.of(EvictionPolicy.values()).map(policy -> policy.name() + " on a pool"));
  }

  private static CacheBuilder builder(String configuration, int maximumSize) {
    boolean pool = configuration.endsWith(" on a pool");
    CacheBuilder builder =
        CacheBuilder.newBuilder()
            .recordStats()
            .maximumSize(maximumSize)
            .policy(EvictionPolicy.valueOf(configuration.replace(" on a pool", "")));
    return pool ? builder.executor(ForkJoinPool.commonPool()) : builder;
  }

  @ParameterizedTest
  @MethodSource("configurations")
  void underEvictionTheBoundTheStructureAndTheCountersHold(String configuration) throws Exception {
    int maximumSize = 256;
    int keyRange = 4 * maximumSize;
    Cache<Integer, Long> cache = builder(configuration, maximumSize).build();
    LongAdder lookups = new LongAdder();
    LongAdder loads = new LongAdder();

    runConcurrently(
        thread -> {
          SplittableRandom random = new SplittableRandom(thread);
          long seq = 0;
          for (int i = 0; i < OPS_PER_THREAD; i++) {
            Integer key = skewed(random, keyRange);
            int op = random.nextInt(100);
            if (op < 60) {
              lookups.increment();
              Long v = cache.getIfPresent(key);
              if (v != null) {
                assertThat(v / VALUE_STRIDE).isEqualTo(key.longValue());
              }
            } else if (op < 80) {
              lookups.increment();
              long s = ++seq;
              Long v =
                  cache.get(
                      key,
                      k -> {
                        loads.increment();
                        return k * VALUE_STRIDE + s;
                      });
              assertThat(v / VALUE_STRIDE).isEqualTo(key.longValue());
            } else if (op < 95) {
              cache.put(key, key * VALUE_STRIDE + ++seq);
            } else {
              cache.invalidate(key);
            }
          }
        });

    cache.cleanUp();
    CacheStats stats = cache.stats(); // before the checks below, which read the cache
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(maximumSize);
    assertStructureMatchesMap(cache);
    assertThat(stats.requestCount()).isEqualTo(lookups.sum());
    assertThat(stats.loadSuccessCount()).isEqualTo(loads.sum());
    assertThat(stats.loadFailureCount()).isZero();
    assertThat(stats.evictionCount()).isPositive();
  }

  @ParameterizedTest
  @MethodSource("configurations")
  void belowTheMaximumNoWriteIsLostAndNothingIsEvicted(String configuration) throws Exception {
    int keysPerThread = 64;
    int maximumSize = THREADS * keysPerThread; // room for every key: no eviction is legitimate
    Cache<Integer, Long> cache = builder(configuration, maximumSize).build();
    List<Map<Integer, Long>> finalStates = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      finalStates.add(new HashMap<>());
    }

    // Each thread owns its keys, so it knows exactly what the cache must hold for them, while the
    // drains, buffers and map bins it goes through are shared with every other thread.
    runConcurrently(
        thread -> {
          SplittableRandom random = new SplittableRandom(100 + thread);
          Map<Integer, Long> mine = finalStates.get(thread);
          long seq = 0;
          for (int i = 0; i < OPS_PER_THREAD; i++) {
            Integer key = thread * keysPerThread + random.nextInt(keysPerThread);
            int op = random.nextInt(10);
            if (op < 5) {
              assertThat(cache.getIfPresent(key)).as("key %s", key).isEqualTo(mine.get(key));
            } else if (op < 9) {
              Long v = key * VALUE_STRIDE + ++seq;
              cache.put(key, v);
              mine.put(key, v);
            } else {
              cache.invalidate(key);
              mine.remove(key);
            }
          }
        });

    cache.cleanUp();
    long expectedSize = 0;
    for (Map<Integer, Long> mine : finalStates) {
      for (Map.Entry<Integer, Long> e : mine.entrySet()) {
        assertThat(cache.getIfPresent(e.getKey())).isEqualTo(e.getValue());
      }
      expectedSize += mine.size();
    }
    assertThat(cache.estimatedSize()).isEqualTo(expectedSize);
    assertThat(cache.stats().evictionCount()).isZero();
    assertStructureMatchesMap(cache);
  }

  /** The policy's own structure (recency list or FIFO queue) holds exactly the map's keys. */
  private static void assertStructureMatchesMap(Cache<Integer, Long> cache) {
    List<Integer> structure;
    if (cache instanceof LruCache<Integer, Long> lru) {
      structure = lru.keysInAccessOrder();
      assertThat(lru.linkedSize()).isEqualTo(structure.size());
    } else if (cache instanceof SieveCache<Integer, Long> sieve) {
      structure = sieve.keysNewestFirst();
      assertThat(sieve.linkedSize()).isEqualTo(structure.size());
    } else if (cache instanceof S3FifoCache<Integer, Long> s3) {
      structure = s3.residentKeys();
      assertThat(s3.linkedSize()).isEqualTo(structure.size());
    } else {
      return; // Caffeine's structures are its own business
    }
    assertThat(structure).doesNotHaveDuplicates();
    assertThat((long) structure.size()).isEqualTo(cache.estimatedSize());
    for (Integer key : structure) {
      assertThat(cache.getIfPresent(key)).as("key %s in the structure", key).isNotNull();
    }
  }

  /** Half the operations on the first eighth of the keys: hot keys make the buffers overflow. */
  private static Integer skewed(SplittableRandom random, int keyRange) {
    return random.nextBoolean() ? random.nextInt(keyRange / 8) : random.nextInt(keyRange);
  }

  /** One thread's share of a concurrent run; {@code thread} is 0 to THREADS - 1. */
  interface Worker {
    void run(int thread) throws Exception;
  }

  /** Runs {@code worker} on THREADS threads released together by a barrier; 50 s at most each. */
  static void runConcurrently(Worker worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  worker.run(thread);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(50, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
