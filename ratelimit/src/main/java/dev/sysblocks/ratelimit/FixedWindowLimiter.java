package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Ticker;

/**
 * A fixed window counter: at most {@code permits} per window, windows back to back from the
 * limiter's start, the count reset at each boundary. The simplest limiter there is, and the one
 * whose flaw every other window design exists to fix: a client can pass the full limit at the end
 * of one window and again at the start of the next, twice the limit within one window's length.
 *
 * <pre>{@code
 * FixedWindowLimiter limiter = FixedWindowLimiter.of(Limit.of(100, Duration.ofMinutes(1)));
 * boolean ok = limiter.tryAcquire();
 * }</pre>
 *
 * <p>Thread-safe and lock-free: one CAS per admission on the window's counter, no write on a
 * refusal, one small object allocated per window (not per request).
 */
public final class FixedWindowLimiter extends WindowedLimiter {

  /*
   * Problem. Count requests per client per minute and refuse the 101st: what most dashboards and
   * quota systems mean by "100 per minute".
   *
   * Idea. Time is cut into windows [kW, (k+1)W) from the start; each window has one counter; a
   * request for n passes iff count + n <= N. At the boundary the counter starts again from zero.
   *
   * Invariant and its flaw. At most N per window. But a sliding interval of length W that straddles
   * a boundary can hold 2N:
   *
   *      window k-1          |        window k
   *   ...............NNNNNNNN|NNNNNNNN...............
   *                  \______ one window's length ____/  holds 2N
   *
   * Worked example: 100 per minute; 100 requests at 00:59.9 and 100 at 01:00.1 all pass: 200 in
   * 0.2 s (WindowLimitersTest shows it). SlidingWindowCounterLimiter bounds that interval below
   * 2N and close to N for ordinary traffic; TokenBucketLimiter and GcraLimiter bound it at N plus
   * what accrues in the interval.
   *
   * Cost. O(1): a clock read, a division for the window index, a CAS. Memory: one counter.
   *
   * Concurrency. The counter is one padded word; moving to a new window closes the old counter
   * with a CAS (its count is final from then on) and swaps in a new one; callers that meet a closed
   * counter retry on the new one. A caller with a stale clock reading counts in the current window.
   *
   * References.
   *  [1] "Rate limiting", Google Cloud Architecture Center, and Stripe's "Scaling your API with
   *      rate limiters" (2017), https://stripe.com/blog/rate-limiters -- fixed windows and their
   *      boundary burst.
   */

  private FixedWindowLimiter(Limit limit, Ticker ticker) {
    super(limit, ticker);
  }

  /**
   * A fixed-window limiter on the system clock.
   *
   * @param limit permits per window: {@code Limit.of(permits, window)}
   * @return a new limiter
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if the limit has a capacity or initial permits of its own
   */
  public static FixedWindowLimiter of(Limit limit) {
    return of(limit, Ticker.system());
  }

  /**
   * A fixed-window limiter reading time from {@code ticker}.
   *
   * @param limit permits per window: {@code Limit.of(permits, window)}
   * @param ticker the time source
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the limit has a capacity or initial permits of its own
   */
  public static FixedWindowLimiter of(Limit limit, Ticker ticker) {
    return new FixedWindowLimiter(limit, ticker);
  }

  @Override
  long allowed(long previous, long offset) {
    return permitsPerWindow;
  }

  @Override
  long retryAfter(long previous, long count, long permits, long offset) {
    return window - offset; // the next window starts from zero
  }

  @Override
  long reset(long previous, long count, long offset) {
    return count == 0 ? 0 : window - offset;
  }

  @Override
  public String toString() {
    return "FixedWindowLimiter[" + limit + "]";
  }
}
