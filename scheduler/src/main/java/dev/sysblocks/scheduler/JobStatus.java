package dev.sysblocks.scheduler;

/**
 * Where a job is in its life. {@code QUEUED} and {@code RUNNING} alternate while attempts are
 * retried (and while a recurring job repeats); every other status is final, and a job reaches
 * exactly one of them. A recurring job never reaches {@code SUCCEEDED}: it ends cancelled (by
 * {@link JobHandle#cancel()} or a shutdown), failed, dead-lettered or returned.
 *
 * <pre>
 *   submit --&gt; QUEUED --&gt; RUNNING --&gt; SUCCEEDED
 *                ^  |         |  \--&gt; FAILED         (error the retry policy does not retry)
 *                |  |         |   \-&gt; DEAD_LETTERED  (retryable error, attempts used up)
 *                |  |         v
 *                |  |   retry after backoff (back to QUEUED)
 *                |  +--&gt; CANCELLED (also from RUNNING)
 *                +-----&gt; RETURNED  (unstarted, handed back by shutdownNow)
 * </pre>
 */
public enum JobStatus {
  /** Waiting for its run-at time or for a worker; includes waiting for a retry. */
  QUEUED,
  /** An attempt is running. */
  RUNNING,
  /** An attempt returned a result. Final. */
  SUCCEEDED,
  /**
   * An attempt failed with an error the retry policy does not retry, or failed after an immediate
   * shutdown. Final.
   */
  FAILED,
  /** Cancelled through {@link JobHandle#cancel()}. Final. */
  CANCELLED,
  /** Every attempt failed with a retryable error; handed to the dead-letter handler. Final. */
  DEAD_LETTERED,
  /** Not started when {@link JobScheduler#shutdownNow()} returned it to the caller. Final. */
  RETURNED;

  /**
   * Returns whether this status is final: the job will not run again.
   *
   * @return false for {@code QUEUED} and {@code RUNNING}, true otherwise
   */
  public boolean isFinal() {
    return this != QUEUED && this != RUNNING;
  }
}
