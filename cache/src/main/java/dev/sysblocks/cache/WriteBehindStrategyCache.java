package dev.sysblocks.cache;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@link WriteBehindCache} over a {@link GuardedCache} and a {@link WriteBehindQueue}: writes are
 * queued under the key's guard (so the cache and the queue see a key's writes in the same order),
 * and loads read a pending write before the store.
 */
final class WriteBehindStrategyCache<K, V> implements WriteBehindCache<K, V> {

  private final DataStore<K, V> store;
  private final Function<K, V> loadPendingOrStored; // one method reference, not one per get
  final GuardedCache<K, V> engine;
  final WriteBehindQueue<K, V> queue;

  WriteBehindStrategyCache(
      DataStore<K, V> store, GuardedCache<K, V> engine, WriteBehindQueue<K, V> queue) {
    this.store = store;
    this.engine = engine;
    this.queue = queue;
    this.loadPendingOrStored = this::pendingOrStored;
  }

  /**
   * The source of every load: a write still queued wins over the store, so an entry evicted before
   * its write was flushed never reloads the value the write replaced. The load's stamp check in
   * GuardedCache covers a write that lands while this runs; the queue forgets a version only after
   * the store call that wrote it returned, so finding none means the store is at least as new.
   */
  private V pendingOrStored(K key) {
    WriteBehindQueue.Version<K, V> pending = queue.pending(key);
    return pending != null ? pending.value() : store.load(key);
  }

  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    return engine.read(key, loadPendingOrStored);
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    write(key, value);
  }

  @Override
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    write(key, null);
  }

  /**
   * Waits for room without holding the key's guard, then queues and caches under it; if another
   * writer took the room in between, waits again (within the same deadline).
   */
  private void write(K key, V valueOrNull) {
    long deadline = queue.writeDeadline();
    while (true) {
      queue.awaitRoom(key, deadline);
      if (engine.tryWrite(key, () -> queue.offer(key, valueOrNull), valueOrNull)) {
        return;
      }
    }
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

  @Override
  public WriteBehindStats writeBehindStats() {
    return queue.stats();
  }

  @Override
  public void flush(Duration timeout) throws TimeoutException, InterruptedException {
    WriteBehindBuilder.checkPositive(timeout, "timeout");
    queue.flush(WriteBehindBuilder.nanos(timeout));
  }

  @Override
  public List<PendingWrite<K, V>> close(Duration timeout) throws InterruptedException {
    WriteBehindBuilder.checkPositive(timeout, "timeout");
    return queue.close(WriteBehindBuilder.nanos(timeout));
  }
}
