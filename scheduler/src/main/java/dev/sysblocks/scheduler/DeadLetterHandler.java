package dev.sysblocks.scheduler;

/**
 * Receives jobs whose every attempt failed with a retryable error: the place to park them for a
 * human or a later replay. Called once per such job, after its status has become {@link
 * JobStatus#DEAD_LETTERED} and before its future completes, on the thread that ran the last attempt
 * (or the scheduler's timeout thread). An exception thrown here is caught and ignored.
 */
@FunctionalInterface
public interface DeadLetterHandler {

  /**
   * Handles a dead-lettered job.
   *
   * @param job the job, in status {@link JobStatus#DEAD_LETTERED}
   * @param lastFailure the error of the last attempt
   */
  void deadLettered(JobHandle<?> job, Throwable lastFailure);
}
