package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Ticker;
import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the fixed-window and sliding-window-counter limiters share: windows of one length aligned to
 * the start of an epoch (the limiter's start, or the last change of window length), a lock-free
 * counter per window, and the switch from one window to the next or to a new limit. Subclasses say
 * how much of the previous window's count still weighs at an offset into the current one.
 */
abstract class WindowedLimiter implements RateLimiter {

  final Ticker ticker;
  final long origin;
  private final Object configLock = new Object();

  /** The window being counted in; replaced by CAS (time passing, or a new limit). */
  private final AtomicReference<WindowCounter> current;

  WindowedLimiter(Limit limit, Ticker ticker) {
    Objects.requireNonNull(limit, "limit");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    checkWindowLimit(limit);
    this.origin = ticker.read();
    this.current = new AtomicReference<>(new WindowCounter(0, limit.periodNanos(), limit, 0, 0, 0));
  }

  /**
   * The share of {@code previous} (the previous window's count) that still counts at {@code offset}
   * ns into a window of {@code length} ns: a request for n passes iff count + share + n stays
   * within the limit.
   */
  abstract long weight(long previous, long offset, long length);

  /** Nanoseconds from {@code offset} in window w until a request for n would pass. */
  abstract long retryAfter(WindowCounter w, long count, long permits, long offset);

  /** Nanoseconds from {@code offset} in window w until the limiter has forgotten every permit. */
  abstract long reset(WindowCounter w, long count, long offset);

  @Override
  public final boolean tryAcquire(long permits) {
    checkPositive(permits);
    long now = elapsed();
    for (; ; ) {
      WindowCounter w = windowAt(now);
      if (permits > w.permits && tooMany(w, permits, now)) {
        continue;
      }
      int result = w.tryAdd(permits, allowed(w, w.offsetAt(now)));
      if (result != WindowCounter.WINDOW_CLOSED) {
        return result == WindowCounter.TAKEN;
      }
      replace(w, now); // closed by a boundary or a new limit: install its successor, or see it
    }
  }

  @Override
  public final Decision decide(long permits) {
    checkPositive(permits);
    long now = elapsed();
    for (; ; ) {
      WindowCounter w = windowAt(now);
      if (permits > w.permits && tooMany(w, permits, now)) {
        continue;
      }
      long offset = w.offsetAt(now);
      long allowed = allowed(w, offset);
      int result = w.tryAdd(permits, allowed);
      if (result == WindowCounter.WINDOW_CLOSED) {
        replace(w, now);
        continue;
      }
      long count = w.countVolatile();
      boolean taken = result == WindowCounter.TAKEN;
      return new Decision(
          taken,
          w.permits,
          Math.max(0, allowed - count),
          taken ? 0 : retryAfter(w, count, permits, offset),
          reset(w, count, offset));
    }
  }

  @Override
  public final long availablePermits() {
    long now = elapsed();
    WindowCounter w = windowAt(now);
    return Math.max(0, allowed(w, w.offsetAt(now)) - w.countVolatile());
  }

  /**
   * Returns the limit: permits per window.
   *
   * @return the limit
   */
  public final Limit limit() {
    return current.get().limit;
  }

  /**
   * Replaces the limit, from now on; permits and window length may both change. Nothing admitted
   * before is forgotten by the change:
   *
   * <ul>
   *   <li>with the same window length, the running window goes on under the new permits, its counts
   *       (and the previous window's) kept, so a client that used up the old limit does not get a
   *       fresh window by the change;
   *   <li>with a new window length, a new epoch starts now: windows of the new length from this
   *       instant, the first of them starting with the permits the limiter held against its limit
   *       at the change (the class essay derives the bound this keeps).
   * </ul>
   *
   * Setting the current limit again is a no-op. Decisions are not blocked by the change: a caller
   * that finds the running window closed for it installs the new window itself.
   *
   * @param limit the new limit, with no burst capacity
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if it has a burst capacity or initial permits
   */
  public final void setLimit(Limit limit) {
    Objects.requireNonNull(limit, "limit");
    checkWindowLimit(limit);
    synchronized (configLock) {
      for (; ; ) {
        WindowCounter w = current.get();
        if (w.limit.equals(limit)) {
          // Unchanged, or installed (by this thread or a caller that found w closed): windows of
          // the same epoch copy their limit, and only this thread requests a change.
          return;
        }
        // The request is written before the close (volatile), so whoever sees w closed sees it;
        // if w was closed by a boundary first, its successor may ignore it: then go round again.
        w.request(limit);
        replace(w, elapsed());
      }
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

  /** The window being counted in now: for tests that play a setLimit stalled mid-way. */
  final WindowCounter currentWindow() {
    return current.get();
  }

  /** Permits window w may hold in total at {@code offset} ns into it. */
  private long allowed(WindowCounter w, long offset) {
    return w.permits - weight(w.previous, offset, w.length);
  }

  /**
   * The window to count in at {@code now}: the current one, after moving to the window of now if
   * time has passed its end. A caller whose reading is older than the current window counts in it.
   */
  private WindowCounter windowAt(long now) {
    for (; ; ) {
      WindowCounter w = current.get();
      if (w.indexAt(now) <= w.index) {
        return w;
      }
      replace(w, now);
    }
  }

  /**
   * Closes w (idempotent: no admission can land in it afterwards, so its count is final) and
   * installs its successor: the window of a limit setLimit requested, else the window of now (at
   * least the next one: a caller behind whoever closed w starts the next window early, as if it had
   * arrived then). Losing the CAS means another caller replaced w first.
   */
  private void replace(WindowCounter w, long now) {
    long finalCount = w.close();
    Limit requested = w.requested(); // after the close: see WindowedLimiter#setLimit
    WindowCounter next =
        requested != null
            ? changed(w, finalCount, requested, now)
            : w.next(Math.max(w.index + 1, w.indexAt(now)), finalCount);
    current.compareAndSet(w, next);
  }

  /**
   * The window that replaces the closed window w (final count {@code finalCount}) when the limit
   * becomes {@code limit} at {@code now}: the same window under the new permits if the length is
   * unchanged; else window 0 of a new epoch starting at now (never before w started), holding what
   * the limiter held against its limit at that instant.
   */
  private WindowCounter changed(WindowCounter w, long finalCount, Limit limit, long now) {
    long length = limit.periodNanos();
    if (length == w.length) {
      return new WindowCounter(w.start, length, limit, w.index, w.previous, finalCount);
    }
    long start = Math.max(now, w.start + w.index * w.length);
    long at = w.indexAt(start); // the old epoch's window at the change: w's, or a later one
    long offset = start - w.start - at * w.length;
    long held;
    if (at == w.index) {
      held = finalCount + weight(w.previous, offset, w.length);
    } else if (at == w.index + 1) {
      held = weight(finalCount, offset, w.length); // no admission yet in the window after w
    } else {
      held = 0;
    }
    return new WindowCounter(start, length, limit, 0, 0, held);
  }

  private void checkPositive(long permits) {
    if (permits < 1) {
      throw new IllegalArgumentException(
          "permits must be between 1 and the limit " + current.get().permits + ": " + permits);
    }
  }

  /**
   * A request for more than w's limit: true (decide again) if w was closed, as its replacement may
   * have a larger limit; else the request could never pass.
   *
   * @throws IllegalArgumentException if w is open
   */
  private boolean tooMany(WindowCounter w, long permits, long now) {
    if (w.isClosed()) {
      replace(w, now);
      return true;
    }
    throw new IllegalArgumentException(
        "permits must be between 1 and the limit " + w.permits + ": " + permits);
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
