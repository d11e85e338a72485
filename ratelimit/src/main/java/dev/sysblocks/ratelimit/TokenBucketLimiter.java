package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Sleeper;
import dev.sysblocks.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A token bucket: permits accrue at a fixed rate up to a capacity, and each request takes some.
 * Bursts up to the capacity pass at once; sustained traffic passes at the rate. Several limits can
 * apply at once ("100 per minute and 10 per second"): a request passes only if every limit has the
 * permits, and then takes them from all, in one atomic step.
 *
 * <pre>{@code
 * TokenBucketLimiter limiter =
 *     TokenBucketLimiter.builder()
 *         .limit(Limit.of(100, Duration.ofMinutes(1)))
 *         .limit(Limit.of(10, Duration.ofSeconds(1)))
 *         .build();
 * boolean ok = limiter.tryAcquire();
 * }</pre>
 *
 * <p>Callers that would rather wait than be refused use {@link #acquire}, {@link #tryAcquire(long,
 * java.time.Duration)}, {@link #acquireAsync} or {@link #reserve(long)}: a reservation moves the
 * consumed line past the permits available, into the future, and the caller sleeps until then
 * (first come, first served; see {@link ReservingRateLimiter}).
 *
 * <p>Thread-safe; decisions are lock-free: a decision reads one word and, if it takes permits,
 * swaps it with one compare-and-set; a refusal writes nothing. With a single limit {@code
 * tryAcquire} allocates nothing. Limits can be replaced at run time ({@link #setLimits}); the
 * permits available at that moment carry over, capped to the new capacities; callers arriving
 * during the switch wait for it. When callers contend, a single limit splits into stripes on their
 * own cache lines, which never admit more than the one word would, and may refuse a little more
 * while some stripes are full and others empty; a limiter that has made a reservation stays one
 * word.
 */
public final class TokenBucketLimiter implements ReservingRateLimiter {

  /*
   * Problem. Admit at most `rate` permits per unit of time on average, yet let short bursts
   * through, and decide in nanoseconds under contention without a lock. The classic token bucket
   * stores (tokens, lastRefillTime) and refills on each call: two values, so either a lock, or an
   * immutable pair swapped by CAS -- an allocation on every call (what Bucket4j and Resilience4j
   * do, 64 B/op measured here).
   *
   * Idea. Count permits instead of time. Since the limiter started, the bucket has generated
   * G(t) = floor(t * N / P) permits (N per period P). Let W be a single long, the "consumed line":
   * the bucket holds
   *
   *     tokens(t) = min(C, G(t) - W)
   *
   * so a full bucket is any W <= G(t) - C, and taking n permits is W := max(W, G(t) - C) + n.
   * Refill is implicit in G, which is a pure function of the clock: there is no lastRefillTime to
   * store, so the whole state is W, one word, updated by one CAS.
   *
   *   permits
   *     ^                     G(t) = permits generated so far
   *     |                  .-'
   *     |   W after a   .-'    } tokens = G - W (at most C)
   *     |   burst  ___.-'______
   *     |         |.-'           W only ever rises: by n per admitted request,
   *     |     __.-'              or up to G - C when the bucket was full
   *     |  .-'  |
   *     +-------+-----------------> t
   *
   * Worked example: 10 per second, capacity 20, starting full (W = -20). At t = 0 a burst of 20
   * passes: W = 0, G = 0, tokens 0. At t = 250 ms, G = floor(0.25 * 10) = 2: two more pass (W = 2).
   * At t = 10 s, G = 100: tokens = min(20, 98) = 20 -- the idle time filled the bucket exactly to
   * its capacity and no further.
   *
   * Invariant. W never decreases, so no interleaving can make a permit count twice. Limiters that
   * store the last refill time have the flaw that a caller with a stale clock reading moves that
   * time backwards and re-mints the interval, as often as stale callers appear -- orders of
   * magnitude of over-admission under contention (golang.org/x/time/rate, issue 65508). With
   * readings in order, over any interval of length T, admitted permits <= C + floor(T * N / P) + 1,
   * as for the textbook bucket (one token every P / N, on a grid from the start, greedily). A
   * caller whose reading is up to D old decides as if it had arrived D earlier: the bound becomes
   * C + floor((T + D) * N / P) + 1 -- stale callers can each add their own request, but nothing is
   * minted twice (TokenBucketLimiterTest shows one stale caller adding one permit, once). A clock
   * that steps backwards only delays permits.
   *
   * Exactness. G is computed exactly (Refill): at 3 per second the 3,000th permit appears at 1,000
   * s, with no per-permit rounding. Rates are limited to one permit per nanosecond, so G <= elapsed
   * < 2^63, and capacities to 2^62, so G - C and W + n fit in a long; elapsed time itself wraps
   * only after 292 years. The clock difference handles System.nanoTime wrap-around.
   *
   * Cost. tryAcquire: one clock read, one volatile read, two to four multiplications (Refill) and,
   * if admitted, a CAS; O(k) for k limits. The clock read (27-32 ns on the VMs here) dominates.
   * RateLimiterAcquireBenchmark, 2 forks, JDK 17, 2-core AMD EPYC VM, two full runs on 2026-12-07:
   * 37.6 and 41.2 ns per admission (1.27x and 1.13x the fastest peer), 27.9 and 32.2 ns per
   * refusal (1.44x and 1.15x); with two threads on one limiter 39.2 and 37.6 ns per admission on
   * each thread (3.1x and 2.5x), 30.1 and 28.0 ns per refusal (1.9x and 1.49x). A refusal costs
   * the clock read and little else (27.7 ns alone in the second run), so its ratio is bounded by
   * what a peer's refusal costs over one clock read. A third run that day, with each
   * implementation's forks in alternating rounds: 37.0 ns per admission (1.23x), 28.7 per refusal
   * (1.38x); two threads 41.1 (3.6x) and 30.5 (1.40x, against a clock read of 28.6 and Bucket4j's
   * 42.6: at most 1.49x was possible).
   *
   * Concurrency. A single limit's W lives in its own cache line (64 bytes of padding on both sides,
   * through the class hierarchy, which fixes the field order) so that a busy limiter does not slow
   * down readers of neighbouring objects. Several limits share one immutable long[] swapped by CAS:
   * an allocation per admitted request, none per refusal by tryAcquire. setLimits prepares the new
   * state, closes the current one with a CAS to a sentinel, and publishes the new one; callers that
   * meet the sentinel spin, then yield, until it is published (limit changes are the one step that
   * is not lock-free).
   *
   * Stripes. Two cores taking permits from one word move its line between them on every admission
   * and retry lost CASes: 96-109 ns per call on each of two threads, against 38-41 ns alone (2026-11-
   * 23). So after a lost CAS, a single limit whose capacity gives each stripe a permit splits into
   * k = Stripes.COUNT buckets, each line padded (LongAdder's move; the same close, read, publish as
   * setLimits). Stripe i holds at most share(C, i) = floor((C + k - 1 - i) / k) and owns the
   * limiter's permit j when (j - 1) mod k = i, so it has generated share(G, i). The shares add up to
   * C and to G exactly, so the stripes admit at most C + G(end) - G(start) over any interval: the
   * single bucket's bound, on its grid. A thread takes from its own stripe (a per-thread probe that
   * moves on after a lost CAS), then from any other; it is refused only when no stripe holds the
   * permits, having read them all and written none. Stricter, never looser: a full stripe lets its
   * permits go while another is empty. A request that no single stripe can serve, and any
   * reservation (whose cancel needs one line), merge the stripes back into one word for good; a
   * reservation that races with a split keeps its permits but cannot be cancelled, as across
   * setLimits. tryAcquire and decide split; reservations never do.
   *
   * Refusals. A saturated bucket remembers until when it is empty (emptyUntil: written without a
   * fence by a refusal that found it empty, so at most once per admission, and only for limits of
   * at most a million permits a second); later refusals compare the clock with it and skip the
   * refill arithmetic: 36.1 ns before, 27.7 ns after, against a clock read of 27-29 ns (quick runs,
   * 2026-12-07).
   *
   * Alternatives. GcraLimiter (one long of theoretical arrival time; the same kind of limit with
   * permits accruing from each request instead of on a grid), sliding windows (a count per window: simpler to explain to
   * users, no burst parameter), Guava's RateLimiter (a lock; spreads permits out by making callers
   * wait instead of refusing them).
   *
   * References.
   *  [1] J. Turner, "New directions in communications (or which way to the information age?)",
   *      IEEE Communications Magazine 24(10), 1986 -- the leaky/token bucket.
   *  [2] RFC 2697, "A Single Rate Three Color Marker", 1999 -- token buckets with committed burst.
   *  [3] golang/go issue 65508, "x/time/rate: Limiter allows more events than expected when time
   *      goes backwards", https://github.com/golang/go/issues/65508
   */

  /** Upper bound on simultaneous limits: each adds a multiplication and a word per decision. */
  public static final int MAX_LIMITS = 16;

  private static final int TAKEN = 1;
  private static final int DENIED = 0;
  private static final int CLOSED = -1;

  /** Taken, after losing at least one race for the word: the limiter may split into stripes. */
  private static final int TAKEN_CONTENDED = 2;

  /** Striped: no stripe alone holds the permits, but together they do: merge and decide again. */
  private static final int FRAGMENTED = -2;

  /** Sentinel of a closed consumed line: never a real value, which is at least -2^62. */
  static final long CLOSED_LINE = Long.MIN_VALUE;

  private final Ticker ticker;
  private final Sleeper sleeper;
  private final Object configLock = new Object();

  /** The current limits and their state; replaced by setLimits, and by striping and merging. */
  private volatile Epoch epoch;

  /**
   * Set once a reservation was made or a request needed the permits of several stripes: from then
   * on the limiter stays one word, so that reservations can be cancelled and nothing alternates.
   */
  private volatile boolean stripingOff;

  private TokenBucketLimiter(Ticker ticker, Sleeper sleeper, List<Limit> limits) {
    this.ticker = ticker;
    this.sleeper = sleeper;
    long origin = ticker.read();
    long[] consumed = new long[limits.size()];
    for (int i = 0; i < consumed.length; i++) {
      consumed[i] = -limits.get(i).initialPermits();
    }
    this.epoch = Epoch.create(origin, limits, consumed, Epoch.refills(limits));
  }

  /**
   * A limiter with one limit, on the system clock.
   *
   * @param limit the limit
   * @return a new limiter
   * @throws NullPointerException if {@code limit} is null
   */
  public static TokenBucketLimiter of(Limit limit) {
    return builder().limit(limit).build();
  }

  /**
   * Starts building a limiter.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a {@link TokenBucketLimiter}: one or more limits, and the clock. */
  public static final class Builder {
    private final List<Limit> limits = new ArrayList<>();
    private Ticker ticker;
    private Sleeper sleeper;

    private Builder() {}

    /**
     * Adds a limit; a request must satisfy every limit added.
     *
     * @param limit the limit
     * @return this builder
     * @throws NullPointerException if {@code limit} is null
     * @throws IllegalStateException if {@value TokenBucketLimiter#MAX_LIMITS} limits were added
     */
    public Builder limit(Limit limit) {
      Objects.requireNonNull(limit, "limit");
      if (limits.size() == MAX_LIMITS) {
        throw new IllegalStateException("at most " + MAX_LIMITS + " limits");
      }
      limits.add(limit);
      return this;
    }

    /**
     * Sets the clock (default {@link Ticker#system()}); tests pass a {@code FakeTicker}.
     *
     * @param ticker the time source
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     * @throws IllegalStateException if already set
     */
    public Builder ticker(Ticker ticker) {
      if (this.ticker != null) {
        throw new IllegalStateException("ticker already set");
      }
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets how callers of {@code acquire} wait (default: the ticker itself if it is also a {@link
     * Sleeper}, as a {@code FakeTicker} is, so waits pass in fake time; otherwise {@link
     * Sleeper#system()}).
     *
     * @param sleeper the sleeper
     * @return this builder
     * @throws NullPointerException if {@code sleeper} is null
     * @throws IllegalStateException if already set
     */
    public Builder sleeper(Sleeper sleeper) {
      if (this.sleeper != null) {
        throw new IllegalStateException("sleeper already set");
      }
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Builds the limiter; its buckets hold their limits' initial permits.
     *
     * @return a new limiter
     * @throws IllegalStateException if no limit was added
     */
    public TokenBucketLimiter build() {
      if (limits.isEmpty()) {
        throw new IllegalStateException("at least one limit is required");
      }
      Ticker t = ticker == null ? Ticker.system() : ticker;
      Sleeper s = sleeper != null ? sleeper : t instanceof Sleeper ts ? ts : Sleeper.system();
      return new TokenBucketLimiter(t, s, List.copyOf(limits));
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Decisions
  // ------------------------------------------------------------------------------------------------

  @Override
  public boolean tryAcquire(long permits) {
    for (; ; ) {
      Epoch e = epoch;
      e.checkPermits(permits);
      int result = e.tryAcquire(e.elapsed(ticker.read()), permits);
      if (result >= DENIED) {
        if (result == TAKEN_CONTENDED) {
          stripe(e);
        }
        return result != DENIED;
      }
      if (result == FRAGMENTED) {
        merge(e);
      }
      awaitReplacement(e);
    }
  }

  @Override
  public Decision decide(long permits) {
    for (; ; ) {
      Epoch e = epoch;
      e.checkPermits(permits);
      Decision d = e.decide(e.elapsed(ticker.read()), permits, this);
      if (d != null) {
        return d;
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
      stripingOff = true; // a striped epoch merges when it sees a reservation
    }
    for (; ; ) {
      Epoch e = epoch;
      e.checkPermits(permits);
      long now = ticker.read();
      Reservation r = e.reserve(now, permits, maxWaitNanos, this);
      if (r != null) {
        return r;
      }
      awaitReplacement(e);
    }
  }

  @Override
  public long availablePermits() {
    for (; ; ) {
      Epoch e = epoch;
      long available = e.available(e.elapsed(ticker.read()));
      if (available >= 0) {
        return available;
      }
      awaitReplacement(e);
    }
  }

  /**
   * Replaces the limits. The permits available now (the fewest of any current limit) carry over to
   * every new limit, capped to its capacity; accrual continues at the new rates from now, so the
   * progress towards the next permit is lost: do not re-apply unchanged limits on a timer (setting
   * the current limits again is a no-op).
   *
   * @param limits the new limits, at least one
   * @throws NullPointerException if {@code limits} or an element is null
   * @throws IllegalArgumentException if there are no limits or more than {@value #MAX_LIMITS}
   */
  public void setLimits(List<Limit> limits) {
    Objects.requireNonNull(limits, "limits");
    List<Limit> copy = List.copyOf(limits); // throws NullPointerException on a null element
    if (copy.isEmpty() || copy.size() > MAX_LIMITS) {
      throw new IllegalArgumentException(
          "limits must hold 1 to " + MAX_LIMITS + " limits: " + copy.size());
    }
    Refill[] refills = Epoch.refills(copy); // the costly part, done before anything is closed
    synchronized (configLock) {
      Epoch old = epoch;
      if (old.limits.equals(copy)) {
        return;
      }
      long[] lines = old.closeLines();
      // Read the clock only after closing: every admission in the old epoch read the clock before
      // its CAS, hence before this reading (monotonic clock), so the permits carried over count
      // all of them. A debt (negative tokens, from clock readings ahead of this one) carries too.
      long now = ticker.read();
      long carried = old.fewestTokens(lines, old.elapsed(now));
      long[] consumed = new long[copy.size()];
      for (int i = 0; i < consumed.length; i++) {
        consumed[i] = -Math.min(carried, copy.get(i).capacity());
      }
      epoch = Epoch.create(now, copy, consumed, refills);
    }
  }

  /**
   * Returns the current limits.
   *
   * @return the limits, in the order given
   */
  public List<Limit> limits() {
    return epoch.limits;
  }

  @Override
  public String toString() {
    return "TokenBucketLimiter" + epoch.limits;
  }

  /**
   * Splits a single limit into stripes after a lost race, once: unless striping is off, or the
   * capacity is too small to give each stripe a permit, or another thread got there first.
   */
  private void stripe(Epoch e) {
    if (!(e instanceof SingleEpoch single) || !single.stripable() || stripingOff) {
      return;
    }
    synchronized (configLock) {
      if (epoch != e || stripingOff) {
        return;
      }
      long line = e.closeLines()[0];
      try {
        // The clock is read after closing, as in setLimits, so the split counts every admission.
        epoch = single.striped(line, e.elapsed(ticker.read()));
      } catch (Throwable t) {
        epoch = single.reopened(line); // a throwing clock or no memory must not strand callers
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
    return epoch instanceof StripedEpoch;
  }

  /** Turns striping off and, if {@code e} is still the striped epoch, merges it into one word. */
  private void merge(Epoch e) {
    stripingOff = true;
    synchronized (configLock) {
      if (epoch != e || !(e instanceof StripedEpoch striped)) {
        return;
      }
      long[] lines = e.closeLines();
      try {
        epoch = striped.merged(lines, e.elapsed(ticker.read()));
      } catch (Throwable t) {
        epoch = striped.reopened(lines); // a throwing clock or no memory must not strand callers
        throw t;
      }
    }
  }

  @SuppressWarnings(
      "ThreadPriorityCheck") // a yield only shortens a rare wait; nothing relies on it
  private void awaitReplacement(Epoch closed) {
    // setLimits publishes the new epoch a few instructions after closing this one; on a machine
    // with few cores the writer may be descheduled in between, so yield after a short spin.
    for (int spins = 0; epoch == closed; spins++) {
      if (spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Bucket arithmetic (shared by both state layouts)
  // ------------------------------------------------------------------------------------------------

  /** min(capacity, generated - consumed), saturating: the tokens in one bucket. */
  static long tokens(long generated, long consumed, long capacity) {
    long d = generated - consumed;
    if (((generated ^ consumed) & (generated ^ d)) < 0) {
      d = Long.MAX_VALUE; // overflow: only possible past 2^62 generated, far beyond capacity
    }
    return Math.min(capacity, d);
  }

  /** Saturating addition of non-negative b. */
  static long plus(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }

  /** Nanoseconds from elapsed until {@code k} permits have been generated, at least 0. */
  static long waitFor(Refill refill, long k, long elapsed) {
    return refill.nanosUntil(k, elapsed);
  }

  /** The limits, their refill arithmetic and their consumed lines, valid until closed. */
  abstract static class Epoch {
    final long origin;
    final List<Limit> limits;
    final long minCapacity;

    Epoch(long origin, List<Limit> limits) {
      this.origin = origin;
      this.limits = limits;
      long min = Long.MAX_VALUE;
      for (Limit l : limits) {
        min = Math.min(min, l.capacity());
      }
      this.minCapacity = min;
    }

    static Epoch create(long origin, List<Limit> limits, long[] consumed, Refill[] refills) {
      return limits.size() == 1
          ? new SingleEpoch(origin, limits, consumed[0], refills[0])
          : new MultiEpoch(origin, limits, consumed, refills);
    }

    static Refill[] refills(List<Limit> limits) {
      Refill[] refills = new Refill[limits.size()];
      for (int i = 0; i < refills.length; i++) {
        refills[i] = Refill.of(limits.get(i));
      }
      return refills;
    }

    /** Nanoseconds since this epoch began; a clock behind the origin counts as 0. */
    final long elapsed(long now) {
      long elapsed = now - origin; // wrap-safe: System.nanoTime may be negative or wrap
      return Math.max(0, elapsed);
    }

    final void checkPermits(long permits) {
      if (permits < 1 || permits > minCapacity) {
        throw new IllegalArgumentException(
            "permits must be between 1 and the capacity " + minCapacity + ": " + permits);
      }
    }

    /**
     * TAKEN, TAKEN_CONTENDED, DENIED, CLOSED if this epoch was replaced, or FRAGMENTED if the
     * caller must merge the stripes.
     */
    abstract int tryAcquire(long elapsed, long permits);

    /** The decision, or null if this epoch was replaced (merging it first if it must be). */
    abstract Decision decide(long elapsed, long permits, TokenBucketLimiter owner);

    /** The fewest tokens of any limit, or -1 if this epoch was replaced. */
    abstract long available(long elapsed);

    /**
     * Takes permits that may only be usable in the future, if within maxWait (else writes nothing
     * and returns a refused reservation); null if this epoch was replaced.
     */
    abstract Reservation reserve(long now, long permits, long maxWait, TokenBucketLimiter owner);

    final Reservation granted(
        long now, long permits, long wait, TokenBucketLimiter owner, Reservation.Refund refund) {
      return Reservation.granted(permits, now, wait, owner.ticker, owner.sleeper, refund);
    }

    /** Closes this epoch for good and returns its consumed lines as they were when closed. */
    abstract long[] closeLines();

    /** The fewest tokens of any limit for these lines at {@code elapsed}; negative for a debt. */
    abstract long fewestTokens(long[] lines, long elapsed);
  }

  /** Left padding of a single limit's consumed line: keeps other objects off its cache line. */
  abstract static class SinglePadLeft extends Epoch {
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08;

    SinglePadLeft(long origin, List<Limit> limits) {
      super(origin, limits);
    }
  }

  /** The consumed line W of a single limit, the only mutable word. */
  abstract static class SingleConsumed extends SinglePadLeft {
    private static final VarHandle CONSUMED;

    static {
      try {
        CONSUMED =
            MethodHandles.lookup().findVarHandle(SingleConsumed.class, "consumed", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private volatile long consumed;

    SingleConsumed(long origin, List<Limit> limits, long consumed) {
      super(origin, limits);
      this.consumed = consumed;
    }

    /** Volatile read: pairs with the CAS of whoever admitted the permits counted in it. */
    final long consumedVolatile() {
      return consumed;
    }

    /**
     * Volatile compare-and-exchange returning the value found: after a lost race the next attempt
     * starts from it, without a second read of the contended line.
     */
    final long exchangeConsumed(long expected, long next) {
      return (long) CONSUMED.compareAndExchange(this, expected, next);
    }

    /** Volatile CAS: admitting permits is a read-modify-write that must see every earlier one. */
    final boolean casConsumed(long expected, long next) {
      return CONSUMED.compareAndSet(this, expected, next);
    }
  }

  /** One limit: the state is one padded long; nothing is allocated on any path. */
  static final class SingleEpoch extends SingleConsumed {
    private static final VarHandle EMPTY_UNTIL;

    static {
      try {
        EMPTY_UNTIL =
            MethodHandles.lookup().findVarHandle(SingleEpoch.class, "emptyUntil", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /**
     * Shortest time between permits that caches refusals, ns: at most a million cache updates per
     * second, each one division.
     */
    static final long MIN_CACHED_INTERVAL_NANOS = 1_000;

    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17, p18;

    private final Refill refill;
    private final long capacity;

    /** Whether refusals use emptyUntil: permits at least MIN_CACHED_INTERVAL_NANOS apart. */
    private final boolean cachesRefusals;

    /**
     * Elapsed time before which the bucket is empty, or Long.MIN_VALUE: a saturated limiter refuses
     * after one compare, without the refill arithmetic. A refusal that finds the bucket empty
     * stores when its line's next permit appears. Sound because a line, once stored, only rises:
     * the bucket stays empty at least that long. Reservations can give permits back (cancel), so
     * the first one stops the stores (reservationSeen), and the values stored before remain bounds:
     * a cancel restores a line no lower than any read before the first reservation.
     */
    @SuppressWarnings("UnusedVariable") // read and written through EMPTY_UNTIL
    private long emptyUntil = Long.MIN_VALUE;

    /** Set before a reservation's CAS; read after a refusal's volatile read of the line. */
    private boolean reservationSeen;

    SingleEpoch(long origin, List<Limit> limits, long consumed, Refill refill) {
      super(origin, limits, consumed);
      this.refill = refill;
      this.capacity = limits.get(0).capacity();
      Limit limit = limits.get(0);
      this.cachesRefusals = limit.periodNanos() / MIN_CACHED_INTERVAL_NANOS >= limit.permits();
    }

    /** Opaque read: a stale value only sends the caller to the exact arithmetic. */
    private long emptyUntilOpaque() {
      return (long) EMPTY_UNTIL.getOpaque(this);
    }

    /** Opaque write: no fence; a reader that misses it computes the same answer. */
    private void setEmptyUntilOpaque(long value) {
      EMPTY_UNTIL.setOpaque(this, value);
    }

    @Override
    int tryAcquire(long elapsed, long permits) {
      if (elapsed < emptyUntilOpaque()) {
        return DENIED; // empty until then: no arithmetic, no write, no allocation
      }
      long generated = refill.generated(elapsed);
      long w = consumedVolatile();
      int taken = TAKEN;
      for (; ; ) {
        if (w == CLOSED_LINE) {
          return CLOSED;
        }
        if (tokens(generated, w, capacity) < permits) {
          if (cachesRefusals && generated - w < 1 && !reservationSeen) {
            // Empty: the next permit is the line's (w + 1)-th, at elapsedFor(w + 1). Opaque,
            // so a lost update only costs a later refusal the arithmetic.
            setEmptyUntilOpaque(refill.elapsedFor(w + 1));
          }
          return DENIED; // no atomic write, no allocation
        }
        // generated - capacity cannot overflow: 0 <= generated < 2^63, capacity <= 2^62.
        long witness = exchangeConsumed(w, Math.max(w, generated - capacity) + permits);
        if (witness == w) {
          return taken;
        }
        taken = TAKEN_CONTENDED;
        w = witness;
      }
    }

    /** True if the capacity gives every stripe at least one permit. */
    boolean stripable() {
      return capacity >= Stripes.COUNT;
    }

    /**
     * The striped epoch holding, at {@code elapsed}, the tokens this one held with this closed
     * line; or, if a reservation that raced with the split left a debt, this epoch reopened.
     */
    Epoch striped(long line, long elapsed) {
      long generated = refill.generated(elapsed);
      long tokens = tokens(generated, line, capacity);
      return tokens < 0
          ? reopened(line)
          : new StripedEpoch(origin, limits, refill, generated, tokens);
    }

    /** This epoch again, with its closed line, as a new epoch. */
    SingleEpoch reopened(long line) {
      return new SingleEpoch(origin, limits, line, refill);
    }

    @Override
    Decision decide(long elapsed, long permits, TokenBucketLimiter owner) {
      long generated = refill.generated(elapsed);
      for (boolean contended = false; ; contended = true) {
        long w = consumedVolatile();
        if (w == CLOSED_LINE) {
          return null;
        }
        long tokens = tokens(generated, w, capacity);
        long line = Math.max(w, generated - capacity);
        if (tokens < permits) {
          return new Decision(
              false,
              capacity,
              Math.max(0, tokens),
              waitFor(refill, plus(line, permits), elapsed),
              waitFor(refill, plus(line, capacity), elapsed));
        }
        long next = line + permits;
        if (casConsumed(w, next)) {
          if (contended) {
            owner.stripe(this); // as tryAcquire does: decide is the hot path of HTTP APIs
          }
          return new Decision(
              true, capacity, tokens - permits, 0, waitFor(refill, plus(next, capacity), elapsed));
        }
      }
    }

    @Override
    long available(long elapsed) {
      long w = consumedVolatile();
      return w == CLOSED_LINE ? -1 : Math.max(0, tokens(refill.generated(elapsed), w, capacity));
    }

    @Override
    Reservation reserve(long now, long permits, long maxWait, TokenBucketLimiter owner) {
      if (!reservationSeen) {
        reservationSeen = true; // published by the CAS below to whoever reads its line
      }
      long elapsed = elapsed(now);
      long generated = refill.generated(elapsed);
      long w = consumedVolatile();
      for (; ; ) {
        if (w == CLOSED_LINE) {
          return null;
        }
        long line = Math.max(w, generated - capacity);
        if (line > Long.MAX_VALUE - permits) {
          return Reservation.refused(permits, Long.MAX_VALUE); // past 2^63 permits: never
        }
        long next = line + permits;
        long wait = waitFor(refill, next, elapsed);
        if (wait > maxWait || wait == Long.MAX_VALUE) {
          return Reservation.refused(permits, wait);
        }
        long witness = exchangeConsumed(w, next);
        if (witness == w) {
          long before = w;
          // Undone only while nothing was taken after it: the line returns to where it was.
          return granted(now, permits, wait, owner, () -> casConsumed(next, before));
        }
        w = witness;
      }
    }

    @Override
    long[] closeLines() {
      for (; ; ) {
        long w = consumedVolatile();
        if (w == CLOSED_LINE) {
          throw new IllegalStateException("epoch closed twice"); // setLimits is serialized
        }
        if (casConsumed(w, CLOSED_LINE)) {
          return new long[] {w};
        }
      }
    }

    @Override
    long fewestTokens(long[] lines, long elapsed) {
      return tokens(refill.generated(elapsed), lines[0], capacity);
    }
  }

  /**
   * One limit split into {@link Stripes#COUNT} buckets, each consumed line alone on its cache line.
   * Stripe i holds at most share(C, i) permits and is given share(G, i) of the permits generated:
   * together the stripes generate, and can hold, exactly what the single bucket would, so over any
   * interval they admit at most C + G(end) - G(start), the single bucket's bound. A caller takes
   * from its own stripe, else from the first other stripe that has the permits; it is refused only
   * when no stripe has them, reading every stripe and writing none.
   */
  static final class StripedEpoch extends Epoch {
    private final Refill refill;
    private final long capacity;
    private final long[] capacities = new long[Stripes.COUNT];
    private final LongCell[] lines = new LongCell[Stripes.COUNT];

    StripedEpoch(long origin, List<Limit> limits, Refill refill, long generated, long tokens) {
      super(origin, limits);
      this.refill = refill;
      this.capacity = limits.get(0).capacity();
      for (int i = 0; i < Stripes.COUNT; i++) {
        capacities[i] = Stripes.share(capacity, i);
        // Stripe i holds share(tokens, i) <= share(C, i): its line is its generated minus that.
        lines[i] = new LongCell(Stripes.share(generated, i) - Stripes.share(tokens, i));
      }
    }

    @Override
    int tryAcquire(long elapsed, long permits) {
      if (permits > capacities[0]) {
        return FRAGMENTED; // more than the largest stripe can ever hold
      }
      long generated = refill.generated(elapsed);
      int[] probe = Stripes.probe();
      int first = probe[0] & Stripes.MASK;
      for (int j = 0; j < Stripes.COUNT; j++) {
        int i = (first + j) & Stripes.MASK;
        int result = tryStripe(i, Stripes.share(generated, i), permits, probe);
        if (result != DENIED) {
          return result;
        }
      }
      if (permits > 1) {
        long total = total(generated);
        if (total < 0) {
          return CLOSED;
        }
        if (total >= permits) {
          return FRAGMENTED;
        }
      }
      return DENIED; // no write, no allocation
    }

    /** TAKEN, DENIED or CLOSED for stripe i, whose share of the permits generated is given. */
    private int tryStripe(int i, long generated, long permits, int[] probe) {
      LongCell line = lines[i];
      long cap = capacities[i];
      long w = line.getVolatile();
      for (; ; ) {
        if (w == CLOSED_LINE) {
          return CLOSED;
        }
        if (tokens(generated, w, cap) < permits) {
          return DENIED;
        }
        long witness = line.compareAndExchangeVolatile(w, Math.max(w, generated - cap) + permits);
        if (witness == w) {
          return TAKEN;
        }
        Stripes.moveOn(probe); // another thread uses this stripe: start elsewhere next time
        w = witness;
      }
    }

    /** The permits all stripes hold together, or -1 if a stripe is closed. */
    private long total(long generated) {
      long total = 0;
      for (int i = 0; i < Stripes.COUNT; i++) {
        long w = lines[i].getVolatile();
        if (w == CLOSED_LINE) {
          return -1;
        }
        total += Math.max(0, tokens(Stripes.share(generated, i), w, capacities[i]));
      }
      return total;
    }

    @Override
    Decision decide(long elapsed, long permits, TokenBucketLimiter owner) {
      int result = tryAcquire(elapsed, permits);
      if (result == CLOSED) {
        return null;
      }
      if (result == FRAGMENTED) {
        owner.merge(this);
        return null;
      }
      // The headers: permits left in all stripes; retry when the first stripe that can ever hold
      // the permits holds them (a caller takes from any stripe); reset when the last one is full.
      long generated = refill.generated(elapsed);
      long remaining = 0;
      long retry = Long.MAX_VALUE;
      long reset = 0;
      for (int i = 0; i < Stripes.COUNT; i++) {
        long w = lines[i].getVolatile();
        if (w == CLOSED_LINE) {
          if (result != TAKEN) {
            return null; // refused, nothing taken: decide again in the epoch that replaced this
          }
          continue; // taken, then closed: the permits count; this stripe's figures went with it
        }
        long share = Stripes.share(generated, i);
        long cap = capacities[i];
        long line = Math.max(w, share - cap);
        remaining += Math.max(0, tokens(share, w, cap));
        if (cap >= permits) {
          retry =
              Math.min(retry, waitFor(refill, Stripes.totalFor(plus(line, permits), i), elapsed));
        }
        reset = Math.max(reset, waitFor(refill, Stripes.totalFor(plus(line, cap), i), elapsed));
      }
      boolean taken = result == TAKEN;
      return new Decision(taken, capacity, remaining, taken ? 0 : retry, reset);
    }

    @Override
    long available(long elapsed) {
      return total(refill.generated(elapsed));
    }

    @Override
    Reservation reserve(long now, long permits, long maxWait, TokenBucketLimiter owner) {
      owner.merge(this); // a reservation moves one line into the future: it needs one word
      return null;
    }

    @Override
    long[] closeLines() {
      return LongCell.closeAll(lines, CLOSED_LINE);
    }

    /** With one limit, the fewest tokens of any limit are the stripes' sum (negative: a debt). */
    @Override
    long fewestTokens(long[] closed, long elapsed) {
      long generated = refill.generated(elapsed);
      long total = 0;
      for (int i = 0; i < Stripes.COUNT; i++) {
        total += tokens(Stripes.share(generated, i), closed[i], capacities[i]);
      }
      return total;
    }

    /** One word holding, at {@code elapsed}, the tokens of these closed stripes, same origin. */
    /** These stripes again, with their closed lines, as a new epoch. */
    StripedEpoch reopened(long[] closed) {
      return new StripedEpoch(this, closed);
    }

    private StripedEpoch(StripedEpoch closedEpoch, long[] closed) {
      super(closedEpoch.origin, closedEpoch.limits);
      this.refill = closedEpoch.refill;
      this.capacity = closedEpoch.capacity;
      for (int i = 0; i < Stripes.COUNT; i++) {
        capacities[i] = closedEpoch.capacities[i];
        lines[i] = new LongCell(closed[i]);
      }
    }

    SingleEpoch merged(long[] closed, long elapsed) {
      long generated = refill.generated(elapsed);
      long tokens = Math.min(capacity, fewestTokens(closed, elapsed));
      return new SingleEpoch(origin, limits, generated - tokens, refill);
    }
  }

  /** Several limits: one immutable long[] of consumed lines, swapped by CAS. */
  static final class MultiEpoch extends Epoch {
    private static final long[] CLOSED_LINES = new long[0];

    private final Refill[] refills;
    private final long[] capacities;
    private final AtomicReference<long[]> consumed;

    MultiEpoch(long origin, List<Limit> limits, long[] consumed, Refill[] refills) {
      super(origin, limits);
      this.refills = refills;
      this.capacities = new long[limits.size()];
      for (int i = 0; i < refills.length; i++) {
        capacities[i] = limits.get(i).capacity();
      }
      this.consumed = new AtomicReference<>(consumed.clone());
    }

    @Override
    int tryAcquire(long elapsed, long permits) {
      for (; ; ) {
        long[] w = consumed.get();
        if (w == CLOSED_LINES) {
          return CLOSED;
        }
        for (int i = 0; i < w.length; i++) {
          if (tokens(refills[i].generated(elapsed), w[i], capacities[i]) < permits) {
            return DENIED; // no write, no allocation
          }
        }
        if (consumed.compareAndSet(w, taken(w, elapsed, permits))) {
          return TAKEN;
        }
      }
    }

    @Override
    Decision decide(long elapsed, long permits, TokenBucketLimiter owner) {
      long[] generated = new long[refills.length];
      for (int i = 0; i < generated.length; i++) {
        generated[i] = refills[i].generated(elapsed);
      }
      for (; ; ) {
        long[] w = consumed.get();
        if (w == CLOSED_LINES) {
          return null;
        }
        boolean allowed = true;
        for (int i = 0; i < w.length; i++) {
          allowed &= tokens(generated[i], w[i], capacities[i]) >= permits;
        }
        long[] after = allowed ? taken(w, elapsed, permits) : w;
        if (allowed && !consumed.compareAndSet(w, after)) {
          continue;
        }
        long remaining = Long.MAX_VALUE;
        long limit = 0;
        long retry = 0;
        long reset = 0;
        for (int i = 0; i < w.length; i++) {
          long line = Math.max(after[i], generated[i] - capacities[i]);
          long left = tokens(generated[i], after[i], capacities[i]);
          if (left < remaining) {
            remaining = left;
            limit = capacities[i];
          }
          if (!allowed) {
            retry = Math.max(retry, waitFor(refills[i], plus(line, permits), elapsed));
          }
          reset = Math.max(reset, waitFor(refills[i], plus(line, capacities[i]), elapsed));
        }
        return new Decision(allowed, limit, Math.max(0, remaining), retry, reset);
      }
    }

    @Override
    long available(long elapsed) {
      long[] w = consumed.get();
      if (w == CLOSED_LINES) {
        return -1;
      }
      long fewest = Long.MAX_VALUE;
      for (int i = 0; i < w.length; i++) {
        fewest = Math.min(fewest, tokens(refills[i].generated(elapsed), w[i], capacities[i]));
      }
      return Math.max(0, fewest);
    }

    @Override
    Reservation reserve(long now, long permits, long maxWait, TokenBucketLimiter owner) {
      long elapsed = elapsed(now);
      for (; ; ) {
        long[] w = consumed.get();
        if (w == CLOSED_LINES) {
          return null;
        }
        long[] next = new long[w.length];
        long wait = 0;
        for (int i = 0; i < w.length; i++) {
          long line = Math.max(w[i], refills[i].generated(elapsed) - capacities[i]);
          if (line > Long.MAX_VALUE - permits) {
            return Reservation.refused(permits, Long.MAX_VALUE);
          }
          next[i] = line + permits;
          wait = Math.max(wait, waitFor(refills[i], next[i], elapsed));
        }
        if (wait > maxWait || wait == Long.MAX_VALUE) {
          return Reservation.refused(permits, wait);
        }
        if (consumed.compareAndSet(w, next)) {
          // Undone only while nothing was taken after it (the array is still this one).
          return granted(now, permits, wait, owner, () -> consumed.compareAndSet(next, w));
        }
      }
    }

    @Override
    long[] closeLines() {
      return consumed.getAndSet(CLOSED_LINES);
    }

    @Override
    long fewestTokens(long[] lines, long elapsed) {
      long fewest = Long.MAX_VALUE;
      for (int i = 0; i < lines.length; i++) {
        fewest = Math.min(fewest, tokens(refills[i].generated(elapsed), lines[i], capacities[i]));
      }
      return fewest;
    }

    private long[] taken(long[] w, long elapsed, long permits) {
      long[] next = new long[w.length];
      for (int i = 0; i < w.length; i++) {
        next[i] = Math.max(w[i], refills[i].generated(elapsed) - capacities[i]) + permits;
      }
      return next;
    }
  }
}
