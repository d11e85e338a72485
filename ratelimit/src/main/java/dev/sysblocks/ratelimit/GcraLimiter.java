package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Sleeper;
import dev.sysblocks.core.Ticker;
import java.util.Objects;

/**
 * The generic cell rate algorithm: a leaky bucket used as a meter, whose whole state is one
 * timestamp. It enforces the same kind of limit as {@link TokenBucketLimiter} (a rate and a burst
 * capacity), but permits accrue continuously from each request rather than on a grid fixed at the
 * limiter's start, so the two admit slightly different sequences; it answers "when may I retry?"
 * with a single subtraction.
 *
 * <pre>{@code
 * GcraLimiter limiter = GcraLimiter.of(Limit.of(10, Duration.ofSeconds(1)).withCapacity(5));
 * Decision d = limiter.decide(1);   // d.retryAfter() is exact to the nanosecond
 * }</pre>
 *
 * <p>Time is kept in whole nanoseconds, so the emission interval {@code period / permits} must be a
 * whole number of nanoseconds or at least a microsecond long (then it is rounded up, making the
 * rate at most 0.1% slower, never faster). Faster fractional rates are refused: use {@link
 * TokenBucketLimiter}, whose arithmetic is exact for any rate. Thread-safe and lock-free: one CAS
 * per admission, no write on a rejection, nothing allocated by {@code tryAcquire}; limits of
 * 100,000 permits a second or more split into stripes when callers contend, as {@link
 * TokenBucketLimiter} does. Callers that would rather wait than be refused reserve: the TAT moves
 * past the tolerance into the future and the caller sleeps until then, first come, first served
 * (see {@link ReservingRateLimiter}).
 */
public final class GcraLimiter implements ReservingRateLimiter {

  /*
   * Problem. The same as the token bucket's -- an average rate with a tolerated burst -- but
   * stated the way ATM networks policed cells: not "how many tokens are left" but "is this cell
   * early?". Each admitted request pushes a theoretical arrival time (TAT) forward by the emission
   * interval T = P / N; a request is early, and refused, if admitting it would put the TAT more
   * than the burst tolerance ahead of now.
   *
   * Idea. State: TAT, one long. For n permits at time t:
   *
   *     next = max(TAT, t) + n * T          admitted iff next - t <= C * T
   *
   *   time -->    t                      t + C*T
   *               |<------ tolerance ------>|
   *     TAT ..............|===== n*T =====|           next inside: admitted, TAT := next
   *     TAT .........................|===== n*T =====|  next beyond: refused, retry after
   *                                                    next - C*T - t
   *
   * Worked example: 10 per second, capacity 5, so T = 100 ms and the tolerance is 500 ms. At t = 0
   * the TAT is 0 (full): five requests push it to 500 ms; the sixth would make it 600 ms > 0 + 500,
   * refused, retry after 100 ms. At t = 100 ms the sixth passes (TAT 600 ms <= 600 ms).
   *
   * Invariant. TAT never decreases; with clock readings in order, at most C + floor(L / T) permits
   * pass in any interval of length L (the continuous bucket's bound: no "+1", since permits accrue
   * from each request, not on a grid aligned to the start as in TokenBucketLimiter). A caller whose
   * clock reading is up to D old behaves as if it had arrived D earlier, so with such callers the
   * bound is C + floor((L + D) / T): stale readers can each add their own request, but the TAT
   * never moves back, so nothing is minted twice. Arithmetic stays within a long while elapsed
   * time plus the tolerance is below 2^63 ns (146 years at the largest tolerance).
   *
   * Cost. One clock read, one volatile read, one multiplication, a max, an add, a compare, and a
   * CAS on admission: no refill arithmetic, at the price of whole-nanosecond intervals. Measured:
   * benchmarks/results/RateLimiterAcquireBenchmark.md.
   *
   * Concurrency. The TAT sits alone on its cache line (LongCell). An admission is one
   * compare-and-exchange; a lost race retries from the witness value without re-reading. A refusal
   * reads the TAT and writes nothing, so saturated limiters do not bounce the line between cores.
   * The limit and its TAT form an epoch, read through one volatile field; setLimit closes the old
   * epoch's TAT with a sentinel (so no admission can land in it afterwards), carries the permits
   * left (or the debt) into a new epoch, and publishes it. Callers meeting the sentinel spin, then
   * yield, for the few instructions until it is published. Under contention (a lost CAS) a fast
   * limit (T <= 10 µs) splits into Stripes.COUNT meters on their own lines, each of capacity
   * share(C, i) and interval k T, continuing the single meter's permits at the same instants;
   * together they admit at most C + k floor(L / (k T)) <= C + floor(L / T): the bound above
   * (GcraStripes). With two threads on one limiter: 38.4 ns per call on each, against 34.5 alone
   * (RateLimiterAcquireBenchmark, 2026-12-07; 38.1 against 34.0 in a second full run that day,
   * 38.2 against 33.9 in a third, forks interleaved: 1.35x / 1.39x the fastest peer on one thread,
   * 3.9x / 1.39x on two); one TAT measured 96 ns (2026-11-23).
   *
   * Alternatives. TokenBucketLimiter: exact at any rate, several limits at once, permits on a
   * grid fixed at its start. Sliding windows: counts per window, no burst parameter. Redis users know GCRA from
   * redis-cell and the Stripe/Brandur write-ups, where its one-timestamp state makes each check a
   * single atomic read-modify-write.
   *
   * References.
   *  [1] ATM Forum, "Traffic Management Specification Version 4.0", af-tm-0056.000, 1996, section
   *      4.4.2: the Generic Cell Rate Algorithm (virtual scheduling form),
   *      https://www.broadband-forum.org/download/af-tm-0056.000.pdf
   *  [2] ITU-T Recommendation I.371, "Traffic control and congestion control in B-ISDN",
   *      https://www.itu.int/rec/T-REC-I.371
   *  [3] B. Leach, "Rate limiting, cells, and GCRA", 2015, https://brandur.org/rate-limiting
   */

