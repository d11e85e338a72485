package dev.sysblocks.cache;

/**
 * What {@link StoreBackedCache#put} does with the cache after the store has accepted a write.
 * Either way the store is written first, writes of one key are serialized, and a failed store write
 * leaves the cache unchanged. To write the store later, in batches, use {@link
 * StoreBackedCacheBuilder#writeBehind()} instead.
 */
public enum WriteStrategy {
  /**
   * Cache the written value: the next read hits. For data that is read soon after it is written (a
   * profile edited, then shown).
   */
  WRITE_THROUGH,

  /**
   * Drop the cached entry: the next read loads from the store. For data written often and read
   * rarely (logs, counters, bulk imports), which would otherwise fill the cache with entries nobody
   * reads and evict ones that are.
   */
  WRITE_AROUND
}
