package dev.sysblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link DataStore} held in a {@link ConcurrentHashMap}: for tests, demos and as the reference
 * implementation of the contract. It never fails and never blocks; wrap it to inject faults or
 * delays.
 *
 * <pre>{@code
 * InMemoryDataStore<String, String> store = InMemoryDataStore.create();
 * store.write("k", "v");
 * Map<String, String> contents = store.snapshot(); // {k=v}
 * }</pre>
 *
 * <p>Thread-safe; each method is atomic. {@link #writeAll} is not atomic as a whole: a concurrent
 * reader may see some of its entries before the others.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class InMemoryDataStore<K, V> implements DataStore<K, V> {

  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();

  private InMemoryDataStore() {}

  /**
   * Creates an empty store.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return a new, empty store
   */
  public static <K, V> InMemoryDataStore<K, V> create() {
    return new InMemoryDataStore<>();
  }

  @Override
  public V load(K key) {
    return map.get(Objects.requireNonNull(key, "key"));
  }

  @Override
  public void write(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    map.put(key, value);
  }

  @Override
  public void delete(K key) {
    map.remove(Objects.requireNonNull(key, "key"));
  }

  /**
   * Returns a copy of the contents (not a consistent snapshot under concurrent writes).
   *
   * @return a new map of every stored entry
   */
  public Map<K, V> snapshot() {
    return new HashMap<>(map);
  }
}
