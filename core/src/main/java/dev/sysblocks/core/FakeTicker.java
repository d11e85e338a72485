package dev.sysblocks.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} (and {@link Sleeper}) whose time moves only when you say so: the test double for
 * every sysblocks block, shipped in the main artifact so you can test your own code against it.
 *
 * <pre>{@code
 * FakeTicker time = FakeTicker.create();
 * long start = time.read();
 * time.advance(Duration.ofSeconds(1));
 * assert time.read() - start == 1_000_000_000L;
 * }</pre>
 *
 * <ul>
 *   <li><b>Manual:</b> {@link #advance(Duration)} and {@link #advanceNanos(long)} move time
 *       forward.
 *   <li><b>Auto-increment:</b> {@link #setAutoIncrement(Duration)} makes every {@link #read()}
 *       advance time by a fixed step after returning, for code that spins on the clock.
 *   <li><b>Sleeping:</b> as a {@link Sleeper}, {@link #sleepNanos(long)} returns at once and moves
 *       time forward by the requested amount, so blocking code runs at full speed and the test can
 *       read back how long it chose to wait ({@link #sleptNanos()}).
 * </ul>
 *
 * <p>Thread-safe: reads and advances are atomic, so many threads may share one instance. Time never
 * moves backwards through this API; it may wrap around {@link Long#MAX_VALUE} like {@link
 * System#nanoTime()} can, which makes {@link #startingAt(long)} useful for testing overflow
 * handling.
 */
public final class FakeTicker implements Ticker, Sleeper {

  /*
   * Design notes. Guava's testlib FakeTicker and its tests' "fake stopwatch" are the models: one object
   * that both reads time and sleeps, so a test of a blocking rate limiter reads as a trace of events.
   * The state is two words, the reading and the auto-increment step; read() is a single getAndAdd, so a
   * reading and its increment cannot be torn apart by another thread. Sleeping is advancing: with many
   * threads sleeping concurrently, each sleep adds its own duration (time is shared, as it is for real).
   */

  private final AtomicLong nanos;
  private final AtomicLong sleptNanos = new AtomicLong();
  private volatile long autoIncrementNanos;

  private FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  /**
   * Creates a fake ticker reading zero, with no auto-increment.
   *
   * @return a new fake ticker
   */
  public static FakeTicker create() {
    return new FakeTicker(0L);
  }

  /**
   * Creates a fake ticker whose first reading is {@code startNanos}. Real tickers start anywhere,
   * including near {@link Long#MAX_VALUE}; start there to test that your code subtracts readings
   * rather than comparing them.
   *
   * @param startNanos the first reading, any value
   * @return a new fake ticker
   */
  public static FakeTicker startingAt(long startNanos) {
    return new FakeTicker(startNanos);
  }

  /**
   * Returns the current reading, then advances time by the auto-increment step (zero by default).
   *
   * @return the reading before the auto-increment
   */
  @Override
  public long read() {
    return nanos.getAndAdd(autoIncrementNanos);
  }

  /**
   * Moves time forward.
   *
   * @param duration how far, zero or positive
   * @return this ticker, for chaining
   * @throws NullPointerException if {@code duration} is null
   * @throws IllegalArgumentException if {@code duration} is negative or too long to express in
   *     nanoseconds (about 292 years)
   */
  public FakeTicker advance(Duration duration) {
    return advanceNanos(toNanos(duration, "duration"));
  }

  /**
   * Moves time forward by {@code nanos} nanoseconds.
   *
   * @param nanos how far, zero or positive
   * @return this ticker, for chaining
   * @throws IllegalArgumentException if {@code nanos} is negative: a monotonic ticker never goes
   *     back
   */
  public FakeTicker advanceNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException(
          "nanos must not be negative (time never goes backwards): " + nanos);
    }
    this.nanos.addAndGet(nanos);
    return this;
  }

  /**
   * Makes every subsequent {@link #read()} advance time by {@code step} after returning its value.
   * Zero turns auto-increment off.
   *
   * @param step the amount each read advances time by, zero or positive
   * @return this ticker, for chaining
   * @throws NullPointerException if {@code step} is null
   * @throws IllegalArgumentException if {@code step} is negative or too long to express in
   *     nanoseconds
   */
  public FakeTicker setAutoIncrement(Duration step) {
    long stepNanos = toNanos(step, "step");
    this.autoIncrementNanos = stepNanos;
    return this;
  }

  /**
   * Sleeps without blocking: advances time by {@code nanos} (if positive) and returns at once.
   *
   * @param nanos how long to "sleep"; zero or negative does nothing
   * @throws InterruptedException if the calling thread is interrupted, as a real sleep would be;
   *     time does not move then
   */
  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping");
    }
    if (nanos > 0) {
      sleptNanos.addAndGet(nanos);
      this.nanos.addAndGet(nanos);
    }
  }

  /**
   * Returns the total time all callers have slept through {@link #sleepNanos(long)}.
   *
   * @return the sum of the positive sleep requests, in nanoseconds
   */
  public long sleptNanos() {
    return sleptNanos.get();
  }

  @Override
  public String toString() {
    return "FakeTicker{nanos=" + nanos.get() + ", autoIncrementNanos=" + autoIncrementNanos + "}";
  }

  private static long toNanos(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + duration);
    }
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          name + " is too long to express in nanoseconds: " + duration, e);
    }
  }
}