  /**
   * Largest tolerance C * T: 2^62 ns (146 years), so that TAT arithmetic stays within a long for as
   * long again of elapsed time.
   */
  static final long MAX_TOLERANCE_NANOS = 1L << 62;

  /**
   * Largest TAT a reservation may create: a TAT plus a tolerance or a cost (each at most {@link
   * #MAX_TOLERANCE_NANOS}) then stays within a long.
   */
  static final long MAX_RESERVED_TAT = Long.MAX_VALUE - MAX_TOLERANCE_NANOS;

  /**
   * Shortest emission interval that may be rounded up, in ns: rounding adds under 1 ns, so the rate
   * is at most 1 / 1000 = 0.1% slower than asked.
   */
  static final long MIN_ROUNDED_INTERVAL_NANOS = 1_000;

  private final Ticker ticker;
  private final Sleeper sleeper;
  private final long origin;
  private final Object configLock = new Object();

  /** The limit and its TAT; replaced by setLimit, and by striping and merging. */
  private volatile Epoch epoch;

  /**
   * Set once a reservation was made or a request needed the permits of several stripes: from then
   * on the limiter stays one TAT, so that reservations can be cancelled and nothing alternates.
   */
  private volatile boolean stripingOff;

  /** A TAT meaning "this epoch was replaced": never a real one, which is at least 0. */
  private static final long CLOSED = GcraStripes.CLOSED;

  /**
   * One limit's constants and its TAT (ns since the origin; only rises until closed), or, once
   * callers contended, its stripes.
   */
  private static final class Epoch {
    final Limit limit;
    final long interval;
    final long capacity;
    final long tolerance;

    /** Alone on its cache line; null when striped. */
    final LongCell tat;

    /** Null while one TAT. */
    final GcraStripes stripes;

    Epoch(Limit limit, long interval, long initialTat) {
      this.limit = limit;
      this.interval = interval;
      this.capacity = limit.capacity();
      this.tolerance = capacity * interval;
      this.tat = new LongCell(initialTat);
      this.stripes = null;
    }

    /** The same limit split into stripes continuing the single TAT {@code closedTat} at now. */
    Epoch(Epoch single, long closedTat, long now) {
      this.limit = single.limit;
      this.interval = single.interval;
      this.capacity = single.capacity;
      this.tolerance = single.tolerance;
      this.tat = null;
      this.stripes = new GcraStripes(capacity, interval, closedTat, now);
    }

