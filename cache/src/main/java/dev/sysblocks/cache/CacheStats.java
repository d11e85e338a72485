package dev.sysblocks.cache;

/**
 * An immutable snapshot of a cache's counters, taken by {@link Cache#stats()}.
 *
 * <p>A <em>hit</em> is a lookup ({@code getIfPresent} or {@code get}) that found a live value; a
 * <em>miss</em> is one that did not, including a {@code get} that then waited for another caller's
 * load. A load is counted once per loader call, not once per waiting caller. An eviction is an
 * entry removed by the size bound or by expiry, not by {@code invalidate}.
 *
 * <pre>{@code
 * CacheStats s = cache.stats();
 * log.info("hit ratio {} over {} requests", s.hitRate(), s.requestCount());
 * }</pre>
 *
 * @param hitCount lookups that found a value
 * @param missCount lookups that found none
 * @param evictionCount entries removed by the size bound or by expiry
 * @param loadSuccessCount loader calls that returned a value
 * @param loadFailureCount loader calls that threw or returned null
 * @param totalLoadTimeNanos time spent in loader calls, in nanoseconds of the cache's ticker
 */
public record CacheStats(
    long hitCount,
    long missCount,
    long evictionCount,
    long loadSuccessCount,
    long loadFailureCount,
    long totalLoadTimeNanos) {

  /**
   * Checks that every counter is zero or positive.
   *
   * @param hitCount lookups that found a value
   * @param missCount lookups that found none
   * @param evictionCount entries removed by the size bound or by expiry
   * @param loadSuccessCount loader calls that returned a value
   * @param loadFailureCount loader calls that threw or returned null
   * @param totalLoadTimeNanos time spent in loader calls, in nanoseconds
   * @throws IllegalArgumentException naming the first negative counter
   */
  public CacheStats {
    requireNonNegative(hitCount, "hitCount");
    requireNonNegative(missCount, "missCount");
    requireNonNegative(evictionCount, "evictionCount");
    requireNonNegative(loadSuccessCount, "loadSuccessCount");
    requireNonNegative(loadFailureCount, "loadFailureCount");
    requireNonNegative(totalLoadTimeNanos, "totalLoadTimeNanos");
  }

  /**
   * Returns the snapshot of a cache that has done nothing.
   *
   * @return all counters zero
   */
  public static CacheStats empty() {
    return new CacheStats(0, 0, 0, 0, 0, 0);
  }

  /**
   * Returns hits plus misses.
   *
   * @return the number of lookups
   */
  public long requestCount() {
    return hitCount + missCount;
  }

  /**
   * Returns hits divided by lookups, or 1.0 when there were no lookups (Guava's and Caffeine's
   * convention: an unused cache has missed nothing).
   *
   * @return the hit ratio, between 0.0 and 1.0
   */
  public double hitRate() {
    long requests = requestCount();
    return requests == 0 ? 1.0 : (double) hitCount / requests;
  }

  /**
   * Returns misses divided by lookups, or 0.0 when there were no lookups.
   *
   * @return the miss ratio, between 0.0 and 1.0
   */
  public double missRate() {
    long requests = requestCount();
    return requests == 0 ? 0.0 : (double) missCount / requests;
  }

  /**
   * Returns successful plus failed loads.
   *
   * @return the number of loader calls
   */
  public long loadCount() {
    return loadSuccessCount + loadFailureCount;
  }

  /**
   * Returns the mean time of a loader call in nanoseconds, or 0.0 if there was none.
   *
   * @return the average load penalty
   */
  public double averageLoadPenaltyNanos() {
    long loads = loadCount();
    return loads == 0 ? 0.0 : (double) totalLoadTimeNanos / loads;
  }

  private static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
  }
}
