package dev.sysblocks.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * The one way to create a {@link StoreBackedCache}: a store, the settings of the cache in front of
 * it, and optional behaviours.
 *
 * <pre>{@code
 * StoreBackedCache<Long, Order> orders =
 *     StoreBackedCacheBuilder.newBuilder(orderStore,
 *             CacheBuilder.newBuilder().maximumSize(50_000).expireAfterWrite(Duration.ofMinutes(10)))
 *         .negativeCaching(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
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
   * @throws IllegalStateException if already set
   */
  public StoreBackedCacheBuilder<K, V> writeStrategy(WriteStrategy writeStrategy) {
    Objects.requireNonNull(writeStrategy, "writeStrategy");
    if (this.writeStrategy != null) {
      throw new IllegalStateException("writeStrategy already set: " + this.writeStrategy);
    }
    this.writeStrategy = writeStrategy;
    return this;
  }

  /**
   * Builds a new, empty cache over the store.
   *
   * @return a new store-backed cache
   * @throws IllegalStateException if the cache settings lack a maximum size
   */
  public StoreBackedCache<K, V> build() {
    long negativeNanos = negativeTtl == null ? 0 : saturatedNanos(negativeTtl);
    WriteStrategy writes = writeStrategy == null ? WriteStrategy.WRITE_THROUGH : writeStrategy;
    return new StrategyCache<>(store, new GuardedCache<>(cacheSettings, negativeNanos), writes);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