    /** Striped epoch {@code closedEpoch} again, with these closed TATs. */
    Epoch(Epoch closedEpoch, long[] closed) {
      this.limit = closedEpoch.limit;
      this.interval = closedEpoch.interval;
      this.capacity = closedEpoch.capacity;
      this.tolerance = closedEpoch.tolerance;
      this.tat = null;
      this.stripes = closedEpoch.stripes.reopened(closed);
    }

    /** Closes this epoch for good: its TAT, or its stripes' TATs, as they were when closed. */
    long[] close() {
      if (stripes != null) {
        return stripes.close();
      }
      return new long[] {tat.close(CLOSED)};
    }

    /** Permits held at {@code now} by this epoch closed with these TATs (at least 0). */
    long available(long[] closed, long now) {
      if (stripes != null) {
        return stripes.available(closed, now);
      }
      return Math.max(0, (now + tolerance - Math.max(closed[0], now)) / interval);
    }

    void checkPermits(long permits) {
      if (permits < 1 || permits > capacity) {
        throw new IllegalArgumentException(
            "permits must be between 1 and the capacity " + capacity + ": " + permits);
      }
    }
  }

  private GcraLimiter(Limit limit, Ticker ticker, Sleeper sleeper) {
    this.ticker = ticker;
    this.sleeper = sleeper;
    long interval = checkedIntervalOf(limit);
    this.origin = ticker.read();
    this.epoch = new Epoch(limit, interval, (limit.capacity() - limit.initialPermits()) * interval);
  }

  /**
   * A GCRA limiter on the system clock.
   *
   * @param limit the limit
   * @return a new limiter
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if the emission interval is fractional and under 1 µs, or the
   *     burst tolerance exceeds 146 years
   */
  public static GcraLimiter of(Limit limit) {
    return of(limit, Ticker.system());
  }

  /**
   * A GCRA limiter reading time from {@code ticker}.
   *
   * @param limit the limit
   * @param ticker the time source; tests pass a {@code FakeTicker}
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the emission interval is fractional and under 1 µs, or the
   *     burst tolerance exceeds 146 years
   */
  public static GcraLimiter of(Limit limit, Ticker ticker) {
    Objects.requireNonNull(ticker, "ticker");
    return of(limit, ticker, ticker instanceof Sleeper s ? s : Sleeper.system());
  }

  /**
   * A limiter on the given clock whose blocking calls wait through the given sleeper.
   *
   * @param limit the limit
   * @param ticker the time source
   * @param sleeper how {@code acquire} waits
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the limit has no usable emission interval
   */
  public static GcraLimiter of(Limit limit, Ticker ticker, Sleeper sleeper) {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(sleeper, "sleeper");
    return new GcraLimiter(limit, ticker, sleeper);
  }

  /** T = P / N, exact or rounded up; refused when rounding would distort the rate by over 0.1%. */
  static long intervalOf(Limit limit) {
    long period = limit.periodNanos();
    long permits = limit.permits();
    long interval = period / permits;
    if (period % permits != 0) {
      if (interval < MIN_ROUNDED_INTERVAL_NANOS) {
        throw new IllegalArgumentException(
            "GCRA needs a whole-nanosecond emission interval, or one of at least 1 µs: "
                + limit
                + " (use TokenBucketLimiter for exact fractional rates)");
      }
      interval++;
    }
    return interval;
  }

  /** intervalOf, also refusing a tolerance C * T beyond {@link #MAX_TOLERANCE_NANOS}. */
  static long checkedIntervalOf(Limit limit) {
    long interval = intervalOf(limit);
    if (limit.capacity() > MAX_TOLERANCE_NANOS / interval) {
      throw new IllegalArgumentException(
          "capacity times the emission interval must be at most 2^62 ns (146 years): " + limit);
    }
    return interval;
  }

  @Override
  public boolean tryAcquire(long permits) {
    for (; ; ) {
      Epoch e = epoch;
      e.checkPermits(permits);
      long now = elapsed();
      GcraStripes stripes = e.stripes;
      if (stripes != null) {
        int result = stripes.tryAcquire(now, permits);
        if (result >= GcraStripes.DENIED) {
          return result == GcraStripes.TAKEN;
        }
        if (result == GcraStripes.FRAGMENTED) {
          merge(e);
        }
        awaitReplacement(e);
        continue;
      }
      long cost = permits * e.interval; // <= capacity * interval <= 2^62
      long current = e.tat.getVolatile();
      boolean contended = false;
      for (; ; ) {
        if (current == CLOSED) {
          break; // replaced by setLimit, striped or merged: decide in the new epoch
        }
        long base = Math.max(current, now);
        if (base - now > e.tolerance - cost) {
          return false; // no write, no allocation (compared before adding: no overflow)
        }
        long next = base + cost;
        long witness = e.tat.compareAndExchangeVolatile(current, next);
        if (witness == current) {
          if (contended) {
            stripe(e);
          }
          return true;
        }
        contended = true;
        current = witness;
      }
      awaitReplacement(e);
    }
  }

