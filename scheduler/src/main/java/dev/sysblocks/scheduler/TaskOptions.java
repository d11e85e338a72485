package dev.sysblocks.scheduler;

/**
 * A job's options besides its priority, apart from the {@link Task} so that the common job, which
 * sets none of them, shares its scheduler's {@link JobScheduler#defaultOptions} instead of carrying
 * 32 B of empty fields (SchedulerSubmitAllocationTest: 168 to 136 B per plain submit; a job with
 * any option set pays 16 B more than before, for this object). Immutable.
 */
final class TaskOptions {
  final String key; // null = no idempotency key
  final RetryPolicy retry;
  final long timeoutNanos; // 0 = no per-attempt timeout
  final long periodNanos; // 0 = runs once; otherwise a recurring job
  final boolean fixedRate; // recurring: next occurrence on the grid (true) or after the run (false)
  final String type; // null = no type
  final String tenant; // null = the default tenant

  TaskOptions(
      String key,
      RetryPolicy retry,
      long timeoutNanos,
      long periodNanos,
      boolean fixedRate,
      String type,
      String tenant) {
    this.key = key;
    this.retry = retry;
    this.timeoutNanos = timeoutNanos;
    this.periodNanos = periodNanos;
    this.fixedRate = fixedRate;
    this.type = type;
    this.tenant = tenant;
  }

  /** The options of a job that sets none: the scheduler's default retry policy only. */
  static TaskOptions defaults(RetryPolicy retry) {
    return new TaskOptions(null, retry, 0, 0, false, null, null);
  }
}
