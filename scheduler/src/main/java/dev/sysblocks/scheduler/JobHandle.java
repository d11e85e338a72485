package dev.sysblocks.scheduler;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted job as its submitter sees it: its status, its result and a way to cancel it.
 *
 * <pre>{@code
 * JobHandle<Integer> handle = scheduler.submit(context -> 42);
 * int answer = handle.result().get();
 * }</pre>
 *
 * <p>Thread-safe. The status changes first, then the future completes; a listener or a dependent
 * stage of the future therefore always sees the final status.
 *
 * @param <T> the type of the result
 */
public interface JobHandle<T> {

  /**
   * Returns the id the scheduler gave this job: unique per scheduler, in submission order.
   *
   * @return the job id
   */
  long id();

  /**
   * Returns the job's priority, from {@link JobScheduler#MIN_PRIORITY} to {@link
   * JobScheduler#MAX_PRIORITY}.
   *
   * @return the priority given at submission
   */
  int priority();

  /**
   * Returns the idempotency key the job was submitted with.
   *
   * @return the key, or null if none was given
   */
  String idempotencyKey();

  /**
   * Returns the tenant the job belongs to, the key of weighted fair sharing.
   *
   * @return the tenant, or null if none was given
   */
  String tenant();

  /**
   * Returns the job's type, the key of its concurrency limit.
   *
   * @return the type, or null if none was given
   */
  String type();

  /**
   * Returns the current status.
   *
   * @return the status; final statuses never change again
   */
  JobStatus status();

  /**
   * Returns how many attempts have started so far.
   *
   * @return zero before the first attempt starts
   */
  int attempts();

  /**
   * Returns the result. It completes normally with the job's result when the job succeeds;
   * exceptionally with the last attempt's error when it fails or is dead-lettered; and with a
   * {@link java.util.concurrent.CancellationException} when it is cancelled or returned by {@link
   * JobScheduler#shutdownNow()}. Completing this future yourself does not affect the job; use
   * {@link #cancel()}.
   *
   * @return the future of the result, the same instance on every call
   */
  CompletableFuture<T> result();

  /**
   * Cancels the job. A queued job never starts; a running attempt sees {@link
   * JobContext#isCancelled()} turn true and its thread interrupted, and whatever it returns is
   * discarded. No retry follows.
   *
   * @return true if this call cancelled the job, false if it had already reached a final status
   */
  boolean cancel();
}
