package dev.sysblocks.ratelimit;

/**
 * One fixed window of a windowed limiter: where it lies (its epoch's start and window length, and
 * its index in that epoch), the limit it counts against, the count of the window before it (frozen
 * when this one opened), and its own count, the one contended word. Windows are replaced by CAS on
 * the limiter's reference when time crosses a boundary or the limit changes, so the steady state
 * allocates nothing: one object per window, not per request.
 */
final class WindowCounter {

  /** Start of this window's epoch: ns since the limiter's origin. */
  final long start;

  /** Window length of the epoch, in ns. */
  final long length;

  /** The limit counted against; {@link #permits} is its permits per window. */
  final Limit limit;

  /** Permits per window. */
  final long permits;

  /** Window number in the epoch: floor((elapsed - start) / length). */
  final long index;

  /** Permits admitted in the previous window (index - 1); 0 if that window saw none. */
  final long previous;

  /**
   * A limit that setLimit asked for, written before it closes this window: whoever finds the window
   * closed replaces it by a window counting against this limit, so no caller waits for setLimit.
   */
  private volatile Limit requested;

  /** Admitted permits, with the sign bit set once closed; alone on its cache line. */
  private final LongCell count;

  /**
   * A window of an epoch starting at {@code start} (ns since the origin) with windows of {@code
   * length} ns, counting against {@code limit}, already holding {@code count} permits.
   */
  WindowCounter(long start, long length, Limit limit, long index, long previous, long count) {
    this.start = start;
    this.length = length;
    this.limit = limit;
    this.permits = limit.permits();
    this.index = index;
    this.previous = previous;
    this.count = new LongCell(count);
  }

  /** Sign bit of {@link #count}: set once the window is closed; the count is in the other bits. */
  private static final long CLOSED = Long.MIN_VALUE;

  static final int TAKEN = 1;
  static final int DENIED = 0;
  static final int WINDOW_CLOSED = -1;

  /** Window index of the epoch at {@code elapsed}; 0 for a reading older than the epoch. */
  long indexAt(long elapsed) {
    long since = elapsed - start;
    return since <= 0 ? 0 : since / length;
  }

  /** Offset of {@code elapsed} into this window; 0 for a reading older than the window. */
  long offsetAt(long elapsed) {
    return Math.max(0, elapsed - start - index * length);
  }

  /** True once closed: read before refusing a request by a limit that may be replaced. */
  boolean isClosed() {
    return count.getVolatile() < 0;
  }

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

  /** Asks for this window to be replaced by one counting against {@code limit}; then close it. */
  void request(Limit limit) {
    this.requested = limit; // volatile: seen by whoever sees the close that follows
  }

  /** The limit setLimit asked for, or null; read after finding the window closed. */
  Limit requested() {
    return requested;
  }

  /**
   * The window after this one at {@code nextIndex} of the same epoch, carrying this window's count
   * (which must be final: call {@link #close()} first) as its previous count if the two are
   * adjacent.
   */
  WindowCounter next(long nextIndex, long finalCount) {
    return new WindowCounter(
        start, length, limit, nextIndex, nextIndex == index + 1 ? finalCount : 0, 0);
  }
}
