package dev.sysblocks.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The system of record behind a cache: a database table, a remote service, a file. The cache
 * strategies of this package read misses from it and send writes to it.
 *
 * <pre>{@code
 * DataStore<String, User> users = InMemoryDataStore.create(); // or a JDBC store
 * users.write("ada", new User("ada"));
 * User ada = users.load("ada");
 * }</pre>
 *
 * <p><b>Contract</b> (checked by every implementation's run of {@code DataStoreContractTest}). Keys
 * and values are never null; every method throws {@link NullPointerException} naming the parameter
 * for a null argument. {@link #load} returns null for an absent key. A {@link #write} that returns
 * has been applied: a later {@code load} of that key on any thread sees it (or a later write). A
 * method that throws may or may not have been applied (a timed-out database call may have
 * committed); callers that need to know must read back. Implementations must be thread-safe. The
 * bulk methods default to one call per key; stores with a batch query should override them.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface DataStore<K, V> {

  /**
   * Returns the value stored for {@code key}, or null if there is none.
   *
   * @param key the key
   * @return the stored value, or null
   * @throws NullPointerException if {@code key} is null
   * @throws RuntimeException if the store cannot be read
   */
  V load(K key);

  /**
   * Returns the values stored for {@code keys}; absent keys are left out of the result.
   *
   * @param keys the keys
   * @return a new map of the keys that have a value
   * @throws NullPointerException if {@code keys} or any key is null
   * @throws RuntimeException if the store cannot be read
   */
  default Map<K, V> loadAll(Set<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    Map<K, V> found = new LinkedHashMap<>();
    for (K key : keys) {
      V value = load(Objects.requireNonNull(key, "key"));
      if (value != null) {
        found.put(key, value);
      }
    }
    return found;
  }

  /**
   * Stores {@code value} for {@code key}, replacing any previous value (an upsert).
   *
   * @param key the key
   * @param value the value
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws RuntimeException if the write failed; it may or may not have been applied
   */
  void write(K key, V value);

  /**
   * Stores every entry of {@code entries}. The default writes them one by one, so a failure may
   * leave a prefix written; a transactional store should override it to write all or none.
   *
   * @param entries the entries to store
   * @throws NullPointerException if {@code entries}, or any key or value in it, is null
   * @throws RuntimeException if a write failed; some entries may have been applied
   */
  default void writeAll(Map<? extends K, ? extends V> entries) {
    Objects.requireNonNull(entries, "entries");
    for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
      Objects.requireNonNull(e.getKey(), "key");
      Objects.requireNonNull(e.getValue(), "value");
    }
    for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
      write(e.getKey(), e.getValue());
    }
  }

  /**
   * Removes the value stored for {@code key}; does nothing if there is none.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   * @throws RuntimeException if the delete failed; it may or may not have been applied
   */
  void delete(K key);
}
