package dev.sysblocks.cache;

import java.util.Objects;
import java.util.function.Function;

/** {@link StoreBackedCache} over a {@link GuardedCache}: the strategies, each a few lines. */
final class StrategyCache<K, V> implements StoreBackedCache<K, V> {

  private final DataStore<K, V> store;
  private final Function<K, V> loadFromStore; // one method reference, not one per get
  private final boolean cacheWrites; // WRITE_THROUGH: cache the value; WRITE_AROUND: drop it
  final GuardedCache<K, V> engine;

  StrategyCache(DataStore<K, V> store, GuardedCache<K, V> engine, WriteStrategy writeStrategy) {
    this.cacheWrites = writeStrategy == WriteStrategy.WRITE_THROUGH;
    this.store = store;
    this.loadFromStore = store::load;
    this.engine = engine;
  }

  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    return engine.read(key, loadFromStore);
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    engine.write(key, () -> store.write(key, value), cacheWrites ? value : null);
  }

  @Override
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    engine.write(key, () -> store.delete(key), null);
  }

  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    engine.invalidate(key);
  }

  @Override
  public CacheStats stats() {
    return engine.stats();
  }
}
