package dev.sysblocks.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A cache in front of a {@link DataStore} that writes the store later, in batches (write-behind):
 * {@link #put} and {@link #delete} update the cache, queue the write and return; a flusher sends
 * the queue to the store. Instances come from {@link StoreBackedCacheBuilder#writeBehind()}.
 *
 * <pre>{@code
 * WriteBehindCache<String, User> users =
 *     StoreBackedCacheBuilder.newBuilder(userTable, CacheBuilder.newBuilder().maximumSize(10_000))
 *         .writeBehind()
 *         .batchSize(500)
 *         .maxWriteDelay(Duration.ofMillis(200))
 *         .deadLetterHandler((writes, cause) -> replayLog.append(writes))
 *         .build();
 * users.put("ada", ada);                            // returns before the store is written
 * users.close(Duration.ofSeconds(30));              // at shutdown: drain the queue
 * }</pre>
 *
 * <p><b>Why.</b> A write costs the caller a map update instead of a database round trip, and the
 * database sees one {@code writeAll} of up to {@code batchSize} keys instead of one statement per
 * write; a key written 100 times between two flushes is stored once. The price is durability: an
 * acknowledged write lives only in this JVM's memory until it is flushed.
 *
 * <p><b>What a reader can see.</b> Through this cache, every acknowledged write at once
 * (read-your-writes): a pending value is served even after the cache evicts its entry, and a
 * pending delete reads as absent; the store is never asked for a key with a write pending. Readers
 * of the store itself (other processes, reports, {@link DataStore#load}) see a write only once its
 * batch is stored: typically within {@link WriteBehindBuilder#maxWriteDelay} plus the store's
 * latency, and later while the store fails. A write that was dead-lettered is no longer served from
 * the queue: the next miss reads whatever the store holds.
 *
 * <p><b>Ordering and coalescing.</b> Writes of one key reach the store in the order they were
 * acknowledged, and an older value never overwrites a newer one there: at most one write of a key
 * is in flight, a newer write of that key waits for it, and a write that fails is retried only if
 * no newer one has replaced it. Writes of a key that wait together are merged into the newest (a
 * put followed by a delete becomes the delete). There is no order between keys: a retried key may
 * land after keys acknowledged later. Batches send puts with {@link DataStore#writeAll} and deletes
 * with {@link DataStore#delete}.
 *
 * <p><b>Failures.</b> A failed batch is retried with exponential backoff and full jitter up to the
 * configured number of attempts; only then (or at once for an error the retry predicate rejects)
 * are its writes handed to the {@link DeadLetterHandler}, newest value per key. A store call that
 * threw may or may not have been applied; retrying upserts and deletes is harmless. When the queue
 * is full a writer blocks up to {@link WriteBehindBuilder#blockWhenFull} and then gets a {@link
 * WriteQueueFullException}: that write was not acknowledged and the cache did not change.
 *
 * <p><b>What a crash loses.</b> Everything in the queue: every write acknowledged and not yet
 * stored, up to {@link WriteBehindStats#queueDepth()} writes (at most {@code maxQueueSize}), which
 * in a healthy system are the last {@code maxWriteDelay} or so of writes and, while the store is
 * down, everything since it went down. A batch in flight at the crash may be partly applied. A JVM
 * that exits without {@link #close} loses the queue the same way (the flusher is a daemon thread).
 * If a write must survive a crash, use {@link WriteStrategy#WRITE_THROUGH}, or make it durable
 * elsewhere (a log, an outbox table) before calling {@code put}.
 *
 * <p><b>Shutdown.</b> {@link #flush} waits until every write acknowledged before it has been stored
 * (or dead-lettered); {@link #close} stops accepting writes, drains the queue until a deadline and
 * hands whatever is left to the dead-letter handler, so nothing acknowledged is silently lost.
 *
 * <p><b>How others compare.</b> Ehcache 3's batching write-behind logs a failed batch, drops it and
 * evicts its keys from the cache: the writes are gone and the next read loads the old value.
 * Caffeine's write-behind example buffers writes for a fixed time in an unbounded RxJava buffer
 * with no retry and no deletes; a failing write action reaches RxJava's global error handler, which
 * logs it, and the batch is gone. Hazelcast's write-behind map store puts failed entries back at
 * the head of the queue and retries on every one-second run without a limit, beyond the queue's
 * capacity and without a dead letter: a store that never recovers holds the writes (and memory)
 * forever. This class bounds each of those: a retry budget, a dead letter after it, a queue bound
 * with back-pressure, and a close deadline.
 *
 * <p>Thread-safe. Writes of different keys do not wait for each other except for room in the queue.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface WriteBehindCache<K, V> extends StoreBackedCache<K, V> {

  /**
   * Returns the value for {@code key}: from the cache, else a write of the key still pending in the
   * queue, else loaded from the store.
   *
   * @param key the key
   * @return the value, or null if the key is absent or its pending write is a delete
   * @throws NullPointerException if {@code key} is null
   * @throws RuntimeException whatever the store's load threw; nothing is cached then
   */
  @Override
  V get(K key);

  /**
   * Caches {@code value} and queues its write to the store; returns once both are done (the write
   * is then <em>acknowledged</em>). Blocks while the queue is full, up to {@link
   * WriteBehindBuilder#blockWhenFull}; a write of a key that already waits in the queue replaces it
   * and needs no room.
   *
   * @param key the key
   * @param value the value
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws WriteQueueFullException if the queue stayed full for the whole timeout, or the thread
   *     was interrupted while waiting (its interrupt status is then set); the write was not
   *     acknowledged and the cache is unchanged
   * @throws IllegalStateException if the cache is closed
   */
  @Override
  void put(K key, V value);

  /**
   * Drops the cached entry and queues a delete of {@code key} (a tombstone that reads as absent
   * until it is stored); blocks while the queue is full, like {@link #put}.
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   * @throws WriteQueueFullException as for {@link #put}; the delete was not acknowledged
   * @throws IllegalStateException if the cache is closed
   */
  @Override
  void delete(K key);

  /**
   * Drops the cached entry for {@code key} and keeps a load of it in flight from caching what it
   * read; the store is untouched and a write of the key still queued stays queued (the next read
   * returns it).
   *
   * @param key the key
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  void invalidate(K key);

  /**
   * Writes out every write acknowledged before this call, and returns when each has reached the
   * store (or been replaced there by a later write of its key) or been handed to the dead-letter
   * handler. Writes acknowledged during the call are flushed in their own time. Retries keep their
   * backoff: with the store down this waits for the retry budget or the timeout, whichever ends
   * first.
   *
   * @param timeout how long to wait, positive
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   * @throws TimeoutException if some of those writes were neither stored nor dead-lettered in time;
   *     they stay queued
   * @throws InterruptedException if the thread was interrupted while waiting; the writes stay
   *     queued
   */
  void flush(Duration timeout) throws TimeoutException, InterruptedException;

  /**
   * Stops accepting writes, drains the queue until {@code timeout} has passed, then hands every
   * write still unwritten to the dead-letter handler and returns them. A batch still inside the
   * store at the deadline is handed over too (it may or may not be applied later, like any call
   * that did not return in time). Reads keep working on the cache and the store. Calling it again
   * after it returned does nothing and returns an empty list; concurrent calls wait for the first.
   *
   * @param timeout how long to drain, positive
   * @return the writes that were not stored by the deadline (already passed to the dead-letter
   *     handler), empty if the queue drained
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   * @throws InterruptedException if the thread was interrupted while draining; the cache then stays
   *     closed to writes and keeps draining, and {@code close} may be called again
   */
  List<PendingWrite<K, V>> close(Duration timeout) throws InterruptedException;

  /**
   * Returns the queue's counters: depth, batches, retries, dead letters. Takes no lock.
   *
   * @return an immutable snapshot
   */
  WriteBehindStats writeBehindStats();
}
