package dev.sysblocks.cache;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The one way to create a {@link StoreBackedCache}: a store, the settings of the cache in front of
 * it, and optional behaviours.
 *
 * <pre>{@code
 * CacheBuilder settings =
 *     CacheBuilder.newBuilder().maximumSize(50_000).expireAfterWrite(Duration.ofMinutes(10));
 * StoreBackedCache<Long, Order> orders =
 *     StoreBackedCacheBuilder.newBuilder(orderStore, settings)
 *         .negativeCaching(Duration.ofSeconds(5))
 *         .refreshAhead(Duration.ofMinutes(1), refreshPool) // reload hot entries from 9 min
 *         .build();
 * }</pre>
 *
 * <p>{@link #writeBehind()} switches to write-behind and returns the builder of a {@link
 * WriteBehindCache} instead.
 *
 * <p>The cache is built from the given {@link CacheBuilder} when {@link #build()} is called; its
 * ticker also times negative entries. Each setting may be made once; a second call throws {@link
 * IllegalStateException}. Not thread-safe; the caches it builds are.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class StoreBackedCacheBuilder<K, V> {

  private final DataStore<K, V> store;
  private final CacheBuilder cacheSettings;
  private Duration negativeTtl;
  private WriteStrategy writeStrategy;
  private Duration refreshWindow;
  private Executor refresher;
  private boolean writeBehind; // writeBehind() was called: its builder builds the cache

  private StoreBackedCacheBuilder(DataStore<K, V> store, CacheBuilder cacheSettings) {
    this.store = store;
    this.cacheSettings = cacheSettings;
  }

  /**
   * Starts a builder for a cache over {@code store}.
   *
   * @param store the system of record
   * @param cacheSettings the settings of the cache in front of it (maximum size, policy,
   *     time-to-live, ticker)
   * @param <K> the key type
   * @param <V> the value type
   * @return a new builder
   * @throws NullPointerException if {@code store} or {@code cacheSettings} is null
   */
  public static <K, V> StoreBackedCacheBuilder<K, V> newBuilder(
      DataStore<K, V> store, CacheBuilder cacheSettings) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(cacheSettings, "cacheSettings");
    return new StoreBackedCacheBuilder<>(store, cacheSettings);
  }

  /**
   * Remembers keys the store does not have, for {@code timeToLive} (measured with the cache's
   * ticker, and never longer than the cache's own time-to-live). Without this setting every lookup
   * of an absent key reaches the store (single-flight still merges concurrent ones).
   *
   * @param timeToLive how long an absent key is remembered, positive
   * @return this builder
   * @throws NullPointerException if {@code timeToLive} is null
   * @throws IllegalArgumentException if {@code timeToLive} is zero or negative
   * @throws IllegalStateException if already set
   */
  public StoreBackedCacheBuilder<K, V> negativeCaching(Duration timeToLive) {
    Objects.requireNonNull(timeToLive, "timeToLive");
    if (negativeTtl != null) {
      throw new IllegalStateException("negativeCaching already set: " + negativeTtl);
    }
    if (timeToLive.isNegative() || timeToLive.isZero()) {
      throw new IllegalArgumentException("timeToLive must be positive: " + timeToLive);
    }
    negativeTtl = timeToLive;
    return this;
  }

  /**
   * Sets what a write does with the cache once the store has accepted it (default {@link
   * WriteStrategy#WRITE_THROUGH}).
   *
   * @param writeStrategy cache the written value, or drop the cached entry
   * @return this builder
   * @throws NullPointerException if {@code writeStrategy} is null
   * @throws IllegalStateException if already set, or if {@link #writeBehind()} was called
   */
  public StoreBackedCacheBuilder<K, V> writeStrategy(WriteStrategy writeStrategy) {
    Objects.requireNonNull(writeStrategy, "writeStrategy");
    if (this.writeStrategy != null) {
      throw new IllegalStateException("writeStrategy already set: " + this.writeStrategy);
    }
    if (writeBehind) {
      throw new IllegalStateException(
          "writeBehind() already chosen; writes cannot also be " + writeStrategy);
    }
    this.writeStrategy = writeStrategy;
    return this;
  }

  /**
   * Reloads entries in the background when they are read within {@code window} of their expiry,
   * serving the old value meanwhile (refresh-ahead). Needs the cache settings' {@link
   * CacheBuilder#expireAfterWrite time-to-live}; {@code window} must be shorter than it. At most
   * one refresh per key runs at a time. A refresh that fails, or that {@code executor} rejects,
   * keeps the old value until it expires; a write that overlaps a refresh wins over it.
   *
   * @param window how long before expiry a read starts a refresh, positive
   * @param executor runs the refreshes (the store's loads); tests pass one they run by hand
   * @return this builder
   * @throws NullPointerException if {@code window} or {@code executor} is null
   * @throws IllegalArgumentException if {@code window} is zero or negative
   * @throws IllegalStateException if already set
   */
  public StoreBackedCacheBuilder<K, V> refreshAhead(Duration window, Executor executor) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(executor, "executor");
    if (refreshWindow != null) {
      throw new IllegalStateException("refreshAhead already set: " + refreshWindow);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    refreshWindow = window;
    refresher = executor;
    return this;
  }

  /**
   * Switches to write-behind: writes are cached and queued, and the store is written later in
   * batches. The returned builder carries this one's settings (store, cache settings, negative
   * caching, refresh-ahead) and builds a {@link WriteBehindCache}; this builder's {@link #build()}
   * may no longer be used.
   *
   * <pre>{@code
   * WriteBehindCache<String, User> users =
   *     StoreBackedCacheBuilder.newBuilder(userTable, CacheBuilder.newBuilder().maximumSize(10_000))
   *         .writeBehind()
   *         .batchSize(500)
   *         .build();
   * }</pre>
   *
   * @return the write-behind settings, each with a default
   * @throws IllegalStateException if already called, or if {@link #writeStrategy} was set
   */
  public WriteBehindBuilder<K, V> writeBehind() {
    if (writeBehind) {
      throw new IllegalStateException("writeBehind() already called");
    }
    if (writeStrategy != null) {
      throw new IllegalStateException(
          "writeStrategy already set to " + writeStrategy + "; writes cannot also be behind");
    }
    writeBehind = true;
    return new WriteBehindBuilder<>(this);
  }

  /**
   * Builds a new, empty cache over the store.
   *
   * @return a new store-backed cache
   * @throws IllegalStateException if the cache settings lack a maximum size, or refresh-ahead is
   *     set and they lack a time-to-live, or {@link #writeBehind()} was called (build with the
   *     builder it returned)
   * @throws IllegalArgumentException if the refresh window is not shorter than the time-to-live
   */
  public StoreBackedCache<K, V> build() {
    if (writeBehind) {
      throw new IllegalStateException(
          "writeBehind() was called: build the cache with the WriteBehindBuilder it returned");
    }
    WriteStrategy writes = writeStrategy == null ? WriteStrategy.WRITE_THROUGH : writeStrategy;
    return new StrategyCache<>(store, buildEngine(), writes);
  }

  /** The cache engine with this builder's settings (shared by both build paths). */
  GuardedCache<K, V> buildEngine() {
    long negativeNanos = negativeTtl == null ? 0 : saturatedNanos(negativeTtl);
    long refreshAfter = GuardedCache.NO_REFRESH;
    if (refreshWindow != null) {
      long ttl = cacheSettings.timeToLiveNanos();
      if (ttl == 0) {
        throw new IllegalStateException(
            "refreshAhead needs the cache settings' expireAfterWrite (entries that never expire"
                + " need no refresh)");
      }
      long window = saturatedNanos(refreshWindow);
      if (window >= ttl) {
        throw new IllegalArgumentException(
            "window must be shorter than the time-to-live: "
                + refreshWindow
                + " >= "
                + Duration.ofNanos(ttl));
      }
      refreshAfter = ttl - window;
    }
    return new GuardedCache<>(cacheSettings, negativeNanos, refreshAfter, refresher);
  }

  DataStore<K, V> store() {
    return store;
  }

  CacheBuilder cacheSettings() {
    return cacheSettings;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
