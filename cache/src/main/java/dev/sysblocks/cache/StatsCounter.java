package dev.sysblocks.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link CacheStats}. {@link LongAdder}s: an increment is a CAS on a cell
 * striped by thread, so counting hits on many threads does not serialize them on one cache line,
 * and allocates nothing once the cells exist.
 */
final class StatsCounter {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder loadSuccesses = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();

  void recordHit() {
    hits.increment();
  }

  void recordMiss() {
    misses.increment();
  }

  void recordEviction() {
    evictions.increment();
  }

  void recordLoadSuccess(long nanos) {
    loadSuccesses.increment();
    loadNanos.add(Math.max(0, nanos));
  }

  void recordLoadFailure(long nanos) {
    loadFailures.increment();
    loadNanos.add(Math.max(0, nanos));
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
