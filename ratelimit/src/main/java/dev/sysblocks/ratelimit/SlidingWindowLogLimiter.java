package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Ticker;
import java.util.Arrays;
import java.util.Objects;

/**
 * A sliding window log: the exact answer to "were fewer than N permits admitted in the last
 * window's length?", kept as the timestamps of the last N admitted permits. Exact at any moment, at
 * the price of memory that grows with the limit: 8 bytes per permit of the limit.
 *
 * <pre>{@code
 * SlidingWindowLogLimiter limiter =
 *     SlidingWindowLogLimiter.of(Limit.of(100, Duration.ofMinutes(1)));   // 800 B of log
 * boolean ok = limiter.tryAcquire();
 * }</pre>
 *
 * <p>Thread-safe; decisions are serialized by a lock (the log is a ring buffer that each admission
 * writes several slots of). Use it when exactness over every sliding interval matters more than
 * memory and contention, or as the reference the approximate limiters are measured against.
 */
public final class SlidingWindowLogLimiter implements RateLimiter {

  /*
   * Problem. "At most N in any interval of length W", exactly, with no burst allowance and no
   * estimate.
   *
   * Idea. Keep the admission times of the last N permits in a ring buffer, oldest first from the
   * head. A request for n at time t passes iff the n-th oldest of them is at least W old: then at
   * most N - n permits were admitted in (t - W, t]. Admitting overwrites the n oldest with t.
   *
   *   ring (N = 6):  [ t1  t2  t3 | t4  t5  t6 ]     head -> t1 (oldest)
   *   request n = 2 at t: passes iff t2 <= t - W; then t1, t2 := t and head moves by 2
   *
   * Worked example: 3 per second; admissions at 0.1, 0.2, 0.9 s. At 1.05 s the oldest (0.1) is
   * 0.95 s old: refused. At 1.1 s it is exactly 1 s old: one permit passes, replacing 0.1.
   *
   * Invariant. For every t, permits admitted in (t - W, t] <= N: the bound the property test
   * checks over every pair of admissions. Timestamps are made non-decreasing (a stale clock
   * reading is recorded as the newest time seen), so a late caller can only be refused more.
   *
   * Changing the limit. setLimit keeps the timestamps (the newest N' if N shrinks) and applies
   * the new window to them, so the next decision is the exact one for the new limit over every
   * admission so far -- provided the log still holds every admission of the last W'. A log holds
   * only its last N; it keeps h, the newest time it has forgotten (overwritten or dropped).
   * Growing to N' > N, it fills its new slots with h: it counts what it forgot as taken at h, the
   * latest it can have been, and refuses, where an exact count might admit, until h is W' old;
   * never the other way round. A log that never shrank and whose window never grew has h at
   * least a window old and is exact. Worked example: 2 per second, admissions at 0, 0.1, 1.0 and
   * 1.1 s (h = 0.1 s); at 1.2 s set to 10 per 5 s: the exact count (4) would allow 6, the log
   * allows none until 5.1 s, then 8, exactly (WindowSetLimitTest).
   *
   * Cost. O(n) per request for n permits (usually 1), a lock; memory 8 N bytes per limiter, which
   * is why keyed limiting over millions of clients uses the counter or the bucket instead.
   *
   * Alternatives. SlidingWindowCounterLimiter: two counts, approximate (bounded by 2N - 1 in the
   * worst case, nearly exact on ordinary traffic). TokenBucketLimiter and GcraLimiter: one word,
   * exact for their own definition (a burst capacity plus a rate).
   *
   * References.
   *  [1] Stripe, "Scaling your API with rate limiters", 2017, https://stripe.com/blog/rate-limiters
   */

  /** Largest limit: the log holds one 8-byte timestamp per permit, 128 MiB at this size. */
  public static final long MAX_PERMITS = 1 << 24;

  /** A timestamp "long ago": every slot is free at the start. */
  private static final long LONG_AGO = Long.MIN_VALUE / 2;

  private final Ticker ticker;
  private volatile Limit limit; // written under lock
  private final long origin;
  private final Object lock = new Object();

  /** Window length in ns; guarded by lock, changed by setLimit. */
  private long window;

  /** Admission times (ns since origin) of the last N permits, oldest at head; guarded by lock. */
  private long[] log; // guarded by lock; replaced by setLimit

  private int head;
  private long newest;

  /**
   * The newest admission time the log no longer holds (overwritten, or dropped when the limit
   * shrank); every admission after it is in the log. Guarded by lock.
   */
  private long forgotten = LONG_AGO;

  private SlidingWindowLogLimiter(Limit limit, Ticker ticker) {
    this.ticker = ticker;
    this.limit = limit;
    this.window = limit.periodNanos();
    this.origin = ticker.read();
    this.log = new long[(int) limit.permits()];
    Arrays.fill(log, LONG_AGO);
  }

