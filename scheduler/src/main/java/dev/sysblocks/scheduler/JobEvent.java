package dev.sysblocks.scheduler;

import java.util.Objects;

/**
 * One thing that happened to a job, as a {@link JobListener} receives it.
 *
 * @param kind what happened
 * @param job the job
 * @param attempt the attempt the event belongs to (0 for events before the first attempt)
 * @param failure the error of a failed attempt, or null
 * @param tickNanos the scheduler ticker's reading when it happened
 */
public record JobEvent(
    Kind kind, JobHandle<?> job, int attempt, Throwable failure, long tickNanos) {

  /**
   * Checks the arguments.
   *
   * @param kind what happened
   * @param job the job
   * @param attempt the attempt the event belongs to
   * @param failure the error of a failed attempt, or null
   * @param tickNanos the ticker's reading
   * @throws NullPointerException if {@code kind} or {@code job} is null
   */
  public JobEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(job, "job");
  }

  /** The kinds of event, in the order a job meets them. */
  public enum Kind {
    /** The job was accepted (not sent for a duplicate idempotency key). */
    SUBMITTED,
    /** An attempt started. */
    STARTED,
    /** An attempt failed and a retry was queued after a backoff delay. */
    RETRY_SCHEDULED,
    /** An occurrence of a recurring job succeeded and the next occurrence was queued. */
    RESCHEDULED,
    /** An attempt succeeded. Final. */
    SUCCEEDED,
    /** An attempt failed and the job will not be retried. Final. */
    FAILED,
    /** The last allowed attempt failed with a retryable error. Final. */
    DEAD_LETTERED,
    /** The job was cancelled. Final. */
    CANCELLED,
    /** The job was returned unstarted by an immediate shutdown. Final. */
    RETURNED
  }
}
