package dev.sysblocks.ratelimit;

/**
 * Decides whether permits may be taken now. Every implementation in this package is thread-safe,
 * reads time only from the {@link dev.sysblocks.core.Ticker} it was built with, and never admits
 * more than its algorithm's stated bound, whatever the interleaving of callers.
 *
 * <pre>{@code
 * RateLimiter limiter = TokenBucketLimiter.of(Limit.of(100, Duration.ofMinutes(1)));
 * if (limiter.tryAcquire()) {
 *   handle(request);
 * } else {
 *   reject(request);
 * }
 * }</pre>
 */
public interface RateLimiter {

  /**
   * Takes one permit if one is available now.
   *
   * @return true if the permit was taken
   */
  default boolean tryAcquire() {
    return tryAcquire(1);
  }

  /**
   * Takes {@code permits} permits if all are available now; otherwise takes none. Allocates
   * nothing.
   *
   * @param permits at least 1, at most the limiter's capacity
   * @return true if the permits were taken
   * @throws IllegalArgumentException if {@code permits} is out of range: a request larger than the
   *     capacity could never succeed
   */
  boolean tryAcquire(long permits);

  /**
   * Takes {@code permits} permits if all are available now, and reports the state an HTTP API needs
   * for its headers.
   *
   * @param permits at least 1, at most the limiter's capacity
   * @return the decision
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  Decision decide(long permits);

  /**
   * Returns the permits available now (for several limits: the fewest of any). Only an estimate
   * under concurrency: others may take permits right after.
   *
   * @return available permits, never negative
   */
  long availablePermits();
}
