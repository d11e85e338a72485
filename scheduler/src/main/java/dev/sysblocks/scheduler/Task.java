package dev.sysblocks.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted job: the scheduler's record of it and the user's {@link JobHandle}. Fields marked
 * "guarded" are read and written only under the scheduler's lock; {@code status} and {@code
 * attempts} are also read without it, hence volatile.
 */
final class Task<T> extends PendingJob implements JobHandle<T> {

  // Its id, priority and queue numbers are the PendingJob fields: a task is its own store entry.
  final JobScheduler owner;
  final Job<T> job;
  final TaskOptions options; // shared with every job that sets none

  /**
   * The result future, created by the first {@link #result()} call; or {@link #DONE} if the job
   * ended before anyone asked, and then created completed on demand. Most submitters never ask, and
   * a future made up for a tenth of the bytes a submission allocated
   * (SchedulerSubmitAllocationTest: 24 of 272 B). Written only by {@link
   * #compareAndExchangeFuture}.
   */
  private volatile CompletableFuture<T> future;

  /**
   * The failure that ended the job, written before {@link #DONE} is published and read only after
   * seeing it (with {@link #status}, final by then).
   */
  private Throwable finalFailure;

  /** Marks a future never created while the job ran; never completed, never handed out. */
  private static final CompletableFuture<?> DONE = new CompletableFuture<>();

  private static final VarHandle FUTURE;

  static {
    try {
      FUTURE = MethodHandles.lookup().findVarHandle(Task.class, "future", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Written under the lock; read anywhere. */
  volatile JobStatus status = JobStatus.QUEUED;

  /** Written under the lock; read anywhere. */
  volatile int attempts;

  Task<?> nextInInbox; // the scheduler's lock-free inbox; see JobScheduler.submitToInbox

  /** Guarded: the latest attempt. */
  Attempt<T> current;

  /** Guarded until published: the result of the successful attempt. */
  T value;

  /** Guarded: which occurrence of a recurring job is current (1 for one-off jobs). */
  int occurrence = 1;

  /** Guarded: attempts of the current occurrence. */
  int occurrenceAttempts;

  /** Guarded: the run-at reading of the current occurrence (the grid of a fixed-rate job). */
  long scheduledAt;

  Task(JobScheduler owner, Job<T> job, int priority, TaskOptions options) {
    super(priority);
    this.owner = owner;
    this.job = job;
    this.options = options;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public String idempotencyKey() {
    return options.key;
  }

  @Override
  public String tenant() {
    return options.tenant;
  }

  @Override
  public String type() {
    return options.type;
  }

  @Override
  public JobStatus status() {
    return status;
  }

  @Override
  public int attempts() {
    return attempts;
  }

  @Override
  public CompletableFuture<T> result() {
    CompletableFuture<T> f = future;
    while (true) {
      if (f != null && f != DONE) {
        return f;
      }
      CompletableFuture<T> created = new CompletableFuture<>();
      if (f == DONE) {
        complete(created, status, finalFailure); // published by the exchange that set DONE
      }
      CompletableFuture<T> witness = compareAndExchangeFuture(f, created);
      if (witness == f) {
        return created;
      }
      f = witness; // another caller created it first, or the job ended meanwhile
    }
  }

  @Override
  public boolean cancel() {
    return owner.cancel(this);
  }

  /**
   * Completes the future to match the final status, or records the outcome for a future created
   * later; called once, outside the lock.
   */
  void completeFuture(JobStatus status, Throwable failure) {
    finalFailure = failure;
    CompletableFuture<T> asked = compareAndExchangeFuture(null, done());
    if (asked != null) {
      complete(asked, status, failure);
    }
  }

  private void complete(CompletableFuture<T> future, JobStatus status, Throwable failure) {
    switch (status) {
      case SUCCEEDED -> future.complete(value);
      case FAILED, DEAD_LETTERED -> future.completeExceptionally(failure);
      case CANCELLED -> future.cancel(false);
      case RETURNED ->
          future.completeExceptionally(
              new CancellationException("job " + id + " returned unstarted by shutdownNow"));
      default -> throw new AssertionError("not a final status: " + status);
    }
  }

  /**
   * Volatile compare-and-exchange: the one write of {@code future}, so a creator and the completer
   * never both miss each other (whichever comes second sees the first). Returns the witness.
   */
  @SuppressWarnings("unchecked")
  private CompletableFuture<T> compareAndExchangeFuture(
      CompletableFuture<T> expected, CompletableFuture<T> replacement) {
    return (CompletableFuture<T>) FUTURE.compareAndExchange(this, expected, replacement);
  }

  @SuppressWarnings("unchecked") // DONE is only compared by identity, never completed or returned
  private static <T> CompletableFuture<T> done() {
    return (CompletableFuture<T>) DONE;
  }

  @Override
  public String toString() {
    return "Job{id="
        + id
        + ", priority="
        + priority
        + (options.key == null ? "" : ", key=" + options.key)
        + ", status="
        + status
        + ", attempts="
        + attempts
        + "}";
  }
}
