package dev.sysblocks.cache;

/**
 * Which entries a full cache evicts. See the {@linkplain dev.sysblocks.cache package documentation}
 * for a comparison and hit ratios on real traces.
 */
public enum EvictionPolicy {
  /**
   * Least recently used, written here: lock-free, allocation-free hits whose order is replayed from
   * lossy buffers, so under heavy concurrency it is approximately LRU. The default.
   */
  LRU,

  /**
   * SIEVE (NSDI 2024): a FIFO queue with one "visited" bit per entry and a moving hand. Hits only
   * set a bit; better hit ratios than LRU on most web traces, but no better on loops and scans.
   * Inserts are queued in a write buffer and applied under a try-lock, as for S3_FIFO, so under
   * concurrency the size bound is exact once {@link Cache#cleanUp()} has run (on one thread with
   * the default executor, after every write).
   */
  SIEVE,

  /**
   * S3-FIFO (SOSP 2023): a small FIFO queue that filters one-hit wonders, a main FIFO queue with
   * 2-bit counters, and a ghost queue of recently dropped keys. Hits only bump a counter; usually
   * the best hit ratio of the policies here on web traces, and partly resists loops and scans.
   * Inserts are queued in a write buffer and applied under a try-lock, so under concurrency the
   * size bound is exact once {@link Cache#cleanUp()} has run (on one thread with the default
   * executor, after every write).
   */
  S3_FIFO,

  /**
   * Caffeine's W-TinyLFU: a frequency sketch decides admission, so scans and loops do not flush the
   * cache. The scan-resistant choice.
   */
  CAFFEINE
}
