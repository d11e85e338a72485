package dev.sysblocks.ratelimit;

/**
 * A GCRA limit of capacity C and emission interval T split into {@link Stripes#COUNT} meters, each
 * with its TAT alone on a cache line: stripe i has capacity share(C, i) and interval k * T (k
 * stripes). Over an interval of length L stripe i admits at most share(C, i) + floor(L / (k T)), so
 * all of them at most C + k floor(L / (k T)) <= C + floor(L / T): the single meter's bound. A
 * caller takes from its own stripe, else from the first other stripe that has the permits, and is
 * refused only when no stripe has them, reading every stripe and writing none.
 *
 * <p>Stricter, never looser: a stripe that is full lets its accrual go while another is empty, so
 * after a partly idle spell the stripes may hold fewer permits than the single meter would.
 */
final class GcraStripes {

  static final int TAKEN = 1;
  static final int DENIED = 0;
  static final int CLOSED_EPOCH = -1;

  /** No stripe alone holds the permits, but together they do: the caller merges the stripes. */
  static final int FRAGMENTED = -2;

  /** A TAT meaning "closed": never a real one, which is at least 0. */
  static final long CLOSED = Long.MIN_VALUE;

  /** k * T, ns: each stripe's emission interval. */
  private final long interval;

  private final long capacity;
  private final long[] capacities = new long[Stripes.COUNT];
  private final long[] tolerances = new long[Stripes.COUNT];
  private final LongCell[] tats = new LongCell[Stripes.COUNT];

  /**
   * Stripes that continue a single meter whose TAT was {@code tat} at {@code now} (ns since the
   * origin), so that they hold its permits and accrue its next ones at the same instants. The
   * single meter was empty at X = max(tat, now) - C T and its m-th permit after that comes at X + m
   * T; stripe i takes the permits m = i + 1, i + 1 + k, ..., so it was empty at X_i = X - (k - 1 -
   * i) T and holds share(available, i) of them now. Requires tat <= now + C T (no reservation
   * pending) and {@link #fits}.
   */
  GcraStripes(long capacity, long singleInterval, long tat, long now) {
    this.interval = singleInterval << Stripes.SHIFT;
    this.capacity = capacity;
    long empty = Math.max(tat, now) - capacity * singleInterval;
    for (int i = 0; i < Stripes.COUNT; i++) {
      capacities[i] = Stripes.share(capacity, i);
      tolerances[i] = capacities[i] * interval;
      tats[i] = new LongCell(empty - (Stripes.MASK - i) * singleInterval + tolerances[i]);
    }
  }

  /** These stripes again, with the TATs they were closed with. */
  GcraStripes reopened(long[] closed) {
    return new GcraStripes(this, closed);
  }

  private GcraStripes(GcraStripes closedStripes, long[] closed) {
    this.interval = closedStripes.interval;
    this.capacity = closedStripes.capacity;
    for (int i = 0; i < Stripes.COUNT; i++) {
      capacities[i] = closedStripes.capacities[i];
      tolerances[i] = closedStripes.tolerances[i];
      tats[i] = new LongCell(closed[i]);
    }
  }

  /**
   * Longest emission interval that is split, ns: 10 µs, 100,000 permits per second. Stripes keep
   * their own phase once full, so after an idle spell k permits come together every k T rather than
   * one every T (the bound is the same); at this rate that is k permits within 160 µs at most.
   * Slower limits do not need stripes: their admissions are too rare to contend for long.
   */
  static final long MAX_INTERVAL_NANOS = 10_000;

  /**
   * True if a limit of this capacity and interval is split: fast enough (MAX_INTERVAL_NANOS), and
   * large enough that each stripe holds a permit.
   */
  static boolean fits(long capacity, long singleInterval) {
    return singleInterval <= MAX_INTERVAL_NANOS
        && capacity >= Stripes.COUNT
        && capacity + Stripes.COUNT <= (GcraLimiter.MAX_TOLERANCE_NANOS >> 1) / singleInterval;
  }

  /** TAKEN, DENIED, CLOSED_EPOCH or FRAGMENTED. */
  int tryAcquire(long now, long permits) {
    if (permits > capacities[0]) {
      return FRAGMENTED; // more than the largest stripe ever holds
    }
    long cost = permits * interval; // <= capacities[0] * interval: no overflow
    int[] probe = Stripes.probe();
    int first = probe[0] & Stripes.MASK;
    for (int j = 0; j < Stripes.COUNT; j++) {
      int i = (first + j) & Stripes.MASK;
      int result = tryStripe(i, now, cost, probe);
      if (result != DENIED) {
        return result;
      }
    }
    if (permits > 1) {
      long total = available(now);
      if (total < 0) {
        return CLOSED_EPOCH;
      }
      if (total >= permits) {
        return FRAGMENTED;
      }
    }
    return DENIED; // no write, no allocation
  }

  private int tryStripe(int i, long now, long cost, int[] probe) {
    LongCell tat = tats[i];
    long tolerance = tolerances[i];
    long current = tat.getVolatile();
    for (; ; ) {
      if (current == CLOSED) {
        return CLOSED_EPOCH;
      }
      long base = Math.max(current, now);
      if (base - now > tolerance - cost) {
        return DENIED;
      }
      long witness = tat.compareAndExchangeVolatile(current, base + cost);
      if (witness == current) {
        return TAKEN;
      }
      Stripes.moveOn(probe); // another thread uses this stripe: start elsewhere next time
      current = witness;
    }
  }

  /**
   * The headers after a decision, or null if refused while the stripes were being closed (the
   * caller decides again in the new epoch): permits left in all stripes; retry when the first
   * stripe that can hold the permits holds them (a caller takes from any stripe); reset when the
   * last is full.
   */
  Decision decision(boolean taken, long now, long permits) {
    long remaining = 0;
    long retry = Long.MAX_VALUE;
    long reset = 0;
    for (int i = 0; i < Stripes.COUNT; i++) {
      long current = tats[i].getVolatile();
      if (current == CLOSED) {
        if (!taken) {
          return null; // refused, nothing taken: decide again in the epoch that replaced this
        }
        continue; // taken, then closed: the permits count; this stripe's figures went with it
      }
      long base = Math.max(current, now);
      remaining += Math.max(0, (now + tolerances[i] - base) / interval);
      if (capacities[i] >= permits) {
        retry = Math.min(retry, Math.max(0, base + permits * interval - tolerances[i] - now));
      }
      reset = Math.max(reset, base - now);
    }
    return new Decision(taken, capacity, remaining, taken ? 0 : retry, reset);
  }

  /** Permits all stripes hold at {@code now}, or -1 if a stripe is closed. */
  long available(long now) {
    long total = 0;
    for (int i = 0; i < Stripes.COUNT; i++) {
      long current = tats[i].getVolatile();
      if (current == CLOSED) {
        return -1;
      }
      total += Math.max(0, (now + tolerances[i] - Math.max(current, now)) / interval);
    }
    return total;
  }

  /** Closes every stripe for good and returns their TATs as they were when closed. */
  long[] close() {
    return LongCell.closeAll(tats, CLOSED);
  }

  /** Permits that stripes closed with these TATs hold at {@code now}. */
  long available(long[] closed, long now) {
    long total = 0;
    for (int i = 0; i < Stripes.COUNT; i++) {
      total += Math.max(0, (now + tolerances[i] - Math.max(closed[i], now)) / interval);
    }
    return total;
  }
}
