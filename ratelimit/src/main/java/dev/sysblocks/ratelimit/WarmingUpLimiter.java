package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Sleeper;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * A limiter that starts cold and warms up: after an idle period it hands out permits slowly (at a
 * third of the stable rate by default) and speeds up to the stable rate as it is used, over the
 * warm-up period. For resources that need warming before full load -- a connection pool that opens
 * connections lazily, a cache filling after a restart, a JIT-compiled service.
 *
 * <pre>{@code
 * WarmingUpLimiter limiter =
 *     WarmingUpLimiter.of(Limit.of(100, Duration.ofSeconds(1)), Duration.ofSeconds(10));
 * limiter.acquire(1); // 30 ms apart when cold, 10 ms apart after 10 s of use
 * }</pre>
 *
 * <p>Like Guava's {@code RateLimiter}, it does not refuse to let a request pass when none is
 * waiting: a request is admitted as soon as the previous one's interval has passed, and it is the
 * next request that pays for it ("pay later"); so there is no burst, only a spacing. Thread-safe:
 * decisions take a short lock (the state is two numbers that change together); unlike {@link
 * TokenBucketLimiter} it is not lock-free, and it allocates nothing but reservations.
 */
public final class WarmingUpLimiter implements ReservingRateLimiter {

  /*
   * Problem. A server restarted at full traffic suffers until its caches and connections warm; a
   * rate limiter that admits the full rate at once hands it the full load when it is weakest.
   *
   * Idea (after Guava's SmoothWarmingUp). Keep "stored permits" that accumulate while the limiter
   * is idle, and make stored permits EXPENSIVE instead of free: the interval charged for a stored
   * permit grows with how many are stored. Idle time therefore means "cold", and using permits
   * drains the store towards the cheap end:
   *
   *   interval
   *   cold  3T |                       /|
   *            |                     /  |     area under the line between two levels of the store
   *            |                   /    |     = the time it takes to hand out those permits
   *   stable T |__________________/     |
   *            |                  |     |
   *            +------------------+-----+--> stored permits
   *            0              threshold  max
   *
   * With a stable interval T and warm-up W: threshold = W / (2T) permits, and max = threshold +
   * 2W / (T + 3T), so the trapezoid between threshold and max has area W: going from cold (store
   * full) to warm (store at the threshold) takes exactly the warm-up period of continuous use.
   * The store refills at one permit per W / max while idle, so a limiter left idle for the warm-up
   * period is fully cold again.
   *
   * Worked example. 10 per second (T = 100 ms), warm-up 2 s: threshold 10, max 20, cold interval
   * 300 ms. Cold, the first request passes at once and pushes the next one 290 ms away (the
   * interval at 19.5 stored permits); ten requests later the store is at 10 and the spacing is
   * 100 ms; the ten took 2 s in all.
   *
   * Invariant. Between two decisions, the store grows by (elapsed / refill interval), capped at
   * max; each admitted permit moves the next free time forward by the area it uses. Permits are
   * never handed out closer together than the stable interval T.
   *
   * Cost. One lock, a few floating-point operations; O(1). Not in RateLimiterAcquireBenchmark yet.
   *
   * Concurrency. Stored permits and the next free time change together, so decisions take the
   * limiter's monitor for a few arithmetic operations; the clock is read before taking it.
   *
   * Alternatives. TokenBucketLimiter and GcraLimiter (lock-free, bursts allowed, no warm-up): use
   * them unless the protected resource needs warming. Guava's RateLimiter.create(rate, warmup) is
   * the same model; this one reads the sysblocks clock, can be reserved and cancelled, and says
   * how long to wait (decide).
   *
   * References.
   *  [1] Guava, SmoothRateLimiter and SmoothWarmingUp (design comment), https://github.com/google/guava
   *  [2] Sentinel (Alibaba), "warm up" flow control, the same curve applied to QPS limits.
   */

  /** Default ratio of the cold interval to the stable one, as in Guava. */
  public static final double DEFAULT_COLD_FACTOR = 3.0;

  private final Ticker ticker;
  private final Sleeper sleeper;
  private final Limit limit;
  private final long origin;
  private final double stableInterval; // ns per permit
  private final double coldInterval;
  private final double threshold; // permits
  private final double maxPermits;
  private final double slope; // ns per permit per permit above the threshold
  private final double refillInterval; // ns of idleness per stored permit

  // Guarded by this.
  private double stored;
  private long nextFree; // ns since origin at which the next request may pass

  private WarmingUpLimiter(
      Limit limit, long warmUpNanos, double coldFactor, Ticker ticker, Sleeper sleeper) {
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.limit = limit;
    this.stableInterval = (double) limit.periodNanos() / limit.permits();
    this.coldInterval = stableInterval * coldFactor;
    this.threshold = 0.5 * warmUpNanos / stableInterval;
    this.maxPermits = threshold + 2.0 * warmUpNanos / (stableInterval + coldInterval);
    this.slope = (coldInterval - stableInterval) / (maxPermits - threshold);
    this.refillInterval = warmUpNanos / maxPermits;
    this.stored = maxPermits; // cold at start
    this.origin = ticker.read();
  }

  /**
   * A cold limiter with the default cold factor, on the system clock.
   *
   * @param stable the stable rate (its capacity is not used: this limiter spaces, never bursts)
   * @param warmUp how long continuous use takes to go from cold to the stable rate; positive
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code warmUp} is not positive or longer than 100 years
   */
  public static WarmingUpLimiter of(Limit stable, Duration warmUp) {
    return of(stable, warmUp, DEFAULT_COLD_FACTOR, Ticker.system());
  }