  @Override
  public Decision decide(long permits) {
    for (; ; ) {
      Epoch e = epoch;
      e.checkPermits(permits);
      long now = elapsed();
      GcraStripes stripes = e.stripes;
      if (stripes != null) {
        int result = stripes.tryAcquire(now, permits);
        if (result >= GcraStripes.DENIED) {
          Decision d = stripes.decision(result == GcraStripes.TAKEN, now, permits);
          if (d != null) {
            return d;
          }
          continue; // the stripes were closed meanwhile: decide again in the new epoch
        }
        if (result == GcraStripes.FRAGMENTED) {
          merge(e);
        }
        awaitReplacement(e);
        continue;
      }
      long cost = permits * e.interval;
      long current = e.tat.getVolatile();
      boolean contended = false;
      while (current != CLOSED) {
        long base = Math.max(current, now);
        long next = base + cost; // base <= MAX_RESERVED_TAT: no overflow
        if (next - now > e.tolerance) {
          long remaining = Math.max(0, (now + e.tolerance - base) / e.interval);
          return new Decision(false, e.capacity, remaining, next - e.tolerance - now, base - now);
        }
        long witness = e.tat.compareAndExchangeVolatile(current, next);
        if (witness == current) {
          if (contended) {
            stripe(e); // as tryAcquire does: decide is the hot path of HTTP APIs
          }
          return new Decision(
              true, e.capacity, (now + e.tolerance - next) / e.interval, 0, next - now);
        }
        contended = true;
        current = witness;
      }
      awaitReplacement(e);
    }
  }

  @Override
  public Reservation reserveNanos(long permits, long maxWaitNanos) {
    if (maxWaitNanos < 0) {
      throw new IllegalArgumentException("maxWaitNanos must not be negative: " + maxWaitNanos);
    }
    if (!stripingOff) {
      stripingOff = true; // a reservation moves one TAT into the future: it needs one TAT
    }
    for (; ; ) {
      Epoch e = epoch;
      e.checkPermits(permits);
      if (e.stripes != null) {
        merge(e);
        awaitReplacement(e);
        continue;
      }
      long reading = ticker.read();
      long now = Math.max(0, reading - origin);
      long cost = permits * e.interval;
      long current = e.tat.getVolatile();
      while (current != CLOSED) {
        long base = Math.max(current, now);
        if (base > MAX_RESERVED_TAT - cost) {
          // Reservations reach 2^62 ns (146 years) ahead: refuse, so that base + cost and every
          // other sum of a TAT and a tolerance stays within a long.
          return Reservation.refused(permits, Long.MAX_VALUE);
        }
        long next = base + cost;
        long wait = Math.max(0, next - e.tolerance - now);
        if (wait > maxWaitNanos) {
          return Reservation.refused(permits, wait);
        }
        long witness = e.tat.compareAndExchangeVolatile(current, next);
        if (witness == current) {
          long before = current;
          LongCell cell = e.tat;
          // Undone only while nothing was taken after it: the TAT returns to where it was.
          return Reservation.granted(
              permits,
              reading,
              wait,
              ticker,
              sleeper,
              () -> cell.compareAndExchangeVolatile(next, before) == next);
        }
        current = witness;
      }
      awaitReplacement(e);
    }
  }

  @Override
  public long availablePermits() {
    for (; ; ) {
      Epoch e = epoch;
      long now = elapsed();
      if (e.stripes != null) {
        long available = e.stripes.available(now);
        if (available >= 0) {
          return available;
        }
        awaitReplacement(e);
        continue;
      }
      long current = e.tat.getVolatile();
      if (current != CLOSED) {
        return Math.max(0, (now + e.tolerance - Math.max(current, now)) / e.interval);
      }
      awaitReplacement(e);
    }
  }

