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
 * refusal, one small object allocated per window (not per request). The permits and the window
 * length can be changed at run time ({@link #setLimit}); decisions do not wait for the change.
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
   * Changing the limit. The same window length keeps the running window and its count; the new N
   * applies at once. A new length W' starts an epoch at the change t0 -- windows [t0 + jW',
   * t0 + (j+1)W') -- whose first window starts with the count c of the old window running at t0,
   * as if those c permits had been taken at t0. Starting it at zero would hand out a fresh window
   * at every change; keeping the old grid has no meaning for a new length.
   *
   *   old window (N = 100 per min)   | epoch at t0, N' = 10 per second
   *   |==== 100 taken ====......  t0 |-- F0 starts at 100: none --|-- 10 --|-- 10 --|
   *
   * Bound. Counting c at t0, every window of the epoch holds at most max(N', c), so an interval
   * of length W' inside the epoch holds at most max(2N', c) (c > N' only when the limit shrank;
   * then F0 admits nothing); and from the start of the old running window to the end of F0 at
   * most max(N, N') pass: the switch mints no permit. A change made after the old window ended
   * carries nothing, as that window's count no longer counts. Worked example above: 100 per
   * minute, all used by 00:30; at 00:30 set to 10 per second: nothing until 00:31, then 10 per
   * second. WindowSetLimitPropertyTest checks decisions and both bounds against a model that keeps
   * every admission.
   *
   * Cost. O(1): a clock read, a division for the window index, a CAS. Memory: one counter.
   *
   * Concurrency. The counter is one padded word; moving to a new window closes the old counter
   * with a CAS (its count is final from then on) and swaps in a new one; callers that meet a closed
   * counter install its successor themselves (or see it installed) and retry there. A caller with
   * a stale clock reading counts in the current window. setLimit writes the limit it wants into
   * the running window, then closes it: whoever meets the closed window -- setLimit or any caller
   * -- builds the successor from the final count and installs it by CAS, so no decision waits for
   * a setLimit (GcraLimiter's and TokenBucketLimiter's callers wait for theirs to publish its
   * epoch). A hammer test switches window lengths under four threads: no permit lost or minted.
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
  long weight(long previous, long offset, long length) {
    return 0; // the previous window does not count
  }

  @Override
  long retryAfter(WindowCounter w, long count, long permits, long offset) {
    return w.length - offset; // the next window starts from zero
  }

  @Override
  long reset(WindowCounter w, long count, long offset) {
    return count == 0 ? 0 : w.length - offset;
  }

  @Override
  public String toString() {
    return "FixedWindowLimiter[" + limit() + "]";
  }
}