  /**
   * A cold limiter on the given clock (waits go through it if it is also a {@link Sleeper}, as a
   * {@code FakeTicker} is; otherwise through {@link Sleeper#system()}).
   *
   * @param stable the stable rate
   * @param warmUp how long continuous use takes to go from cold to the stable rate; positive
   * @param coldFactor the cold interval as a multiple of the stable one; above 1
   * @param ticker the clock
   * @return a new limiter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code warmUp} or {@code coldFactor} is out of range
   */
  public static WarmingUpLimiter of(
      Limit stable, Duration warmUp, double coldFactor, Ticker ticker) {
    Objects.requireNonNull(stable, "stable");
    Objects.requireNonNull(warmUp, "warmUp");
    Objects.requireNonNull(ticker, "ticker");
    if (warmUp.isNegative() || warmUp.isZero() || warmUp.compareTo(Duration.ofDays(36_525)) > 0) {
      throw new IllegalArgumentException(
          "warmUp must be positive and at most 100 years: " + warmUp);
    }
    if (!(coldFactor > 1.0 && coldFactor <= 1e6)) {
      throw new IllegalArgumentException(
          "coldFactor must be above 1 and at most 10^6: " + coldFactor);
    }
    Sleeper sleeper = ticker instanceof Sleeper s ? s : Sleeper.system();
    return new WarmingUpLimiter(stable, warmUp.toNanos(), coldFactor, ticker, sleeper);
  }

  @Override
  public boolean tryAcquire(long permits) {
    checkPermits(permits);
    long now = elapsed();
    synchronized (this) {
      if (nextFree > now) {
        return false;
      }
      take(now, permits);
      return true;
    }
  }

  @Override
  public Decision decide(long permits) {
    checkPermits(permits);
    long now = elapsed();
    synchronized (this) {
      if (nextFree > now) {
        return new Decision(false, 1, 0, nextFree - now, nextFree - now);
      }
      take(now, permits);
      return new Decision(true, 1, 0, 0, nextFree - now);
    }
  }

  @Override
  public Reservation reserveNanos(long permits, long maxWaitNanos) {
    checkPermits(permits);
    if (maxWaitNanos < 0) {
      throw new IllegalArgumentException("maxWaitNanos must not be negative: " + maxWaitNanos);
    }
    long reading = ticker.read();
    long now = Math.max(0, reading - origin);
    synchronized (this) {
      resync(now);
      long wait = Math.max(0, nextFree - now);
      if (wait > maxWaitNanos) {
        return Reservation.refused(permits, wait);
      }
      double storedBefore = stored;
      long nextFreeBefore = nextFree;
      take(now, permits);
      long nextFreeAfter = nextFree;
      return Reservation.granted(
          permits,
          reading,
          wait,
          ticker,
          sleeper,
          () -> undo(nextFreeAfter, nextFreeBefore, storedBefore));
    }
  }

  private synchronized boolean undo(
      long expectedNextFree, long nextFreeBefore, double storedBefore) {
    if (nextFree != expectedNextFree) {
      return false; // something was taken after it
    }
    nextFree = nextFreeBefore;
    stored = storedBefore;
    return true;
  }

  @Override
  public long availablePermits() {
    long now = elapsed();
    synchronized (this) {
      return nextFree <= now ? 1 : 0;
    }
  }

  /**
   * Returns the stable limit.
   *
   * @return the limit
   */
  public Limit limit() {
    return limit;
  }

  /**
   * Returns the interval the next permit would cost now, in nanoseconds: the cold interval when
   * fully cold, the stable one when warm.
   *
   * @return nanoseconds
   */
  public synchronized double currentIntervalNanos() {
    resync(elapsed());
    return stored <= threshold ? stableInterval : stableInterval + slope * (stored - threshold);
  }

  @Override
  public String toString() {
    return "WarmingUpLimiter[" + limit + ", cold " + Math.round(coldInterval) + " ns]";
  }

  /** Adds the permits stored by the idle time since nextFree. Caller holds the lock. */
  private void resync(long now) {
    if (now > nextFree) {
      stored = Math.min(maxPermits, stored + (now - nextFree) / refillInterval);
      nextFree = now;
    }
  }

  /**
   * Takes permits: the next request may pass once their cost has elapsed. Caller holds the lock.
   */
  private void take(long now, long permits) {
    resync(now);
    double fromStore = Math.min((double) permits, stored);
    double fresh = permits - fromStore;
    double cost = storedCost(stored, fromStore) + fresh * stableInterval;
    stored -= fromStore;
    nextFree = saturatedAdd(Math.max(nextFree, now), (long) Math.ceil(cost));
  }

  /** Time to hand out {@code take} permits from a store holding {@code level}: the area. */
  private double storedCost(double level, double take) {
    double above = Math.max(0, level - threshold);
    double fromAbove = Math.min(take, above);
    double cost = 0;
    if (fromAbove > 0) {
      double high = stableInterval + slope * above;
      double low = stableInterval + slope * (above - fromAbove);
      cost += fromAbove * (high + low) / 2;
    }
    return cost + (take - fromAbove) * stableInterval;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < a ? Long.MAX_VALUE : r;
  }

  private void checkPermits(long permits) {
    if (permits < 1 || permits > Limit.MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "permits must be between 1 and " + Limit.MAX_CAPACITY + ": " + permits);
    }
  }

  private long elapsed() {
    return Math.max(0, ticker.read() - origin);
  }
}
