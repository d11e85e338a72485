package dev.sysblocks.scheduler;

/**
 * A job waiting in a {@link JobStore}: the few numbers a store needs to order it. Created by the
 * scheduler for each time a job is queued (a retry is queued again, as a new entry).
 *
 * <p>A store orders entries by {@link #runAtNanos()} to decide when they become eligible, and
 * eligible ones by {@link #dispatchKey()}, then {@link #sequence()}, smallest first. The scheduler
 * folds priority and aging into the dispatch key, so a store needs no notion of either: a SQL store
 * can {@code ORDER BY dispatch_key, sequence}.
 *
 * <p>Immutable.
 */
public final class PendingJob {

  private final long jobId;
  private final int priority;
  private final long runAtNanos;
  private final long dispatchKey;
  private final long sequence;
  final Task<?> task;

  PendingJob(
      long jobId, int priority, long runAtNanos, long dispatchKey, long sequence, Task<?> task) {
    this.jobId = jobId;
    this.priority = priority;
    this.runAtNanos = runAtNanos;
    this.dispatchKey = dispatchKey;
    this.sequence = sequence;
    this.task = task;
  }

  /**
   * Returns the id of the job ({@link JobHandle#id()}).
   *
   * @return the job id
   */
  public long jobId() {
    return jobId;
  }

  /**
   * Returns the job's priority, for stores that report or index by it.
   *
   * @return the priority
   */
  public int priority() {
    return priority;
  }

  /**
   * Returns the scheduler-ticker reading from which the job may run. Compare readings by
   * subtraction ({@code runAtNanos - now <= 0} means eligible), never with {@code <}.
   *
   * @return the run-at reading, in nanoseconds
   */
  public long runAtNanos() {
    return runAtNanos;
  }

  /**
   * Returns the ordering key among eligible jobs: smaller runs first. It is a plain number, safe to
   * compare with {@code <}.
   *
   * @return the dispatch key
   */
  public long dispatchKey() {
    return dispatchKey;
  }

  /**
   * Returns the tie-breaker among equal dispatch keys: the order in which entries were queued.
   *
   * @return a number unique per scheduler, increasing
   */
  public long sequence() {
    return sequence;
  }

  @Override
  public String toString() {
    return "PendingJob{job="
        + jobId
        + ", priority="
        + priority
        + ", runAt="
        + runAtNanos
        + ", key="
        + dispatchKey
        + ", seq="
        + sequence
        + "}";
  }
}
