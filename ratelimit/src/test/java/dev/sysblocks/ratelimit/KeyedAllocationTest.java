package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sysblocks.core.FakeTicker;
import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decision for a key already held allocates nothing, with one limit for every key or a limit per
 * key: measured with the JVM's per-thread allocation counter over a million tryAcquire calls on
 * keys boxed in advance, admissions and refusals mixed. (KeyedRateLimiterBenchmark's -prof gc
 * figure also counts the table rebuilds that new keys cause; this one is the decision alone.)
 */
class KeyedAllocationTest {

  private static final int KEYS = 1_000;
  private static final int CALLS = 1_000_000;

  /** Far below one byte per call: room for one-off allocations, never a per-call one (16+ B). */
  private static final long BUDGET_BYTES = 64 * 1024;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aMillionDecisionsOnHeldKeysAllocateNothing(boolean limitPerKey) throws Exception {
    FakeTicker ticker = FakeTicker.create();
    Limit free = Limit.of(100, Duration.ofSeconds(1)).withCapacity(10);
    Limit paid = Limit.of(1_000, Duration.ofSeconds(1)).withCapacity(10);
    KeyedRateLimiter.Builder<Integer> builder =
        KeyedRateLimiter.<Integer>builder(free).maximumKeys(10 * KEYS).ticker(ticker);
    KeyedRateLimiter<Integer> limiter =
        limitPerKey ? builder.limitPerKey(k -> k % 10 == 0 ? paid : free).build() : builder.build();
    Integer[] keys = new Integer[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = i + 1_000_000; // outside Integer's small-value cache: boxing would show
    }
    long admitted = calls(limiter, keys, ticker); // adds the keys, and lets the JIT compile

    long before = allocatedBytes();
    admitted += calls(limiter, keys, ticker);
    long allocated = allocatedBytes() - before;

    System.out.printf(
        "limitPerKey %s: %,d bytes allocated by %,d decisions%n", limitPerKey, allocated, CALLS);
    assertThat(admitted).isBetween(1L, 2L * CALLS - 1); // both admissions and refusals
    assertThat(limiter.keysHeld()).isEqualTo(KEYS);
    assertThat(allocated).as("bytes allocated by %,d decisions", CALLS).isLessThan(BUDGET_BYTES);
  }

  private static long calls(KeyedRateLimiter<Integer> limiter, Integer[] keys, FakeTicker ticker) {
    long admitted = 0;
    for (int i = 0; i < CALLS; i++) {
      if (limiter.tryAcquire(keys[i % KEYS])) {
        admitted++;
      }
      ticker.advanceNanos(1_000);
    }
    return admitted;
  }

  /**
   * The current thread's allocated bytes, from HotSpot's com.sun.management.ThreadMXBean. Called
   * reflectively: this module's descriptor does not read java.management, and need not for a test.
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
}
