package dev.sysblocks.scheduler;

import java.util.Objects;

/**
 * A unit of work for a {@link JobScheduler}: it receives a {@link JobContext} (which attempt this
 * is, and whether the job has been cancelled or timed out) and returns a result or throws.
 *
 * <pre>{@code
 * Job<String> fetch = context -> download(url, context.attempt());
 * Job<Void> log = Job.of(() -> System.out.println("tick"));
 * }</pre>
 *
 * <p>A job that may be retried should be idempotent: after a timeout the scheduler may start the
 * next attempt while the previous one is still unwinding (see {@link JobScheduler}).
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface Job<T> {

  /**
   * Runs one attempt of the job.
   *
   * @param context the attempt number and the cancellation signal of this attempt
   * @return the result, which completes the job's {@link JobHandle#result() future}
   * @throws Exception to fail this attempt; the job's {@link RetryPolicy} decides what follows
   */
  T run(JobContext context) throws Exception;

  /**
   * Adapts a {@link Runnable} to a job whose result is {@code null}.
   *
   * @param runnable the work
   * @return a job that runs it
   * @throws NullPointerException if {@code runnable} is null
   */
  static Job<Void> of(Runnable runnable) {
    Objects.requireNonNull(runnable, "runnable");
    return context -> {
      runnable.run();
      return null;
    };
  }
}
