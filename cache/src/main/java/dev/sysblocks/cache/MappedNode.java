package dev.sysblocks.cache;

import java.util.concurrent.ConcurrentMap;

/**
 * The part of a cache entry that the buffered caches ({@link LruCache}, {@link SieveCache}, {@link
 * S3FifoCache}) share: key, value, write time, and the protocol that lets a put update a present
 * entry in place without ever writing into an entry that has left the map.
 *
 * <p>Protocol: an entry leaves the map only through {@link #retireFrom}, which removes it and marks
 * it retired under the entry's monitor; {@link #updateIfLive} writes a new value under the same
 * monitor and refuses a retired entry, so the caller looks the key up again. Lock order: the
 * entry's monitor, then the map's bin lock inside {@code remove}; nothing takes them the other way
 * round. Caffeine's nodes follow the same scheme.
 */
abstract class MappedNode<K, V> {
  final K key;
  volatile V value;

  /** Ticker reading of the last write; plain, published by the volatile write of value. */
  long writeNanos;

  /** Set once, under the node's monitor, as it leaves the map; it never returns to it. */
  volatile boolean retired;

  MappedNode(K key, V value, long writeNanos) {
    this.key = key;
    this.value = value;
    this.writeNanos = writeNanos;
  }

  /**
   * Takes this node out of {@code map} and marks it retired: the only way a node leaves the map.
   *
   * @return true if this call removed it; false if it had already left the map
   */
  final boolean retireFrom(ConcurrentMap<K, ?> map) {
    synchronized (this) {
      if (retired || !map.remove(key, this)) {
        return false;
      }
      retired = true;
      return true;
    }
  }

  /**
   * Replaces the value in place, unless the node has been retired.
   *
   * @return false if the node has left the map: look the key up again
   */
  final boolean updateIfLive(V newValue, long nowNanos) {
    synchronized (this) {
      if (retired) {
        return false;
      }
      writeNanos = nowNanos; // before the volatile write of value, which publishes it
      value = newValue;
      return true;
    }
  }
}
