package dev.sysblocks.scheduler;

/**
 * What {@link JobScheduler#submit} does when the queue already holds its capacity of jobs.
 *
 * <p>Retries of jobs already accepted are never refused: they may take the queue above its
 * capacity, because refusing them would lose a job the scheduler has promised to run.
 */
public enum FullQueuePolicy {
  /** Throw a {@link java.util.concurrent.RejectedExecutionException} at once. The default. */
  REJECT,
  /**
   * Wait for space up to a timeout, then throw a {@link
   * java.util.concurrent.RejectedExecutionException}. Slows producers down to the workers' pace.
   */
  BLOCK,
  /**
   * Run the job's first attempt in the submitting thread before {@code submit} returns. Slows
   * producers down by making them work; priorities and delays are ignored for that job.
   */
  CALLER_RUNS
}
