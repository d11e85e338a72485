package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hit allocates nothing: measured with the JVM's per-thread allocation counter over a million
 * hits on keys boxed in advance. (The benchmark's -prof gc gives the same figure per operation;
 * this test keeps it from regressing between benchmark runs.)
 */
class HitAllocationTest {

  private static final int KEYS = 1_000;
  private static final int HITS = 1_000_000;

  /**
   * Allowed bytes for a million hits: far below one byte per hit. Covers the one-off allocations a
   * measurement window can catch (the JIT's own bookkeeping is not counted per thread, but the
   * LongAdder cells and the like might be), never a per-hit allocation (16+ bytes each).
   */
  private static final long BUDGET_BYTES = 64 * 1024;

  @ParameterizedTest
  @EnumSource(
      value = EvictionPolicy.class,
      names = {"LRU", "SIEVE", "S3_FIFO"})
  void aMillionHitsAllocateNothing(EvictionPolicy policy) throws Exception {
    assertAMillionHitsAllocateNothing(
        policy.name(), CacheBuilder.newBuilder().maximumSize(KEYS).policy(policy));
  }

  /**
   * With LRU maintenance on a fork-join pool, a full read stripe submits the cache's one drain task
   * again and again: it is a ForkJoinTask that never completes, so the pool queues it as it is
   * instead of wrapping it in a new task per submission.
   */
  @Test
  void aMillionHitsWithMaintenanceOnAPoolAllocateNothing() throws Exception {
    assertAMillionHitsAllocateNothing(
        "LRU on a pool",
        CacheBuilder.newBuilder()
            .maximumSize(KEYS)
            .policy(EvictionPolicy.LRU)
            .executor(ForkJoinPool.commonPool()));
  }

  private static void assertAMillionHitsAllocateNothing(String label, CacheBuilder builder)
      throws Exception {
    Cache<Integer, Integer> cache = builder.build();
    Integer[] keys = fill(cache);
    long sink = hits(cache, keys); // warm-up: let the JIT compile the hit path

    long before = allocatedBytes();
    sink += hits(cache, keys);
    long allocated = allocatedBytes() - before;

    System.out.printf("%s: %,d bytes allocated by %,d hits%n", label, allocated, HITS);
    assertThat(sink).isPositive();
    assertThat(allocated).as("bytes allocated by %,d hits", HITS).isLessThan(BUDGET_BYTES);
  }

  /** Puts KEYS keys, each its own value, boxed once and returned for the measured loops. */
  private static Integer[] fill(Cache<Integer, Integer> cache) {
    Integer[] keys = new Integer[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = i + 1_000_000; // outside Integer's small-value cache: boxing would show
      cache.put(keys[i], keys[i]);
    }
    return keys;
  }

  /**
   * Replacing the value of a present key updates its node in place: no new node and no capturing
   * lambda. LRU's put allocated 72 B per update while it went through ConcurrentHashMap.compute.
   */
  @ParameterizedTest
  @EnumSource(
      value = EvictionPolicy.class,
      names = {"LRU", "SIEVE", "S3_FIFO"})
  void aMillionUpdatesOfPresentKeysAllocateNothing(EvictionPolicy policy) throws Exception {
    Cache<Integer, Integer> cache =
        CacheBuilder.newBuilder().maximumSize(KEYS).policy(policy).build();
    Integer[] keys = fill(cache);
    updates(cache, keys); // warm-up

    long before = allocatedBytes();
    updates(cache, keys);
    long allocated = allocatedBytes() - before;

    System.out.printf("%s: %,d bytes allocated by %,d updates%n", policy, allocated, HITS);
    assertThat(cache.estimatedSize()).isEqualTo(KEYS);
    assertThat(allocated).as("bytes allocated by %,d updates", HITS).isLessThan(BUDGET_BYTES);
  }

  /**
   * The current thread's allocated bytes, from HotSpot's com.sun.management.ThreadMXBean. Called
   * reflectively: this module's descriptor does not read java.management, and need not for a test.
   * The reflective call allocates a few bytes itself, well within the budget.
   */
  private static long allocatedBytes() throws Exception {
    Object threads =
        Class.forName("java.lang.management.ManagementFactory")
            .getMethod("getThreadMXBean")
            .invoke(null);
    Class<?> hotspot;
    try {
      hotspot = Class.forName("com.sun.management.ThreadMXBean");
    } catch (ClassNotFoundException e) {
      hotspot = null;
    }
    assumeTrue(
        hotspot != null && hotspot.isInstance(threads),
        "this JVM does not count allocated bytes per thread");
    Method allocated = hotspot.getMethod("getCurrentThreadAllocatedBytes");
    return (long) allocated.invoke(threads);
  }

  private static void updates(Cache<Integer, Integer> cache, Integer[] keys) {
    for (int i = 0; i < HITS; i++) {
      cache.put(keys[i % KEYS], keys[(i * 7) % KEYS]); // values boxed in advance, like the keys
    }
  }

  private static long hits(Cache<Integer, Integer> cache, Integer[] keys) {
    long sum = 0;
    for (int i = 0; i < HITS; i++) {
      sum += cache.getIfPresent(keys[i % KEYS]);
    }
    return sum;
  }
}
