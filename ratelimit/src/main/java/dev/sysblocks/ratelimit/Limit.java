package dev.sysblocks.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One limit: a number of permits per period, with a burst capacity and the permits available at the
 * start. Immutable.
 *
 * <pre>{@code
 * Limit api = Limit.of(100, Duration.ofMinutes(1));          // 100 per minute, bursts of 100
 * Limit smooth = Limit.of(10, Duration.ofSeconds(1)).withCapacity(1);   // no bursts at all
 * Limit cold = Limit.of(10, Duration.ofSeconds(1)).withInitialPermits(0); // starts empty
 * }</pre>
 *
 * *
 *
 * <p>The rate is exact: with {@code of(3, Duration.ofSeconds(1))} a token bucket generates its
 * 3,000th permit exactly 1,000 seconds after it starts, with no rounding drift. Rates range from
 * one permit per 100 years to one permit per nanosecond (10^9 per second).
 */
public final class Limit {

  /** Largest period: 100 years (in nanoseconds it is still far from overflowing a long). */
  static final long MAX_PERIOD_NANOS = Duration.ofDays(36_525).toNanos();

  /** Largest capacity: 2^62 permits, so that bucket arithmetic never needs more than 64 bits. */
  public static final long MAX_CAPACITY = 1L << 62;

  private final long permits;
  private final long periodNanos;
  private final long capacity;
  private final long initialPermits;

  private Limit(long permits, long periodNanos, long capacity, long initialPermits) {
    this.permits = permits;
    this.periodNanos = periodNanos;
    this.capacity = capacity;
    this.initialPermits = initialPermits;
  }

  /**
   * A limit of {@code permits} per {@code period}: the bucket holds at most {@code permits} (the
   * burst) and starts full.
   *
   * @param permits permits added per period, from 1 to {@link #MAX_CAPACITY}
   * @param period the period, from 1 ns to 100 years; at most one permit per nanosecond
   * @return the limit
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException if a value is out of range
   */
  public static Limit of(long permits, Duration period) {
    Objects.requireNonNull(period, "period");
    if (permits < 1 || permits > MAX_CAPACITY) {
      throw new IllegalArgumentException("permits must be between 1 and 2^62: " + permits);
    }
    if (period.isNegative() || period.isZero() || period.compareTo(Duration.ofDays(36_525)) > 0) {
      throw new IllegalArgumentException(
          "period must be positive and at most 100 years: " + period);
    }
    long periodNanos = period.toNanos();
    if (permits > periodNanos) {
      throw new IllegalArgumentException(
          "rate must be at most one permit per nanosecond: " + permits + " per " + period);
    }
    return new Limit(permits, periodNanos, permits, permits);
  }

  /**
   * The same rate with another burst capacity; the initial permits become the new capacity.
   *
   * @param capacity the most permits the bucket holds, from 1 to {@link #MAX_CAPACITY}
   * @return a new limit
   * @throws IllegalArgumentException if out of range
   */
  public Limit withCapacity(long capacity) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("capacity must be between 1 and 2^62: " + capacity);
    }
    return new Limit(permits, periodNanos, capacity, capacity);
  }

  /**
   * The same limit starting with {@code initialPermits} instead of a full bucket (0: a cold start).
   *
   * @param initialPermits from 0 to the capacity
   * @return a new limit
   * @throws IllegalArgumentException if out of range
   */
  public Limit withInitialPermits(long initialPermits) {
    if (initialPermits < 0 || initialPermits > capacity) {
      throw new IllegalArgumentException(
          "initialPermits must be between 0 and the capacity " + capacity + ": " + initialPermits);
    }
    return new Limit(permits, periodNanos, capacity, initialPermits);
  }

  /**
   * Returns the permits added per period.
   *
   * @return permits per period
   */
  public long permits() {
    return permits;
  }

  /**
   * Returns the period.
   *
   * @return the period
   */
  public Duration period() {
    return Duration.ofNanos(periodNanos);
  }

  long periodNanos() {
    return periodNanos;
  }

  /**
   * Returns the burst capacity: the most permits available at once.
   *
   * @return the capacity
   */
  public long capacity() {
    return capacity;
  }

  /**
   * Returns the permits available when a limiter starts.
   *
   * @return the initial permits
   */
  public long initialPermits() {
    return initialPermits;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Limit l
        && permits == l.permits
        && periodNanos == l.periodNanos
        && capacity == l.capacity
        && initialPermits == l.initialPermits;
  }

  @Override
  public int hashCode() {
    return Objects.hash(permits, periodNanos, capacity, initialPermits);
  }

  @Override
  public String toString() {
    return permits
        + " per "
        + period()
        + (capacity != permits ? ", capacity " + capacity : "")
        + (initialPermits != capacity ? ", initially " + initialPermits : "");
  }
}
