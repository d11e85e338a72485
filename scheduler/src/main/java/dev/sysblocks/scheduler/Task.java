package dev.sysblocks.scheduler;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted job: the scheduler's record of it and the user's {@link JobHandle}. Fields marked
 * "guarded" are read and written only under the scheduler's lock; {@code status} and {@code
 * attempts} are also read without it, hence volatile.
 */
final class Task<T> implements JobHandle<T> {

  final JobScheduler owner;
  final long id;
  final Job<T> job;
  final int priority;
  final String key;
  final RetryPolicy retry;
  final long timeoutNanos; // 0 = no per-attempt timeout
  final long periodNanos; // 0 = runs once; otherwise a recurring job
  final boolean fixedRate; // recurring: next occurrence on the grid (true) or after the run (false)
  final String type; // null = no type
  final String tenant; // null = the default tenant
  private final CompletableFuture<T> future = new CompletableFuture<>();

  /** Written under the lock; read anywhere. */
  volatile JobStatus status = JobStatus.QUEUED;

  /** Written under the lock; read anywhere. */
  volatile int attempts;

  /** Guarded: the store entry that is live for this task; any other entry of it is stale. */
  PendingJob entry;

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

  Task(
      JobScheduler owner,
      long id,
      Job<T> job,
      int priority,
      String key,
      RetryPolicy retry,
      long timeoutNanos,
      long periodNanos,
      boolean fixedRate,
      String type,
      String tenant) {
    this.owner = owner;
    this.id = id;
    this.job = job;
    this.priority = priority;
    this.key = key;
    this.retry = retry;
    this.timeoutNanos = timeoutNanos;
    this.periodNanos = periodNanos;
    this.fixedRate = fixedRate;
    this.type = type;
    this.tenant = tenant;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public String idempotencyKey() {
    return key;
  }

  @Override
  public String tenant() {
    return tenant;
  }

  @Override
  public String type() {
    return type;
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
    return future;
  }

  @Override
  public boolean cancel() {
    return owner.cancel(this);
  }

  /** Completes the future to match the final status; called once, outside the lock. */
  void completeFuture(JobStatus finalStatus, Throwable failure) {
    switch (finalStatus) {
      case SUCCEEDED -> future.complete(value);
      case FAILED, DEAD_LETTERED -> future.completeExceptionally(failure);
      case CANCELLED -> future.cancel(false);
      case RETURNED ->
          future.completeExceptionally(
              new CancellationException("job " + id + " returned unstarted by shutdownNow"));
      default -> throw new AssertionError("not a final status: " + finalStatus);
    }
  }

  @Override
  public String toString() {
    return "Job{id="
        + id
        + ", priority="
        + priority
        + (key == null ? "" : ", key=" + key)
        + ", status="
        + status
        + ", attempts="
        + attempts
        + "}";
  }
}
