package dev.sysblocks.scheduler;

/**
 * One run of a task, and the {@link JobContext} the job sees. Exactly one party settles an attempt
 * (the thread that ran it, or the timeout thread), under the scheduler's lock; interrupts are sent
 * only under that lock and only while the attempt is unsettled, so an interrupt can never reach the
 * next job a worker runs.
 *
 * <p>A pool worker owns one instance and reuses it for every job it runs ({@link #begin}, under the
 * lock, on the worker's own thread), so a run allocates nothing (SchedulerSubmitAllocationTest: 64
 * B per run before). That is safe because a worker starts its next attempt only after it has
 * settled the previous one, and the one attempt settled while its job still runs, a timed-out one,
 * retires its worker: that instance is never reused, and the abandoned job keeps seeing its own
 * number and its raised signal. A job run by a caller (manual dispatch, caller-runs) gets a fresh
 * instance.
 */
final class Attempt implements JobContext {

  final Thread thread;
  final JobScheduler.Worker worker; // null when run by a caller (manual dispatch, caller-runs)

  /* Set by begin, under the lock, by the thread that then runs the job. */
  Task<?> task;
  private String key; // the task's idempotency key, for the job
  int number;
  private int occurrence;
  long startedAt;
  long deadline; // meaningful only when task.options.timeoutNanos > 0
  boolean timed; // startedAt is a fresh reading, and the run time is to be recorded

  /** The cancellation signal the job polls. */
  private volatile boolean stop;

  /** Guarded by the scheduler's lock. */
  boolean settled;

  /* Links of the scheduler's list of unsettled attempts (under its lock): no set entry per job. */
  Attempt prevRunning;
  Attempt nextRunning;

  /** Set (under the lock) when the scheduler interrupted the thread for this attempt. */
  volatile boolean interrupted;

  Attempt(Thread thread, JobScheduler.Worker worker) {
    this.thread = thread;
    this.worker = worker;
  }

  /** Makes this the unsettled attempt {@code number} of {@code task}. Under the lock. */
  void begin(Task<?> task, int number, int occurrence, long startedAt, boolean timed) {
    this.task = task;
    this.key = task.options.key;
    this.number = number;
    this.occurrence = occurrence;
    this.startedAt = startedAt;
    this.timed = timed;
    this.deadline = startedAt + task.options.timeoutNanos;
    this.settled = false;
    // Read first: a volatile write costs a full fence, and the flags are raised only by a cancel,
    // a timeout (which retires the worker) or shutdownNow, so they are rarely set here.
    if (stop) {
      stop = false;
    }
    if (interrupted) {
      interrupted = false;
    }
  }

  /**
   * Forgets the task of an attempt its own thread settled, so that an idle worker keeps no finished
   * job (nor its result) reachable. Under the lock.
   */
  void forgetTask() {
    task = null;
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
    return key;
  }

  @Override
  public String toString() {
    return "Attempt{attempt=" + number + ", occurrence=" + occurrence + "}";
  }
}
