package dev.sysblocks.cache;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link InMemoryDataStore} with hooks for tests: counts calls, runs a hook before each load and
 * each write (to gate, delay or fail it), and can fail every k-th call before applying it.
 */
final class InstrumentedStore<K, V> implements DataStore<K, V> {

  /** Runs before a call reaches the map; may block, spin or throw. */
  interface Hook<K> {
    void before(K key);
  }

  final InMemoryDataStore<K, V> backing = InMemoryDataStore.create();
  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger calls = new AtomicInteger();
  volatile Hook<K> beforeLoad = k -> {};
  volatile Hook<K> afterLoadRead = k -> {}; // the value is read; the load has not returned yet
  volatile Hook<K> beforeWrite = k -> {};
  volatile Hook<K> afterWrite = k -> {}; // the write is applied; the call has not returned yet
  volatile int failEvery; // 0: never; k: calls k, 2k, 3k ... throw before being applied

  @Override
  public V load(K key) {
    maybeFail("load", key);
    loads.incrementAndGet();
    beforeLoad.before(key);
    V value = backing.load(key);
    afterLoadRead.before(key);
    return value;
  }

  @Override
  public void write(K key, V value) {
    maybeFail("write", key);
    writes.incrementAndGet();
    beforeWrite.before(key);
    backing.write(key, value);
    afterWrite.before(key);
  }

  @Override
  public void delete(K key) {
    maybeFail("delete", key);
    writes.incrementAndGet();
    beforeWrite.before(key);
    backing.delete(key);
    afterWrite.before(key);
  }

  Map<K, V> snapshot() {
    return backing.snapshot();
  }

  private void maybeFail(String call, K key) {
    int n = calls.incrementAndGet();
    int k = failEvery;
    if (k > 0 && n % k == 0) {
      throw new StoreDownException(call + " " + key + " failed (call " + n + ")");
    }
  }

  /** What a failing call throws. */
  static final class StoreDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreDownException(String message) {
      super(message);
    }
  }
}
