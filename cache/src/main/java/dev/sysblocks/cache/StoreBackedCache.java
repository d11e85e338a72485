package dev.sysblocks.cache;

/**
 * A cache in front of a {@link DataStore}: reads go through the cache to the store (read-through),
 * writes go to the store and then to the cache (write-through) or around it (write-around: the
 * cached entry is dropped), as chosen with {@link StoreBackedCacheBuilder#writeStrategy}, or behind
 * it ({@link WriteBehindCache}: the store written later, in batches). Instances come from {@link
 * StoreBackedCacheBuilder}.
 *
 * <pre>{@code
 * StoreBackedCache<String, User> users =
 *     StoreBackedCacheBuilder.newBuilder(userStore, CacheBuilder.newBuilder().maximumSize(10_000))
 *         .negativeCaching(Duration.ofSeconds(30))
 *         .build();
 * User ada = users.get("ada"); // a miss loads from the store once, however many callers
 * }</pre>
 *
 * <p><b>Reads (read-through).</b> {@link #get} returns the cached value or loads it from the store.
 * Concurrent misses of one key cause one store load; the others wait for it and receive its value
 * or its exception. With negative caching, a key the store does not have is remembered as absent
 * for the configured time, so repeated lookups of a missing key do not reach the store.
 *
 * <p><b>Refresh-ahead</b> (optional, {@link StoreBackedCacheBuilder#refreshAhead}): a hit on an
 * entry close to its expiry returns the cached value at once and reloads it in the background, so a
 * hot key is never missed.
 *
 * <p><b>Consistency.</b> {@link #put} writes the store first; only when the store accepted the
 * write is the value cached. A load that overlaps a write or {@link #invalidate} of its key returns
 * what it read but does not cache it: the cache never holds a value older than the last write that
 * went through this object. Writes made to the store by other means are seen only after the entry
 * expires or is invalidated. Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface StoreBackedCache<K, V> {

  /**
   * Returns the value for {@code key}: from the cache, or loaded from the store on a miss.
   *
   * @param key the key
   * @return the value, or null if the store has none
   * @throws NullPointerException if {@code key} is null
   * @throws RuntimeException whatever the store's load threw (callers waiting for the same load
   *     receive it too); nothing is cached then
   */
  V get(K key);

  /**
   * Writes {@code value} to the store, then caches it ({@link WriteStrategy#WRITE_THROUGH}, the
   * default) or drops the cached entry ({@link WriteStrategy#WRITE_AROUND}). Writes of one key are
   * serialized from the store write to the cache update, so they reach the store and the cache in
   * the same order, and a load of the key that overlaps the write does not cache what it read.
   * Writes of different keys do not wait for each other.
   *
   * @param key the key
   * @param value the value
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws RuntimeException whatever the store's write threw; the cache is left unchanged (if the
   *     store applied the write before throwing, the cache may serve the previous value until the
   *     entry expires, is written again or is invalidated)
   */
  void put(K key, V value);

  /**
   * Deletes {@code key} from the store, then drops its cached entry; serialized with the key's
   * other writes like {@link #put}.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   * @throws RuntimeException whatever the store's delete threw; the cache is left unchanged
   */
  void delete(K key);

  /**
   * Drops the cached entry for {@code key} (the store is untouched), and keeps a load of the key in
   * flight from caching what it read: call it after changing the store by other means.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   */
  void invalidate(K key);

  /**
   * Returns the cache's counters. A store load counts as a load (an absent key is a successful
   * load); a negative entry found counts as a hit.
   *
   * @return an immutable snapshot
   */
  CacheStats stats();
}
