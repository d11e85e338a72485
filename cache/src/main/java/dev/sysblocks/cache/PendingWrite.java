package dev.sysblocks.cache;

import java.util.Objects;

/**
 * A write that a {@link WriteBehindCache} acknowledged but did not get into the store: handed to a
 * {@link DeadLetterHandler} when its retries ran out, and returned by {@link
 * WriteBehindCache#close(java.time.Duration)} when the close deadline passed first.
 *
 * <pre>{@code
 * for (PendingWrite<String, User> w : users.close(Duration.ofSeconds(30))) {
 *   replayLog.append(w.key(), w.isDelete() ? null : w.value());
 * }
 * }</pre>
 *
 * @param key the key written
 * @param value the value to store, or null for a delete
 * @param <K> the key type
 * @param <V> the value type
 */
public record PendingWrite<K, V>(K key, V value) {

  /**
   * Checks the key.
   *
   * @param key the key written
   * @param value the value to store, or null for a delete
   * @throws NullPointerException if {@code key} is null
   */
  public PendingWrite {
    Objects.requireNonNull(key, "key");
  }

  /**
   * Returns whether this write deletes the key rather than storing a value.
   *
   * @return true for a delete (a null {@link #value()})
   */
  public boolean isDelete() {
    return value == null;
  }
}
