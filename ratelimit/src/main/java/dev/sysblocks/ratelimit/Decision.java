package dev.sysblocks.ratelimit;

import java.time.Duration;

/**
 * The outcome of {@link RateLimiter#decide(long)}: whether the permits were taken, and what an HTTP
 * API puts in its {@code Retry-After} and {@code RateLimit-*} headers.
 *
 * <pre>{@code
 * Decision d = limiter.decide(1);
 * response.setHeader("RateLimit-Limit", String.valueOf(d.limit()));
 * response.setHeader("RateLimit-Remaining", String.valueOf(d.remaining()));
 * response.setHeader("RateLimit-Reset", String.valueOf(d.resetSeconds()));
 * if (!d.allowed()) {
 *   response.setHeader("Retry-After", String.valueOf(d.retryAfterSeconds()));
 *   response.setStatus(429);
 * }
 * }</pre>
 *
 * @param allowed true if the permits were taken
 * @param limit the capacity of the limit that decided (for several limits: the one with the fewest
 *     permits left)
 * @param remaining permits still available after this decision
 * @param retryAfterNanos 0 if allowed; otherwise how long until the same request would be allowed,
 *     if nothing else takes permits meanwhile ({@code Long.MAX_VALUE}: never)
 * @param resetNanos how long until the limiter is full again, if nothing takes permits meanwhile
 */
public record Decision(
    boolean allowed, long limit, long remaining, long retryAfterNanos, long resetNanos) {

  /**
   * Returns the wait before retrying as a duration.
   *
   * @return the retry-after duration (zero if allowed)
   */
  public Duration retryAfter() {
    return Duration.ofNanos(retryAfterNanos);
  }

  /**
   * Returns the wait before retrying in whole seconds, rounded up, as {@code Retry-After} wants.
   *
   * @return seconds, at least 1 when not allowed
   */
  public long retryAfterSeconds() {
    return ceilSeconds(retryAfterNanos);
  }

  /**
   * Returns the time until the limiter is full again in whole seconds, rounded up, as {@code
   * RateLimit-Reset} wants.
   *
   * @return seconds
   */
  public long resetSeconds() {
    return ceilSeconds(resetNanos);
  }

  private static long ceilSeconds(long nanos) {
    return nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1);
  }
}
