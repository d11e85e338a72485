package dev.sysblocks.scheduler;

/**
 * One run of a task, and the {@link JobContext} the job sees. Exactly one party settles an attempt
 * (the thread that ran it, or the timeout thread), under the scheduler's lock; interrupts are sent
 * only under that lock and only while the attempt is unsettled, so an interrupt can never reach the
 * next job a worker runs.
 */
final class Attempt<T> implements JobContext {

  final Task<T> task;
  final int number;
  final int occurrence;
  final Thread thread;
  final JobScheduler.Worker worker; // null when run by a caller (manual dispatch, caller-runs)
  final long startedAt;
  final long deadline; // meaningful only when task.options.timeoutNanos > 0

  /** The cancellation signal the job polls. */
  private volatile boolean stop;

  /** Guarded by the scheduler's lock. */
  boolean settled;

  /* Links of the scheduler's list of unsettled attempts (under its lock): no set entry per job. */
  Attempt<?> prevRunning;
  Attempt<?> nextRunning;

  /** Set (under the lock) when the scheduler interrupted the thread for this attempt. */
  volatile boolean interrupted;

  Attempt(
      Task<T> task,
      int number,
      int occurrence,
      Thread thread,
      JobScheduler.Worker worker,
      long startedAt) {
    this.task = task;
    this.number = number;
    this.occurrence = occurrence;
    this.thread = thread;
    this.worker = worker;
    this.startedAt = startedAt;
    this.deadline = startedAt + task.options.timeoutNanos;
  }

  /** Raises the signal and interrupts the thread; call under the lock, while unsettled. */
  void stop() {
    stop = true;
    interrupted = true;
    thread.interrupt();
  }

  @Override
  public int attempt() {
    return number;
  }

  @Override
  public int occurrence() {
    return occurrence;
  }

  @Override
  public boolean isCancelled() {
    return stop;
  }

  @Override
  public String idempotencyKey() {
    return task.options.key;
  }

  @Override
  public String toString() {
    return "Attempt{job=" + task.id + ", attempt=" + number + "}";
  }
}
