package dev.sysblocks.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@link DataStore} for write-behind tests: an in-memory map that logs every write it applies, in
 * order, and can fail on demand. {@code writeAll} is one call and atomic (a transactional batch).
 *
 * <ul>
 *   <li>{@link #down}: every write call throws {@link StoreDownException} (loads still work);
 *   <li>{@link #failEvery}: write calls k, 2k, 3k ... throw;
 *   <li>{@link #failAfterApplying}: a failing call applies its writes first, then throws (a
 *       timed-out commit);
 *   <li>{@link #rejectKey}: a call touching such a key throws {@link IllegalArgumentException};
 *   <li>{@link #gate}: runs at the start of every write call, on the calling thread (to block it).
 * </ul>
 */
final class WriteLogStore<K, V> implements DataStore<K, V> {

  /** One applied write; {@code value} null for a delete. */
  record Applied<K, V>(K key, V value) {}

  private final Map<K, V> map = new HashMap<>(); // guarded by this
  private final List<Applied<K, V>> applied = new ArrayList<>(); // guarded by this
  private final List<Integer> writeAllSizes = new ArrayList<>(); // guarded by this
  final AtomicInteger writeCalls = new AtomicInteger();
  final AtomicInteger loads = new AtomicInteger();
  volatile boolean down;
  volatile int failEvery;
  volatile boolean failAfterApplying;
  volatile Predicate<K> rejectKey = k -> false;
  volatile Runnable gate = () -> {};

  @Override
  public synchronized V load(K key) {
    Objects.requireNonNull(key, "key");
    loads.incrementAndGet();
    return map.get(key);
  }

  @Override
  public void write(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    writeAll(Map.of(key, value));
  }

  @Override
  public void writeAll(Map<? extends K, ? extends V> entries) {
    Objects.requireNonNull(entries, "entries");
    gate.run();
    RuntimeException failure = failure(entries.keySet());
    if (failure != null && !failAfterApplying) {
      throw failure;
    }
    synchronized (this) {
      writeAllSizes.add(entries.size());
      for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
        map.put(e.getKey(), e.getValue());
        applied.add(new Applied<>(e.getKey(), e.getValue()));
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    gate.run();
    RuntimeException failure = failure(List.of(key));
    if (failure != null && !failAfterApplying) {
      throw failure;
    }
    synchronized (this) {
      map.remove(key);
      applied.add(new Applied<>(key, null));
    }
    if (failure != null) {
      throw failure;
    }
  }

  private RuntimeException failure(Iterable<? extends K> keys) {
    int call = writeCalls.incrementAndGet();
    for (K key : keys) {
      if (rejectKey.test(key)) {
        return new IllegalArgumentException("rejected " + key);
      }
    }
    int k = failEvery;
    if (down || (k > 0 && call % k == 0)) {
      return new StoreDownException("write call " + call + " failed");
    }
    return null;
  }

  /** Seeds the store without logging or failing, as if written before the test. */
  synchronized void preload(K key, V value) {
    map.put(key, value);
  }

  synchronized Map<K, V> snapshot() {
    return new HashMap<>(map);
  }

  synchronized List<Applied<K, V>> applied() {
    return new ArrayList<>(applied);
  }

  /** The applied writes of one key, in order ({@code null} for a delete). */
  synchronized List<V> appliedTo(K key) {
    List<V> values = new ArrayList<>();
    for (Applied<K, V> a : applied) {
      if (a.key().equals(key)) {
        values.add(a.value());
      }
    }
    return Collections.unmodifiableList(values);
  }

  synchronized List<Integer> writeAllSizes() {
    return new ArrayList<>(writeAllSizes);
  }

  /** What a failing call throws. */
  static final class StoreDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreDownException(String message) {
      super(message);
    }
  }
}
