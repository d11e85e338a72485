package dev.sysblocks.scheduler;

/**
 * A job's options besides its priority, apart from the {@link Task} so that the common job, which
 * sets none of them, shares its scheduler's {@link JobScheduler#defaultOptions} instead of carrying
 * empty fields (SchedulerSubmitAllocationTest: 168 to 136 B per plain submit). A job with any
 * option set pays for its own instance, 40 B; how a recurring job recurs sits in a further object,
 * so that the others do not carry its fields. Immutable (the recurrence's own state is guarded by
 * the scheduler's lock).
 */
final class TaskOptions {
  final String key; // null = no idempotency key
  final RetryPolicy retry;
  final long timeoutNanos; // 0 = no per-attempt timeout
  final Recurrence recurrence; // null = runs once
  final String type; // null = no type
  final String tenant; // null = the default tenant

  TaskOptions(
      String key,
      RetryPolicy retry,
      long timeoutNanos,
      Recurrence recurrence,
      String type,
      String tenant) {
    this.key = key;
    this.retry = retry;
    this.timeoutNanos = timeoutNanos;
    this.recurrence = recurrence;
    this.type = type;
    this.tenant = tenant;
  }

  /** The options of a job that sets none: the scheduler's default retry policy only. */
  static TaskOptions defaults(RetryPolicy retry) {
    return new TaskOptions(null, retry, 0, null, null, null);
  }
}
