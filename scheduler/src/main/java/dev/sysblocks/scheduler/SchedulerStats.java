package dev.sysblocks.scheduler;

import java.time.Duration;
import java.util.Arrays;

/**
 * A snapshot of a {@link JobScheduler}'s counters, taken without locking: each figure is exact, but
 * figures read while jobs move may belong to slightly different instants. Once the scheduler is
 * terminated (or idle) the snapshot is consistent, and then
 *
 * <pre>
 *   submitted = succeeded + failed + deadLettered + cancelled + returned
 * </pre>
 *
 * <p>Durations are histograms with power-of-two buckets: a percentile is the upper bound of its
 * bucket, at most twice the true value. Immutable.
 */
public final class SchedulerStats {

  private final long[] queuedByPriority;
  private final long running;
  private final long[] counters;
  private final long[] waitBuckets;
  private final long[] runBuckets;

  SchedulerStats(long[] queuedByPriority, long running, long[] counters, long[] wait, long[] run) {
    this.queuedByPriority = queuedByPriority;
    this.running = running;
    this.counters = counters;
    this.waitBuckets = wait;
    this.runBuckets = run;
  }

  /**
   * Returns the number of jobs waiting, delayed ones and those waiting for a retry included.
   *
   * @return the queued jobs of all priorities
   */
  public long queued() {
    return Arrays.stream(queuedByPriority).sum();
  }

  /**
   * Returns the number of queued jobs of one priority.
   *
   * @param priority from {@link JobScheduler#MIN_PRIORITY} to {@link JobScheduler#MAX_PRIORITY}
   * @return the queued jobs of that priority
   * @throws IllegalArgumentException if the priority is out of range
   */
  public long queued(int priority) {
    JobScheduler.checkPriority(priority);
    return queuedByPriority[priority];
  }

  /**
   * Returns the number of attempts running now.
   *
   * @return the running attempts
   */
  public long running() {
    return running;
  }

  /**
   * Returns the number of jobs accepted (a duplicate idempotency key or a rejection is not one).
   *
   * @return jobs submitted
   */
  public long submitted() {
    return counters[SUBMITTED];
  }

  /**
   * Returns the number of jobs that succeeded ({@link JobStatus#SUCCEEDED}).
   *
   * @return jobs completed successfully
   */
  public long succeeded() {
    return counters[SUCCEEDED];
  }

  /**
   * Returns the number of jobs that ended {@link JobStatus#FAILED}.
   *
   * @return jobs failed without retry
   */
  public long failed() {
    return counters[FAILED];
  }

  /**
   * Returns the number of jobs that ended {@link JobStatus#DEAD_LETTERED}.
   *
   * @return jobs out of attempts
   */
  public long deadLettered() {
    return counters[DEAD_LETTERED];
  }

  /**
   * Returns the number of jobs that ended {@link JobStatus#CANCELLED}.
   *
   * @return jobs cancelled
   */
  public long cancelled() {
    return counters[CANCELLED];
  }

  /**
   * Returns the number of jobs returned unstarted by {@link JobScheduler#shutdownNow()}.
   *
   * @return jobs returned
   */
  public long returned() {
    return counters[RETURNED];
  }

  /**
   * Returns the number of retries queued after failed attempts.
   *
   * @return retries scheduled
   */
  public long retried() {
    return counters[RETRIED];
  }

  /**
   * Returns the number of attempts stopped by their per-attempt timeout.
   *
   * @return attempts timed out
   */
  public long timedOut() {
    return counters[TIMED_OUT];
  }

  /**
   * Returns the number of submissions refused (queue full, or shut down).
   *
   * @return submissions rejected
   */
  public long rejected() {
    return counters[REJECTED];
  }

  /**
   * Returns a percentile of the time attempts waited from becoming eligible to starting: of every
   * attempt, or of the jobs sampled by {@link JobScheduler.Builder#sampleTimings}.
   *
   * @param quantile from 0 to 1, e.g. 0.99
   * @return the upper bound of the bucket holding it; zero if nothing was recorded
   * @throws IllegalArgumentException if {@code quantile} is outside [0, 1]
   */
  public Duration waitTimePercentile(double quantile) {
    return Duration.ofNanos(LogHistogram.quantile(waitBuckets, checkQuantile(quantile)));
  }

  /**
   * Returns a percentile of the time attempts ran, from start to settlement: of every attempt, or
   * of the jobs sampled by {@link JobScheduler.Builder#sampleTimings}.
   *
   * @param quantile from 0 to 1, e.g. 0.99
   * @return the upper bound of the bucket holding it; zero if nothing was recorded
   * @throws IllegalArgumentException if {@code quantile} is outside [0, 1]
   */
  public Duration runTimePercentile(double quantile) {
    return Duration.ofNanos(LogHistogram.quantile(runBuckets, checkQuantile(quantile)));
  }

  private static double checkQuantile(double quantile) {
    if (!(quantile >= 0.0 && quantile <= 1.0)) {
      throw new IllegalArgumentException("quantile must be between 0 and 1: " + quantile);
    }
    return quantile;
  }

  @Override
  public String toString() {
    return "SchedulerStats{queued="
        + Arrays.toString(queuedByPriority)
        + ", running="
        + running
        + ", submitted="
        + submitted()
        + ", succeeded="
        + succeeded()
        + ", failed="
        + failed()
        + ", deadLettered="
        + deadLettered()
        + ", cancelled="
        + cancelled()
        + ", returned="
        + returned()
        + ", retried="
        + retried()
        + ", timedOut="
        + timedOut()
        + ", rejected="
        + rejected()
        + "}";
  }

  // The counters behind a snapshot, by index into the scheduler's AtomicLongArray.
  static final int SUBMITTED = 0;
  static final int SUCCEEDED = 1;
  static final int FAILED = 2;
  static final int DEAD_LETTERED = 3;
  static final int CANCELLED = 4;
  static final int RETURNED = 5;
  static final int RETRIED = 6;
  static final int TIMED_OUT = 7;
  static final int REJECTED = 8;
  static final int COUNTERS = 9;
}
