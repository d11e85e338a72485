package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Ticker;
import java.math.BigInteger;

/**
 * A sliding window counter: the fixed window's two counters, weighted. It estimates the permits
 * admitted in the last window's length as the current window's count plus the previous window's
 * count scaled by how much of the previous window still lies inside that length, and admits while
 * the estimate stays within the limit. Constant memory, no boundary burst of 2N.
 *
 * <pre>{@code
 * SlidingWindowCounterLimiter limiter =
 *     SlidingWindowCounterLimiter.of(Limit.of(100, Duration.ofMinutes(1)));
 * boolean ok = limiter.tryAcquire();
 * }</pre>
 *
 * <p>Thread-safe and lock-free: one CAS per admission, no write on a refusal, one small object per
 * window. The permits and the window length can be changed at run time ({@link #setLimit});
 * decisions do not wait for the change.
 */
public final class SlidingWindowCounterLimiter extends WindowedLimiter {

  /*
   * Problem. A fixed window lets 2N through across a boundary; an exact sliding log costs memory
   * proportional to N per client. Approximate the log with two numbers.
   *
   * Idea. At offset t into window k (length W), with p permits counted in window k-1 and c in
   * window k, estimate the permits in the last W as
   *
   *     p * (W - t) / W + c           admit n iff  ceil(p * (W - t) / W) + c + n <= N
   *
   *   window k-1 (p = 80)            window k (c so far)
   *   |--------------------------|-------------t------------|
   *              |<------------ last W ------------>|
   *              share (W - t)/W of window k-1, assumed evenly spread
   *
   * Worked example: 100 per minute; window k-1 admitted 80; 15 s into window k (t/W = 1/4), the
   * previous window still weighs 80 * 3/4 = 60, so window k may hold 40 so far; at 45 s it weighs
   * 20 and window k may hold 80.
   *
   * Invariant and worst case. The estimate assumes the previous window's permits were evenly
   * spread. Derivation of the worst case: an interval (s, s + W] spans the end of some window k-1
   * (s at offset t in it) and the start of window k up to the same offset t. It holds at most the p
   * permits of window k-1, and window k admits at most N - ceil(p (W - t) / W) up to offset t, so
   * the interval holds at most N + p t / W < 2N, i.e. at most 2N - 1, reached only when window k-1
   * admitted its N permits at its very end (WindowLimitersTest builds that case and
   * measures 2N - 1 = 199 for N = 100). The opposite error, refusing when the exact log would
   * admit, happens when the previous window's permits came early. Measured on Poisson traffic
   * (WindowLimitersTest, 10^6 requests): against an exact count of the same admissions, 0% of
   * decisions differ at half the limit and 0.04% at 0.9 of it; at and above the limit every request
   * is a decision at the margin and the estimate, which lags an exact count by up to one permit,
   * differs often (14% at 1x, 84% at 10x) while admitting within 1% as many permits as the exact
   * log. Cloudflare's 0.003% figure [1] is of this kind: most of their traffic is far below its
   * limits.
   *
   * Changing the limit. The same window length keeps both counts. A new length W' starts an epoch
   * at the change t0 (windows of W' from t0) whose first window starts with the estimate at t0,
   * E = ceil(p (W - t) / W) + c -- the very number the limiter compared with N there -- as if E
   * permits had been taken at t0. The estimate is continuous across the change; the next window
   * weighs E plus what the first admitted, so old traffic is forgotten within 2W'. Bound: with E
   * placed at t0, the derivation above holds unchanged inside the epoch: an interval of length
   * W' holds at most max(2N' - 1, E) (E > N' only when the limit shrank, and then the first
   * window admits nothing); and from the start of the old running window to the end of the first
   * new one at most max(N, N') pass, so the switch mints no permit. Worked example: 100 per
   * minute, window k-1 admitted 80, 20 taken by 15 s into window k: E = 60 + 20 = 80. Set to 100
   * per 10 s: the first 10 s admit 20; the next window weighs 100, so 5 s into it 50 may pass;
   * after 20 s, 100 (WindowSetLimitTest). WindowSetLimitPropertyTest checks decisions and both
   * bounds against a model that keeps every admission; concurrency as in FixedWindowLimiter.
   *
   * Cost. O(1): a clock read, a division, two multiplications, a CAS. Memory: two counts.
   *
   * Alternatives. SlidingWindowLogLimiter: exact, memory grows with N. TokenBucketLimiter: exact
   * bound N + accrued, one word, a burst parameter instead of a window.
   *
   * References.
   *  [1] Cloudflare, "How we built rate limiting capable of scaling to millions of domains", 2017,
   *      https://blog.cloudflare.com/counting-things-a-lot-of-different-things/
   */

  private SlidingWindowCounterLimiter(Limit limit, Ticker ticker) {
    super(limit, ticker);
  }

  /**
   * A sliding-window-counter limiter on the system clock.
   *
   * @param limit permits per window: {@code Limit.of(permits, window)}
   * @return a new limiter
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if the limit has a capacity or initial permits of its own
   */
  public static SlidingWindowCounterLimiter of(Limit limit) {
    return of(limit, Ticker.system());
  }

  /**
   * A sliding-window-counter limiter reading time from {@code ticker}.
   *
   * @param limit permits per window: {@code Limit.of(permits, window)}
   * @param ticker the time source
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the limit has a capacity or initial permits of its own
   */
  public static SlidingWindowCounterLimiter of(Limit limit, Ticker ticker) {
    return new SlidingWindowCounterLimiter(limit, ticker);
  }

  @Override
  long weight(long previous, long offset, long length) {
    return ceilMulDiv(previous, length - offset, length);
  }

  @Override
  long retryAfter(WindowCounter w, long count, long permits, long offset) {
    long window = w.length;
    long room = w.permits - count - permits;
    if (room >= 0 && w.previous > 0) {
      // Need ceil(previous * (W - t) / W) <= room, i.e. t >= W - floor(room * W / previous).
      long at = window - floorMulDiv(room, window, w.previous);
      if (at < window) {
        return Math.max(0, at - offset);
      }
    }
    // Not in this window: in the next one, this window's count becomes the previous one.
    long nextRoom = w.permits - permits;
    long at = count == 0 ? 0 : window - floorMulDiv(nextRoom, window, count);
    return window - offset + at;
  }

  @Override
  long reset(WindowCounter w, long count, long offset) {
    if (count > 0) {
      return w.length - offset + w.length;
    }
    return w.previous > 0 ? w.length - offset : 0;
  }

  @Override
  public String toString() {
    return "SlidingWindowCounterLimiter[" + limit() + "]";
  }

  /** floor(a * b / c) for non-negative a, b and positive c, saturating at Long.MAX_VALUE. */
  static long floorMulDiv(long a, long b, long c) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if (high == 0 && low >= 0) {
      return low / c;
    }
    BigInteger q =
        BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(c));
    return q.bitLength() < 64 ? q.longValue() : Long.MAX_VALUE;
  }
}
