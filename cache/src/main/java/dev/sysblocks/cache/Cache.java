package dev.sysblocks.cache;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A bounded, thread-safe map from keys to values that forgets entries by itself: when it holds more
 * than its maximum size, its {@linkplain EvictionPolicy policy} picks entries to evict, and an
 * entry older than its time-to-live (if one was set) is no longer returned.
 *
 * <pre>{@code
 * Cache<String, User> users = CacheBuilder.newBuilder().maximumSize(10_000).build();
 * User u = users.get("ada", id -> database.loadUser(id)); // loads once, then hits
 * }</pre>
 *
 * <p>Keys and values are never null. Keys are compared with {@code equals} and {@code hashCode}, as
 * in a {@link java.util.HashMap}. Every method is safe to call from any number of threads. A cache
 * is never larger than its maximum size once its pending bookkeeping has been applied ({@link
 * #cleanUp()}); in between, concurrent writers may push it above that bound briefly.
 *
 * <p>{@link #get} and {@link #getAll} load missing entries once however many threads ask for them
 * (single-flight), running the loader outside every lock of the cache. Instances come from {@link
 * CacheBuilder}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface Cache<K, V> {

  /**
   * Returns the value cached for {@code key}, or null if there is none (never cached, evicted,
   * invalidated or expired). Counts a hit or a miss.
   *
   * @param key the key
   * @return the cached value, or null
   * @throws NullPointerException if {@code key} is null
   */
  V getIfPresent(K key);

  /**
   * Returns the value cached for {@code key}, loading it with {@code loader} on a miss.
   *
   * <p>Loads are single-flight: while one caller loads a key, other callers of {@code get} for the
   * same key wait for that load and receive its value (or its exception) instead of loading again.
   * The loader runs on the calling thread and outside every lock of the cache, so a slow load
   * delays only the callers waiting for that key: other keys, writes and evictions proceed. A
   * loader that returns null caches nothing and this method returns null. A loader must not load
   * the same key from this cache again (the call throws {@link IllegalStateException} rather than
   * deadlock). A loader may load other keys, but two loads on two threads that each wait for the
   * other's key deadlock, as in any single-flight cache: keep loaders free of such cycles.
   *
   * @param key the key
   * @param loader computes the value on a miss; runs at most once per concurrent miss of a key
   * @return the cached or loaded value, or null if the loader returned null
   * @throws NullPointerException if {@code key} or {@code loader} is null
   * @throws RuntimeException whatever the loader threw (waiting callers receive the same
   *     exception); nothing is cached then
   * @throws IllegalStateException if the loader recursively loads the key it is loading
   */
  V get(K key, Function<? super K, ? extends V> loader);

  /**
   * Returns the values cached for {@code keys}, loading all the missing ones with one call of
   * {@code bulkLoader} (a batch query instead of one per key).
   *
   * <p>Single-flight like {@link #get}: a missing key that another caller is already loading
   * (singly or in bulk) is not loaded again; this call waits for that load after running its own
   * batch, so two bulk loads with overlapping keys never wait for each other in a cycle. The bulk
   * loader receives only the keys this call loads; keys it leaves out of its result (or maps to
   * null) are not cached and absent from the returned map; entries for keys it was not asked for
   * are ignored. It runs on the calling thread, outside every lock of the cache.
   *
   * @param keys the keys; duplicates are looked up once
   * @param bulkLoader loads a set of missing keys; called at most once, and not at all if no key is
   *     missing or all missing keys are being loaded by others
   * @return a new map, in the iteration order of {@code keys}, of the keys that have a value
   * @throws NullPointerException if {@code keys}, any key or {@code bulkLoader} is null
   * @throws RuntimeException whatever the bulk loader threw (callers waiting for any of its keys
   *     receive it too); nothing from that batch is cached then
   * @throws IllegalStateException if a loader recursively loads a key it is loading
   */
  Map<K, V> getAll(
      Iterable<? extends K> keys,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /**
   * Caches {@code value} for {@code key}, replacing any previous value. May evict other entries.
   *
   * @param key the key
   * @param value the value
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  void put(K key, V value);

  /**
   * Removes the entry for {@code key}, if any. A load of the key in flight is not cancelled; its
   * value is cached when it completes.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   */
  void invalidate(K key);

  /** Removes every entry. Entries put concurrently with this call may or may not remain. */
  void invalidateAll();

  /**
   * Returns the number of entries, approximately: exact when no other thread is writing and after
   * {@link #cleanUp()}; it may include expired entries that were not yet read or evicted.
   *
   * @return the number of entries held
   */
  long estimatedSize();

  /**
   * Returns a snapshot of the counters: hits, misses, evictions and loads. Reading it takes no
   * lock; counters updated concurrently may be seen at slightly different moments. The counters
   * stay at zero unless the cache was built with {@link CacheBuilder#recordStats()}.
   *
   * @return an immutable snapshot
   */
  CacheStats stats();

  /**
   * Applies pending bookkeeping now: replays the buffered reads and writes into the policy and
   * evicts down to the maximum size. Caches do this by themselves as they are used; call it to
   * observe an exact state (tests, size reports).
   */
  void cleanUp();
}
