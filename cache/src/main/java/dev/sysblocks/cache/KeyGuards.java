package dev.sysblocks.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock and one write counter per key, present only while some thread is using the key.
 *
 * <p>A thread {@linkplain #pin pins} a key before using its guard and {@linkplain #unpin unpins} it
 * after; the guard leaves the map when the last user unpins, so the map holds only keys with an
 * operation in flight (no growth with the key space). All threads that pin a key at overlapping
 * times get the same guard. The pin count changes only inside {@code compute} on the key's bin, a
 * step that runs no user code.
 */
final class KeyGuards<K> {

  /** The per-key state; {@code writes} is read and written only while holding {@code lock}. */
  static final class Guard {
    final ReentrantLock lock = new ReentrantLock();
    private int pins; // changed only inside ConcurrentHashMap.compute on this key's bin
    private long writes;

    /** Returns how many writes (and invalidations) of the key were recorded; hold the lock. */
    long writes() {
      return writes;
    }

    /** Records a write or invalidation: any load that began before it must not be cached. */
    void recordWrite() {
      writes++;
    }

    /** Reads the write count under the lock: the stamp a load compares against when it ends. */
    long stamp() {
      lock.lock();
      try {
        return writes;
      } finally {
        lock.unlock();
      }
    }
  }

  private final ConcurrentHashMap<K, Guard> guards = new ConcurrentHashMap<>();

  /** Returns the key's guard, creating it if no one holds it, and counts this thread as a user. */
  Guard pin(K key) {
    return guards.compute(
        key,
        (k, g) -> {
          Guard guard = g == null ? new Guard() : g;
          guard.pins++;
          return guard;
        });
  }

  /** Stops using the guard; the last user removes it from the map. */
  void unpin(K key) {
    guards.computeIfPresent(key, (k, g) -> --g.pins == 0 ? null : g);
  }

  /** Returns the number of keys with an operation in flight (for tests). */
  int pinnedKeys() {
    return guards.size();
  }
}
