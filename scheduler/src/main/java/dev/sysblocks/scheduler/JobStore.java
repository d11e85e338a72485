package dev.sysblocks.scheduler;

import java.util.List;
import java.util.OptionalLong;

/**
 * Where pending jobs wait: the storage SPI of the scheduler. The default, {@link #inMemory()},
 * keeps a heap of delayed entries and a FIFO queue per priority; a database-backed store shared by
 * several JVMs can implement the same four methods.
 *
 * <p><b>Contract.</b> The scheduler calls a store from one thread at a time (under its own lock),
 * so a store need not be thread-safe. A store may keep entries the scheduler has since given up on
 * (a cancelled job's entry): the scheduler ignores such entries when they come back from {@link
 * #poll} or {@link #drain}, so removal can be lazy. A store must never lose or duplicate an entry.
 */
public interface JobStore {

  /**
   * Adds an entry.
   *
   * @param job the entry; not null
   */
  void add(PendingJob job);

  /**
   * Adds an entry, knowing the scheduler's current reading: an entry already eligible at {@code
   * nowNanos} (every job submitted without a delay) can go straight where {@link #poll} looks,
   * without passing through the store's delayed structure. The default ignores the reading.
   *
   * @param job the entry; not null
   * @param nowNanos the scheduler ticker's current reading
   */
  default void add(PendingJob job, long nowNanos) {
    add(job);
  }

  /**
   * Removes and returns the eligible entry ({@code runAtNanos - nowNanos <= 0}) with the smallest
   * {@link PendingJob#dispatchKey()}, ties broken by the smallest {@link PendingJob#sequence()}.
   *
   * @param nowNanos the scheduler ticker's current reading
   * @return that entry, or null if no entry is eligible
   */
  PendingJob poll(long nowNanos);

  /**
   * Returns the earliest run-at reading among entries not yet eligible at {@code nowNanos}, so the
   * scheduler knows how long it may wait.
   *
   * @param nowNanos the scheduler ticker's current reading
   * @return that reading, or empty if every entry is eligible or the store is empty
   */
  OptionalLong nextRunAtNanos(long nowNanos);

  /**
   * Removes and returns every entry, in any order.
   *
   * @return the entries; the store is empty afterwards
   */
  List<PendingJob> drain();

  /**
   * Returns a new in-memory store: a heap of delayed entries by run-at time, O(log n), and a FIFO
   * queue per priority for eligible ones, O(1) per operation for the scheduler's keys.
   *
   * @return a new, empty store
   */
  static JobStore inMemory() {
    return new InMemoryJobStore();
  }
}
