package dev.sysblocks.scheduler;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free histogram of nanosecond durations in 64 power-of-two buckets: bucket b counts values
 * in [2^(b-1), 2^b) (bucket 0 holds zero). Recording is one atomic increment; a percentile is
 * reported as its bucket's upper bound, so it overstates by less than a factor of two. That is
 * coarse, but enough to tell 50 µs from 5 ms, and it costs 512 bytes and no allocation; use
 * HdrHistogram in a listener for finer figures.
 */
final class LogHistogram {

  private static final int BUCKETS = 64;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  /**
   * Counts one duration. Callers serialize their calls (the scheduler records under its lock), so
   * the count is a plain read and a release write, not an atomic increment; readers see every count
   * written before the lock was last released.
   */
  void record(long nanos) {
    long value = Math.max(0L, nanos); // a clock that steps back must not index out of range
    int bucket = BUCKETS - Long.numberOfLeadingZeros(value);
    counts.setRelease(bucket, counts.getPlain(bucket) + 1);
  }

  /** A copy of the bucket counts, read one by one (not an atomic snapshot of all of them). */
  long[] snapshot() {
    long[] copy = new long[BUCKETS];
    for (int b = 0; b < BUCKETS; b++) {
      copy[b] = counts.get(b);
    }
    return copy;
  }

  /** The upper bound of the bucket holding the q-quantile of {@code buckets}, or 0 if empty. */
  static long quantile(long[] buckets, double q) {
    long total = 0;
    for (long c : buckets) {
      total += c;
    }
    if (total == 0) {
      return 0L;
    }
    long rank = Math.max(1L, (long) Math.ceil(q * total));
    long seen = 0;
    for (int b = 0; b < buckets.length; b++) {
      seen += buckets[b];
      if (seen >= rank) {
        return b == 0 ? 0L : (b >= 63 ? Long.MAX_VALUE : (1L << b) - 1);
      }
    }
    return Long.MAX_VALUE;
  }
}
