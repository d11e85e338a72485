package dev.sysblocks.scheduler;

/**
 * A job waiting in a {@link JobStore}: the few numbers a store needs to order it.
 *
 * <p>A store orders entries by {@link #runAtNanos()} to decide when they become eligible, and
 * eligible ones by {@link #dispatchKey()}, then {@link #sequence()}, smallest first. The scheduler
 * folds priority and aging into the dispatch key, so a store needs no notion of either: a SQL store
 * can {@code ORDER BY dispatch_key, sequence}.
 *
 * <p>The scheduler's entries are its jobs themselves (a job's handle is a subclass), so queueing a
 * job allocates nothing beyond the job. The numbers change only while no store holds the entry: the
 * scheduler sets them before {@link JobStore#add}, and again only for a retry or the next
 * occurrence of a recurring job, after the store gave the entry back. To a store an entry is
 * therefore immutable. A job's dispatch key is not stored: it is a function of its run-at reading
 * and priority (see {@link JobScheduler}), computed when asked, which keeps eight bytes out of
 * every job (SchedulerSubmitAllocationTest).
 */
public abstract class PendingJob {

  long id; // set once, before the entry is first shared
  long runAtNanos;
  long sequence;

  /**
   * An entry with its numbers set later (the scheduler's jobs). The priority is not a field here: a
   * scheduler's job finds it in its shared options (see Task), a given entry keeps its own.
   */
  PendingJob() {}

  /** An entry with its numbers and a dispatch key of its own (tests of stores). */
  static PendingJob of(long jobId, int priority, long runAtNanos, long dispatchKey, long sequence) {
    PendingJob e = new Keyed(priority, dispatchKey);
    e.id = jobId;
    e.runAtNanos = runAtNanos;
    e.sequence = sequence;
    return e;
  }

  /** The dispatch key; a scheduler's job computes it from its run-at reading and priority. */
  abstract long key();

  /** The scheduler's job behind this entry; every entry the scheduler adds is one. */
  final Task<?> task() {
    return (Task<?>) this;
  }

  /**
   * Returns the id of the job ({@link JobHandle#id()}).
   *
   * @return the job id
   */
  public final long jobId() {
    return id;
  }

  /**
   * Returns the job's priority, for stores that report or index by it.
   *
   * @return the priority
   */
  public abstract int priority();

  /**
   * Returns the scheduler-ticker reading from which the job may run. Compare readings by
   * subtraction ({@code runAtNanos - now <= 0} means eligible), never with {@code <}.
   *
   * @return the run-at reading, in nanoseconds
   */
  public final long runAtNanos() {
    return runAtNanos;
  }

  /**
   * Returns the ordering key among eligible jobs: smaller runs first. It is a plain number, safe to
   * compare with {@code <}.
   *
   * @return the dispatch key
   */
  public final long dispatchKey() {
    return key();
  }

  /**
   * Returns the tie-breaker among equal dispatch keys: the order in which entries were queued.
   *
   * @return a number unique per scheduler, increasing
   */
  public final long sequence() {
    return sequence;
  }

  @Override
  public String toString() {
    return "PendingJob{job="
        + id
        + ", priority="
        + priority()
        + ", runAt="
        + runAtNanos
        + ", key="
        + key()
        + ", seq="
        + sequence
        + "}";
  }

  /** An entry whose dispatch key is given, not derived. */
  private static final class Keyed extends PendingJob {
    private final int priority;
    private final long dispatchKey;

    Keyed(int priority, long dispatchKey) {
      this.priority = priority;
      this.dispatchKey = dispatchKey;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    long key() {
      return dispatchKey;
    }
  }
}
