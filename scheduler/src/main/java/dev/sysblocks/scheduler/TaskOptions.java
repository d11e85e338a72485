package dev.sysblocks.scheduler;

/**
 * A job's options, its priority and its scheduler, apart from the {@link Task} so that the common
 * job, which sets no option but its priority, shares one of its scheduler's {@link
 * JobScheduler#defaultOptions} (one per priority) instead of carrying empty fields
 * (SchedulerSubmitAllocationTest: 168 to 136 B per plain submit; the scheduler moved here too, 4 B
 * of the 104 to 64 B step, and the priority 4 B of the 64 to 56 B step). A job with any other
 * option set pays for its own instance, 48 B; how a recurring job recurs sits in a further object,
 * so that the others do not carry its fields. Immutable (the recurrence's own state is guarded by
 * the scheduler's lock).
 */
final class TaskOptions {
  final JobScheduler owner; // null only for the scheduler's CLOSED marker
  final String key; // null = no idempotency key
  final RetryPolicy retry;
  final long timeoutNanos; // 0 = no per-attempt timeout
  final Recurrence recurrence; // null = runs once
  final String type; // null = no type
  final String tenant; // null = the default tenant
  final int priority;

  TaskOptions(
      JobScheduler owner,
      int priority,
      String key,
      RetryPolicy retry,
      long timeoutNanos,
      Recurrence recurrence,
      String type,
      String tenant) {
    this.owner = owner;
    this.priority = priority;
    this.key = key;
    this.retry = retry;
    this.timeoutNanos = timeoutNanos;
    this.recurrence = recurrence;
    this.type = type;
    this.tenant = tenant;
  }

  /**
   * The options of a job that sets none but its priority: the scheduler's default retry policy and
   * timeout.
   */
  static TaskOptions defaults(
      JobScheduler owner, int priority, RetryPolicy retry, long timeoutNanos) {
    return new TaskOptions(owner, priority, null, retry, timeoutNanos, null, null, null);
  }
}
