package dev.sysblocks.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link CacheStats}. {@link LongAdder}s: an increment is a CAS on a cell
 * striped by thread, so counting hits on many threads does not serialize them on one cache line,
 * and allocates nothing once the cells exist.
 */
final class StatsCounter {
  /**
   * False unless the builder's recordStats() was called: then every record call returns at once.
   */
  private final boolean enabled;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder loadSuccesses = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();

  StatsCounter(boolean enabled) {
    this.enabled = enabled;
  }

  void recordHit() {
    if (enabled) {
      hits.increment();
    }
  }

  void recordMiss() {
    if (enabled) {
      misses.increment();
    }
  }

  void recordEviction() {
    if (enabled) {
      evictions.increment();
    }
  }

  void recordLoadSuccess(long nanos) {
    if (enabled) {
      loadSuccesses.increment();
      loadNanos.add(Math.max(0, nanos));
    }
  }

  void recordLoadFailure(long nanos) {
    if (enabled) {
      loadFailures.increment();
      loadNanos.add(Math.max(0, nanos));
    }
  }

  CacheStats snapshot() {
    return new CacheStats(
        hits.sum(),
        misses.sum(),
        evictions.sum(),
        loadSuccesses.sum(),
        loadFailures.sum(),
        loadNanos.sum());
  }
}
