package dev.sysblocks.cache;

import java.util.List;

/**
 * Receives the writes a {@link WriteBehindCache} gave up on: the place to park them for a human or
 * a later replay, so that no acknowledged write disappears without a trace.
 *
 * <p>Called with the newest acknowledged value of each key concerned (never a value that a later
 * write of the same key has replaced), once per group of writes that failed together: a batch whose
 * store call failed on its last allowed attempt, or with an error the retry predicate rejects, and,
 * at {@link WriteBehindCache#close(java.time.Duration) close}, the writes still unwritten at the
 * deadline. Runs on the flushing thread (or the closing thread), outside every lock, so it may
 * block, but the next batch waits for it. An exception it throws is logged through SLF4J and
 * counted in {@link WriteBehindStats#deadLetterHandlerFailures()}; the writes it was given still
 * count as dead-lettered.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface DeadLetterHandler<K, V> {

  /**
   * Handles writes that did not reach the store.
   *
   * @param writes the writes, one per key, in an unmodifiable list
   * @param cause the last store error for them, or a {@link java.util.concurrent.TimeoutException}
   *     for writes the close deadline cut short before any attempt failed
   */
  void deadLettered(List<PendingWrite<K, V>> writes, Throwable cause);
}