  /**
   * Replaces the limit. The permits available now carry over, capped to the new capacity; if
   * reservations are waiting, they keep their times and the next permit comes one new interval
   * after the last of them, so a faster rate cannot let new callers overtake them. Then permits
   * accrue at the new rate. Setting the current limit again is a no-op. Reservations made before
   * cannot be cancelled afterwards. Decisions made during the switch wait for it (a few
   * instructions).
   *
   * @param limit the new limit
   * @throws NullPointerException if {@code limit} is null
   * @throws IllegalArgumentException if the limit has no usable emission interval
   */
  public void setLimit(Limit limit) {
    Objects.requireNonNull(limit, "limit");
    long interval = checkedIntervalOf(limit);
    synchronized (configLock) {
      Epoch old = epoch;
      if (old.limit.equals(limit)) {
        return;
      }
      long[] closed = old.close();
      // Read the clock after closing, so every admission of the old epoch is counted.
      long now = elapsed();
      long tolerance = limit.capacity() * interval;
      long tat;
      long current = closed[0];
      if (old.stripes == null && current - old.tolerance > now) {
        // Reservations are waiting, the last until current - old tolerance: keep that time, so
        // nobody overtakes them whatever the new rate, and the next permit follows it.
        tat = Math.min(MAX_RESERVED_TAT, current - old.tolerance + tolerance);
      } else {
        // Carry the permits available now (floor), capped to the new capacity.
        long permits = old.available(closed, now);
        tat = now + tolerance - Math.min(permits, limit.capacity()) * interval;
      }
      epoch = new Epoch(limit, interval, Math.max(0, tat));
    }
  }

  /**
   * Splits a single TAT into stripes after a lost race, once: unless striping is off, or the limit
   * is too small to give each stripe a permit, or another thread got there first.
   */
  private void stripe(Epoch e) {
    if (stripingOff || !GcraStripes.fits(e.capacity, e.interval)) {
      return;
    }
    synchronized (configLock) {
      if (epoch != e || stripingOff) {
        return;
      }
      long[] closed = e.close();
      try {
        long now = elapsed(); // after closing, as in setLimit
        // A reservation that raced with this split left the TAT past the tolerance (a debt that
        // stripes, holding 0 or more permits each, cannot carry): stay one TAT, reopened.
        epoch =
            closed[0] - e.tolerance > now
                ? new Epoch(e.limit, e.interval, closed[0])
                : new Epoch(e, closed[0], now);
      } catch (Throwable t) {
        epoch = new Epoch(e.limit, e.interval, closed[0]); // never strand callers on a closed TAT
        throw t;
      }
    }
  }

  /** Turns striping off and, if {@code e} is still the striped epoch, merges it into one TAT. */
  private void merge(Epoch e) {
    stripingOff = true;
    synchronized (configLock) {
      if (epoch != e || e.stripes == null) {
        return;
      }
      long[] closed = e.close();
      try {
        long now = elapsed();
        long available = Math.min(e.capacity, e.available(closed, now));
        epoch = new Epoch(e.limit, e.interval, now + e.tolerance - available * e.interval);
      } catch (Throwable t) {
        epoch = new Epoch(e, closed); // the same stripes reopened: never strand callers
        throw t;
      }
    }
  }

  /** Splits now as after a lost race (tests: contention cannot be scheduled). */
  void stripeNow() {
    stripe(epoch);
  }

  /** Whether the limit is currently split into stripes. */
  boolean isStriped() {
    return epoch.stripes != null;
  }

  @SuppressWarnings("ThreadPriorityCheck") // a yield only shortens a rare wait
  private void awaitReplacement(Epoch closed) {
    for (int spins = 0; epoch == closed; spins++) {
      if (spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /**
   * Returns the limit.
   *
   * @return the limit, as given
   */
  public Limit limit() {
    return epoch.limit;
  }

  /**
   * Returns the emission interval T in nanoseconds: P / N, rounded up if needed.
   *
   * @return the interval
   */
  public long intervalNanos() {
    return epoch.interval;
  }

  @Override
  public String toString() {
    return "GcraLimiter[" + epoch.limit + "]";
  }

  /** Nanoseconds since the limiter started; a clock behind the origin counts as 0. */
  private long elapsed() {
    return Math.max(0, ticker.read() - origin); // wrap-safe difference
  }
}