  /**
   * A sliding-log limiter on the system clock.
   *
   * @param limit permits per window, at most {@value #MAX_PERMITS}: {@code Limit.of(permits,
   *     window)}
   * @return a new limiter
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if the limit is too large or has a capacity of its own
   */
  public static SlidingWindowLogLimiter of(Limit limit) {
    return of(limit, Ticker.system());
  }

  /**
   * A sliding-log limiter reading time from {@code ticker}.
   *
   * @param limit permits per window, at most {@value #MAX_PERMITS}
   * @param ticker the time source
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the limit is too large or has a capacity of its own
   */
  public static SlidingWindowLogLimiter of(Limit limit, Ticker ticker) {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(ticker, "ticker");
    checkLimit(limit);
    return new SlidingWindowLogLimiter(limit, ticker);
  }

  private static void checkLimit(Limit limit) {
    if (limit.capacity() != limit.permits() || limit.initialPermits() != limit.permits()) {
      throw new IllegalArgumentException(
          "window limiters have no burst capacity or initial permits: use Limit.of(permits,"
              + " window), not "
              + limit);
    }
    if (limit.permits() > MAX_PERMITS) {
      throw new IllegalArgumentException(
          "a sliding log keeps one timestamp per permit: at most "
              + MAX_PERMITS
              + " permits per window, not "
              + limit.permits());
    }
  }

  /**
   * Replaces the limit, from now on; permits and window length may both change. The admission times
   * are kept (the newest of them, if the limit shrinks) and the new window applies to them at once,
   * so the next decision is the exact one for the new limit over the admissions so far. One case is
   * conservative rather than exact: a log grown beyond what it held cannot know the admissions it
   * had already forgotten, so it counts them as taken at the newest forgotten time, refusing until
   * that time is a whole new window old. Setting the current limit again is a no-op.
   *
   * @param limit the new limit
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if it has a burst capacity, or too many permits
   */
  public void setLimit(Limit limit) {
    Objects.requireNonNull(limit, "limit");
    checkLimit(limit);
    synchronized (lock) {
      if (this.limit.equals(limit)) {
        return;
      }
      int size = (int) limit.permits();
      int kept = Math.min(size, log.length);
      if (kept < log.length) {
        forgotten = log[slot(log.length - kept - 1)]; // the newest dropped: ring order is by time
      }
      long[] next = new long[size];
      Arrays.fill(next, 0, size - kept, forgotten); // a grown log's oldest slots: see above
      for (int k = 1; k <= kept; k++) {
        next[size - k] = log[slot(log.length - k)]; // the newest admissions, newest last
      }
      log = next;
      head = 0;
      window = limit.periodNanos();
      this.limit = limit;
    }
  }

  @Override
  public boolean tryAcquire(long permits) {
    long now = Math.max(0, ticker.read() - origin);
    synchronized (lock) {
      checkPermits(permits);
      return admit(now, (int) permits);
    }
  }

  @Override
  public Decision decide(long permits) {
    long now = Math.max(0, ticker.read() - origin);
    synchronized (lock) {
      checkPermits(permits);
      boolean taken = admit(now, (int) permits);
      long t = newest;
      long free = 0;
      while (free < log.length && log[slot((int) free)] <= t - window) {
        free++;
      }
      long retry = taken ? 0 : log[slot((int) permits - 1)] + window - t;
      long reset = log[slot(log.length - 1)] + window - t;
      return new Decision(taken, log.length, free, Math.max(0, retry), Math.max(0, reset));
    }
  }

  @Override
  public long availablePermits() {
    long now = Math.max(0, ticker.read() - origin);
    synchronized (lock) {
      long t = Math.max(now, newest);
      int free = 0;
      while (free < log.length && log[slot(free)] <= t - window) {
        free++;
      }
      return free;
    }
  }

  /**
   * Returns the limit: permits per window.
   *
   * @return the limit
   */
  public Limit limit() {
    return limit;
  }

  @Override
  public String toString() {
    return "SlidingWindowLogLimiter[" + limit + "]";
  }

  /** Caller holds the lock. */
  private boolean admit(long now, int permits) {
    long t = Math.max(now, newest); // timestamps never go backwards
    newest = t;
    if (log[slot(permits - 1)] > t - window) {
      return false; // the n-th oldest admission is still inside the window
    }
    forgotten = log[slot(permits - 1)]; // the newest of those overwritten
    for (int i = 0; i < permits; i++) {
      log[slot(i)] = t;
    }
    head = slot(permits);
    return true;
  }

  /** Index of the i-th oldest entry. */
  private int slot(int i) {
    int s = head + i;
    return s >= log.length ? s - log.length : s;
  }

  private void checkPermits(long permits) {
    if (permits < 1 || permits > log.length) {
      throw new IllegalArgumentException(
          "permits must be between 1 and the limit " + log.length + ": " + permits);
    }
  }
}
