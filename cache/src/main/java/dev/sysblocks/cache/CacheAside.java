package dev.sysblocks.cache;

import java.util.Objects;
import java.util.function.Function;

/**
 * The cache-aside pattern with its race closed: the application owns the database calls; this
 * helper owns the cache. Reads go through {@link #get}; after every committed write of a key the
 * application calls {@link #invalidateAfterWrite}.
 *
 * <pre>{@code
 * CacheAside<Long, Account> accounts =
 *     CacheAside.create(CacheBuilder.newBuilder().maximumSize(10_000));
 * Account a = accounts.get(42L, id -> db.findAccount(id)); // one query per miss
 * db.updateBalance(42L, 100);          // the application's own write, committed
 * accounts.invalidateAfterWrite(42L);  // then this: the next get re-reads
 * }</pre>
 *
 * <p><b>Guarantee.</b> A load that began before {@code invalidateAfterWrite(key)} returned, and
 * finishes after it, is returned to its caller but not cached: the cache cannot be refilled with
 * the value the write replaced. Concurrent misses of a key run the source once (single-flight).
 *
 * <p><b>What the caller must do.</b> Invalidate <i>after</i> the write has committed, never before:
 * a read between an early invalidation and the commit re-caches the old value, and nothing evicts
 * it until it expires. Writes that bypass this helper (another service, a migration) are seen only
 * after expiry: give the cache a time-to-live. Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class CacheAside<K, V> {

  /*
   * Design. Cache-aside leaves the store to the application, so the only hook this helper has
   * into a write is the invalidation that follows it. The classic race [1]
   *
   *   t0  R: miss; db read -> "v1"        t1  W: db write "v2"; commit; invalidate(k)
   *   t2  R: cache.put(k, "v1")           <- stale until the entry expires
   *
   * is closed by GuardedCache's per-key stamp: invalidateAfterWrite moves it, and R's put at t2
   * is skipped because the stamp moved since R's load began (the whole argument is in
   * GuardedCache's essay). Worked example: CacheAsideTest
   * .aLoadThatOverlapsAnInvalidationAfterWriteIsNotCached parks a load after it read "v1",
   * commits "v2" and invalidates, releases the load: the caller gets "v1", the cache stays empty,
   * the next get returns "v2". What the stamp cannot do is order an invalidation that came
   * before the commit (CacheAsideTest.invalidatingBeforeTheCommitLeavesTheOldValueCached).
   *
   * Alternatives. StoreBackedCache with WRITE_AROUND is the same pattern with the store behind a
   * DataStore and the write serialized with the invalidation; choose CacheAside when the writes
   * live in application code (transactions spanning several tables) that cannot be a DataStore.
   * Deleting the key a second time after a delay ("double delete") narrows the race without
   * closing it; leases [1] close it across processes, which this in-process stamp does not.
   *
   * References.
   *  [1] R. Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013, section 3.2.1 (leases),
   *      https://www.usenix.org/conference/nsdi13/technical-sessions/presentation/nishtala
   */

  private final GuardedCache<K, V> engine;

  private CacheAside(GuardedCache<K, V> engine) {
    this.engine = engine;
  }

  /**
   * Creates a helper over a new cache built from {@code cacheSettings}.
   *
   * @param cacheSettings the cache's settings (maximum size required; a time-to-live advised)
   * @param <K> the key type
   * @param <V> the value type
   * @return a new helper with an empty cache
   * @throws NullPointerException if {@code cacheSettings} is null
   * @throws IllegalStateException if the settings lack a maximum size
   */
  public static <K, V> CacheAside<K, V> create(CacheBuilder cacheSettings) {
    Objects.requireNonNull(cacheSettings, "cacheSettings");
    return new CacheAside<>(new GuardedCache<>(cacheSettings, 0));
  }

  /**
   * Returns the cached value for {@code key}, or reads it with {@code source} and caches it.
   *
   * @param key the key
   * @param source reads the key from the system of record; returns null if there is none (nothing
   *     is cached then)
   * @return the value, or null if {@code source} returned null
   * @throws NullPointerException if {@code key} or {@code source} is null
   * @throws RuntimeException whatever {@code source} threw (concurrent callers of the same key
   *     receive it too); nothing is cached then
   */
  public V get(K key, Function<? super K, ? extends V> source) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(source, "source");
    return engine.read(key, source);
  }

  /**
   * Drops the cached entry for {@code key} and keeps any load of it in flight from caching what it
   * read. Call it after the write of {@code key} has committed.
   *
   * @param key the key written
   * @throws NullPointerException if {@code key} is null
   */
  public void invalidateAfterWrite(K key) {
    Objects.requireNonNull(key, "key");
    engine.invalidate(key);
  }

  /**
   * Returns the cache's counters.
   *
   * @return an immutable snapshot
   */
  public CacheStats stats() {
    return engine.stats();
  }

  /** The cached value without counting a hit or miss (tests). */
  V peek(K key) {
    Slot<V> slot = engine.peek(key);
    return slot == null ? null : slot.value();
  }
}
