package dev.sysblocks.scheduler;

import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Where pending jobs wait: the storage SPI of the scheduler. The default, {@link #inMemory()},
 * keeps a heap of delayed entries and a FIFO queue per priority; a database-backed store shared by
 * several JVMs can implement the same four methods (and override {@link #purge} with something
 * better than its default).
 *
 * <p><b>Contract.</b> The scheduler calls a store from one thread at a time (under its own lock),
 * so a store need not be thread-safe. A store may keep entries the scheduler has since given up on
 * (a cancelled job's entry): the scheduler ignores such entries when they come back from {@link
 * #poll} or {@link #drain}, so removal can be lazy; once they may outnumber the live entries, the
 * scheduler removes them in one pass with {@link #purge}. A store must never lose or duplicate an
 * entry. Once it has handed an entry back ({@link #poll}, {@link #drain}, or removed it in {@link
 * #purge}) it must keep no reference to it: the scheduler adds the same object again, with new
 * numbers, for a retry or a recurring job's next occurrence.
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
   * Removes every entry that {@code stale} accepts, in one pass, and keeps the others in their
   * order and eligibility. The scheduler calls it with a predicate that recognises entries it has
   * given up on (cancelled jobs), only when such entries may be half of those held, so a linear
   * pass costs O(1) per cancellation, amortized.
   *
   * <p>The default drains the store and adds back the entries to keep, O(n log n) for a heap; if
   * {@code stale} throws, the entries not yet tested are added back and the exception is rethrown.
   * A store that can filter in place should override it.
   *
   * @param stale accepts the entries to remove; not null
   * @return how many entries were removed
   */
  default int purge(Predicate<PendingJob> stale) {
    List<PendingJob> entries = drain();
    int removed = 0;
    for (int i = 0; i < entries.size(); i++) {
      PendingJob e = entries.get(i);
      boolean drop;
      try {
        drop = stale.test(e);
      } catch (RuntimeException failure) {
        for (int j = i; j < entries.size(); j++) {
          add(entries.get(j));
        }
        throw failure;
      }
      if (drop) {
        removed++;
      } else {
        add(e);
      }
    }
    return removed;
  }

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
