package dev.sysblocks.ratelimit;

/**
 * One fixed window of a windowed limiter: its index since the limiter started, the count of the
 * window before it (frozen when this one opened), and its own count, the one contended word.
 * Windows are replaced by CAS on the limiter's reference when time crosses a boundary, so the
 * steady state allocates nothing: one object per window, not per request.
 */
final class WindowCounter {

  /** Window number: floor(elapsed / window length). */
  final long index;

  /** Permits admitted in the previous window (index - 1); 0 if that window saw none. */
  final long previous;

  /** Admitted permits, with the sign bit set once closed; alone on its cache line. */
  private final LongCell count = new LongCell(0);

  WindowCounter(long index, long previous) {
    this.index = index;
    this.previous = previous;
  }

  /** Sign bit of {@link #count}: set once the window is closed; the count is in the other bits. */
  private static final long CLOSED = Long.MIN_VALUE;

  static final int TAKEN = 1;
  static final int DENIED = 0;
  static final int WINDOW_CLOSED = -1;

  /** Volatile read: pairs with the CAS of every admission counted. */
  long countVolatile() {
    return count.getVolatile() & ~CLOSED;
  }

  /**
   * Adds {@code permits} if the count stays within {@code allowed}: TAKEN, DENIED, or WINDOW_CLOSED
   * if the window was closed (the caller moves on to its successor).
   */
  int tryAdd(long permits, long allowed) {
    long c = count.getVolatile();
    for (; ; ) {
      if (c < 0) {
        return WINDOW_CLOSED;
      }
      if (c + permits > allowed) {
        return DENIED; // no write
      }
      // Volatile compare-and-exchange: an admission must see every earlier one in this window;
      // on a lost race the witness is the next attempt's starting point.
      long witness = count.compareAndExchangeVolatile(c, c + permits);
      if (witness == c) {
        return TAKEN;
      }
      c = witness;
    }
  }

  /**
   * Closes the window for good (idempotent) and returns its final count: no admission can be added
   * after this returns, so a successor can carry the exact count.
   */
  long close() {
    long c = count.getVolatile();
    while (c >= 0) {
      long witness = count.compareAndExchangeVolatile(c, c | CLOSED);
      if (witness == c) {
        return c;
      }
      c = witness;
    }
    return c & ~CLOSED;
  }

  /**
   * Closes this window and returns the one at {@code nextIndex}, carrying this window's final count
   * as its previous count if the two are adjacent.
   */
  WindowCounter successor(long nextIndex) {
    long finalCount = close();
    return new WindowCounter(nextIndex, nextIndex == index + 1 ? finalCount : 0);
  }
}
