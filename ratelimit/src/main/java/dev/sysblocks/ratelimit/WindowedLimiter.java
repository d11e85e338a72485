package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Ticker;
import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the fixed-window and sliding-window-counter limiters share: windows of one period aligned to
 * the limiter's start, a lock-free counter per window, and the switch from one window to the next.
 * Subclasses say how many permits the current window may still admit.
 */
abstract class WindowedLimiter implements RateLimiter {

  final Ticker ticker;
  volatile Limit limit;
  final long origin;
  final long window;
  volatile long permitsPerWindow;
  private final AtomicReference<WindowCounter> current;

  WindowedLimiter(Limit limit, Ticker ticker) {
    Objects.requireNonNull(limit, "limit");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    checkWindowLimit(limit);
    this.limit = limit;
    this.window = limit.periodNanos();
    this.permitsPerWindow = limit.permits();
    this.origin = ticker.read();
    this.current = new AtomicReference<>(new WindowCounter(0, 0));
  }

  /**
   * Permits the window may hold in total at {@code offset} ns into it, given the previous window's
   * count; a request for n passes iff count + n stays within this.
   */
  abstract long allowed(long previous, long offset);

  /** Nanoseconds from {@code offset} in the current window until a request for n would pass. */
  abstract long retryAfter(long previous, long count, long permits, long offset);

  /** Nanoseconds from {@code offset} until the limiter has forgotten every admitted permit. */
  abstract long reset(long previous, long count, long offset);

  @Override
  public final boolean tryAcquire(long permits) {
    checkPermits(permits);
    long elapsed = elapsed();
    long index = elapsed / window;
    for (; ; ) {
      WindowCounter w = windowFor(index);
      long offset = Math.max(0, elapsed - w.index * window);
      int result = w.tryAdd(permits, allowed(w.previous, offset));
      if (result != WindowCounter.WINDOW_CLOSED) {
        return result == WindowCounter.TAKEN;
      }
    }
  }

  @Override
  public final Decision decide(long permits) {
    checkPermits(permits);
    long elapsed = elapsed();
    long index = elapsed / window;
    for (; ; ) {
      WindowCounter w = windowFor(index);
      long offset = Math.max(0, elapsed - w.index * window);
      long allowed = allowed(w.previous, offset);
      int result = w.tryAdd(permits, allowed);
      if (result == WindowCounter.WINDOW_CLOSED) {
        continue;
      }
      long count = w.countVolatile();
      boolean taken = result == WindowCounter.TAKEN;
      return new Decision(
          taken,
          permitsPerWindow,
          Math.max(0, allowed - count),
          taken ? 0 : retryAfter(w.previous, count, permits, offset),
          reset(w.previous, count, offset));
    }
  }

  @Override
  public final long availablePermits() {
    long elapsed = elapsed();
    WindowCounter w = windowFor(elapsed / window);
    long offset = Math.max(0, elapsed - w.index * window);
    return Math.max(0, allowed(w.previous, offset) - w.countVolatile());
  }

  /**
   * Returns the limit: permits per window.
   *
   * @return the limit
   */
  public final Limit limit() {
    return limit;
  }

  /**
   * Changes the number of permits per window, from now on; the window's length cannot change. The
   * counts of the current and previous windows are kept, so a client that used up the old limit
   * does not get a fresh window by the change.
   *
   * @param limit the new limit, with the same period and no burst capacity
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if its period differs, or it has a burst capacity or initial
   *     permits
   */
  public final void setLimit(Limit limit) {
    Objects.requireNonNull(limit, "limit");
    checkWindowLimit(limit);
    if (limit.periodNanos() != window) {
      throw new IllegalArgumentException(
          "a window limiter can change its permits, not its window of "
              + java.time.Duration.ofNanos(window)
              + ": "
              + limit);
    }
    synchronized (this) {
      this.permitsPerWindow = limit.permits(); // read by every decision; a racing one used the old
      this.limit = limit;
    }
  }

  static void checkWindowLimit(Limit limit) {
    if (limit.capacity() != limit.permits() || limit.initialPermits() != limit.permits()) {
      throw new IllegalArgumentException(
          "window limiters have no burst capacity or initial permits: use Limit.of(permits,"
              + " window), not "
              + limit);
    }
  }

  /**
   * The window to count in: the current one, after moving to {@code index} if time has passed its
   * end. A caller whose clock reading is older than the current window counts in the current one.
   */
  private WindowCounter windowFor(long index) {
    for (; ; ) {
      WindowCounter w = current.get();
      if (w.index >= index) {
        return w;
      }
      // successor closes w first: no admission can land in it afterwards, so its count is final.
      current.compareAndSet(w, w.successor(index)); // losing means another caller advanced it
    }
  }

  private void checkPermits(long permits) {
    if (permits < 1 || permits > permitsPerWindow) {
      throw new IllegalArgumentException(
          "permits must be between 1 and the limit " + permitsPerWindow + ": " + permits);
    }
  }

  private long elapsed() {
    return Math.max(0, ticker.read() - origin); // wrap-safe difference
  }

  /** ceil(a * b / c) for non-negative a, b and positive c, saturating at Long.MAX_VALUE. */
  static long ceilMulDiv(long a, long b, long c) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if (high == 0 && low >= 0) {
      return low / c + (low % c == 0 ? 0 : 1);
    }
    BigInteger[] qr =
        BigInteger.valueOf(a)
            .multiply(BigInteger.valueOf(b))
            .divideAndRemainder(BigInteger.valueOf(c));
    BigInteger ceil = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    return ceil.bitLength() < 64 ? ceil.longValue() : Long.MAX_VALUE;
  }
}
