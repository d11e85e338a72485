package dev.sysblocks.scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How many times a job is attempted, which errors are worth another attempt, and how long to wait
 * before it: exponential backoff with full jitter.
 *
 * <pre>{@code
 * RetryPolicy policy =
 *     RetryPolicy.exponentialBackoff(5, Duration.ofMillis(100), Duration.ofSeconds(10))
 *         .retryOn(e -> e instanceof java.io.IOException);
 * }</pre>
 *
 * <p>After the n-th failed attempt (n = 1, 2, ...) the next one waits a random time in {@code [0,
 * cap(n))}, where {@code cap(n) = min(maxDelay, initialDelay * 2^(n-1))} ("full jitter"), or
 * exactly {@code cap(n)} {@link #withoutJitter() without jitter}. An error the {@link
 * #retryOn(Predicate) predicate} rejects fails the job at once ({@link JobStatus#FAILED}); a
 * retryable error on the last allowed attempt dead-letters it ({@link JobStatus#DEAD_LETTERED}).
 *
 * <p>Immutable and thread-safe; the {@code with} methods return new policies.
 */
public final class RetryPolicy {

  /*
   * Problem. A failed call to a service that is down should be retried, but not at once and not
   * all together: clients that fail together (a database restarts) retry together, and with plain
   * exponential backoff every one of them waits exactly 100, 200, 400 ms ..., so the retries arrive
   * as synchronized waves that knock the recovering service over again.
   *
   * Idea. Exponential backoff bounds the retry rate of one client; full jitter [1] draws each wait
   * uniformly from [0, cap(n)), which spreads a wave of N clients evenly over the interval:
   *
   *   cap(n) = min(maxDelay, initialDelay * 2^(n-1))      wait(n) = U[0, 1) * cap(n)
   *
   *   wait |         .......................   cap (maxDelay reached at n = 5)
   *        |       .'   x         x     x      x = one client's draws: anywhere below the cap
   *        |     .'  x      x
   *        |   .' x     x                x
   *        | .'x                  x
   *        +----+----+----+----+----+----+---> failed attempts n
   *             1    2    3    4    5    6
   *
   * Worked example, initialDelay 100 ms, maxDelay 1 s: caps are 100, 200, 400, 800, 1000, 1000
   * ms; the expected total wait before the 6th attempt is half their first five,
   * (100 + 200 + 400 + 800 + 1000) / 2 = 1.25 s, against 2.5 s without jitter.
   *
   * Invariant. 0 <= wait(n) < cap(n) <= maxDelay with jitter, wait(n) = cap(n) without; cap(n) is
   * non-decreasing in n and never overflows (the doubling stops once it passes maxDelay).
   *
   * Cost. O(1): a shift, a comparison and one random double (drawn under the scheduler's lock, so
   * an injected generator need not be thread-safe). Not benchmarked on its own.
   *
   * Concurrency. Immutable; safe to share between jobs and schedulers.
   *
   * Alternatives. "Equal jitter" (cap/2 + U * cap/2) never waits less than half the cap but does
   * more total work in Brooker's simulation; "decorrelated jitter" (min(max, U[base, 3 * prev]))
   * needs per-job state; no jitter is right only for a single client. Resilience4j's
   * IntervalBiFunction and Spring Retry's ExponentialRandomBackOffPolicy offer the same choices.
   *
   * References.
   *  [1] M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015,
   *      https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
   *  [2] Google Cloud, "Retry strategy", https://cloud.google.com/storage/docs/retry-strategy
   */

  /**
   * The most attempts a policy may allow, 2^29 - 1: a job keeps its count of attempts in one int
   * with its status.
   */
  public static final int MAX_ATTEMPTS = Task.MAX_ATTEMPTS;

  private static final RetryPolicy NONE = new RetryPolicy(1, 0L, 0L, false, RetryPolicy::never);

  private final int maxAttempts;
  private final long initialDelayNanos;
  private final long maxDelayNanos;
  private final boolean jitter;
  private final Predicate<? super Throwable> retryOn;

  private RetryPolicy(
      int maxAttempts,
      long initialDelayNanos,
      long maxDelayNanos,
      boolean jitter,
      Predicate<? super Throwable> retryOn) {
    this.maxAttempts = maxAttempts;
    this.initialDelayNanos = initialDelayNanos;
    this.maxDelayNanos = maxDelayNanos;
    this.jitter = jitter;
    this.retryOn = retryOn;
  }

  private static boolean never(Throwable failure) {
    return false;
  }

  private static boolean isException(Throwable failure) {
    return failure instanceof Exception;
  }

  /**
   * One attempt, no retry: any failure is final ({@link JobStatus#FAILED}). The default.
   *
   * @return the policy that never retries
   */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * Up to {@code maxAttempts} attempts with exponential backoff and full jitter, retrying on any
   * {@link Exception} (not on an {@link Error}).
   *
   * @param maxAttempts attempts in all, the first included; from 1 to {@value #MAX_ATTEMPTS} (a
   *     job's count of attempts shares an int with its status)
   * @param initialDelay the cap on the wait after the first failure; zero or positive
   * @param maxDelay the cap on any wait; at least {@code initialDelay}
   * @return the policy
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException if {@code maxAttempts} is out of range, a duration is negative
   *     or too long for a long of nanoseconds, or {@code maxDelay < initialDelay}
   */
  public static RetryPolicy exponentialBackoff(
      int maxAttempts, Duration initialDelay, Duration maxDelay) {
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException(
          "maxAttempts must be between 1 and " + MAX_ATTEMPTS + ": " + maxAttempts);
    }
    long initial = Checks.nonNegativeNanos(initialDelay, "initialDelay");
    long max = Checks.nonNegativeNanos(maxDelay, "maxDelay");
    if (max < initial) {
      throw new IllegalArgumentException(
          "maxDelay must not be less than initialDelay: " + maxDelay + " < " + initialDelay);
    }
    return new RetryPolicy(maxAttempts, initial, max, true, RetryPolicy::isException);
  }

  /**
   * Returns a copy that retries only the errors {@code predicate} accepts.
   *
   * @param predicate true for an error worth another attempt
   * @return the new policy
   * @throws NullPointerException if {@code predicate} is null
   */
  public RetryPolicy retryOn(Predicate<? super Throwable> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    return new RetryPolicy(maxAttempts, initialDelayNanos, maxDelayNanos, jitter, predicate);
  }

  /**
   * Returns a copy that waits exactly the backoff cap instead of a random time below it. Use it
   * only when a single client retries; many clients without jitter retry in synchronized waves.
   *
   * @return the new policy
   */
  public RetryPolicy withoutJitter() {
    return new RetryPolicy(maxAttempts, initialDelayNanos, maxDelayNanos, false, retryOn);
  }

  /**
   * Returns the number of attempts allowed, the first included.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns whether the policy retries {@code failure} (attempts allowing).
   *
   * @param failure an attempt's error
   * @return the predicate's answer
   */
  public boolean retries(Throwable failure) {
    return retryOn.test(failure);
  }

  /**
   * Returns the backoff cap after the given number of failed attempts: {@code min(maxDelay,
   * initialDelay * 2^(failedAttempts-1))}.
   *
   * @param failedAttempts failed attempts so far, at least 1
   * @return the cap on the next wait
   * @throws IllegalArgumentException if {@code failedAttempts < 1}
   */
  public Duration backoffCap(int failedAttempts) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be positive: " + failedAttempts);
    }
    return Duration.ofNanos(capNanos(failedAttempts));
  }

  long capNanos(int failedAttempts) {
    int shift = failedAttempts - 1;
    if (shift >= Long.SIZE - 2 || initialDelayNanos > (maxDelayNanos >> shift)) {
      return maxDelayNanos; // the doubling has passed the cap (and would overflow soon)
    }
    return Math.min(maxDelayNanos, initialDelayNanos << shift);
  }

  /**
   * The wait before the next attempt.
   *
   * @param unit a uniform random number in [0, 1), used only with jitter
   */
  long delayNanos(int failedAttempts, double unit) {
    long cap = capNanos(failedAttempts);
    return jitter ? (long) (unit * cap) : cap;
  }

  @Override
  public String toString() {
    return this == NONE
        ? "RetryPolicy{none}"
        : "RetryPolicy{maxAttempts="
            + maxAttempts
            + ", initialDelay="
            + Duration.ofNanos(initialDelayNanos)
            + ", maxDelay="
            + Duration.ofNanos(maxDelayNanos)
            + (jitter ? ", full jitter}" : ", no jitter}");
  }
}
