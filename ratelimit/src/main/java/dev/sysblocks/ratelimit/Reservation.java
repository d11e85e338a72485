package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Sleeper;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Permits taken now for use at a later time: the answer of {@link ReservingRateLimiter#reserve}.
 * The caller waits {@link #delayNanos()} before using them ({@link #await()} does the waiting), or
 * {@link #cancel() cancels} to give them back. Reservations are served in the order they were made,
 * so waiting callers are served first come, first served; no later request, reserved or not, can
 * take permits promised to an earlier one.
 *
 * <pre>{@code
 * Reservation r = limiter.reserve(1, Duration.ofSeconds(2));
 * if (!r.granted()) {
 *   return reject(); // would have waited more than 2 s; nothing was taken
 * }
 * r.await(); // sleeps r.delay(); an interrupt gives the permits back
 * send(request);
 * }</pre>
 *
 * <p>Thread-safe: {@code cancel} may race with {@code await} on another thread.
 */
public final class Reservation {

  /**
   * How a limiter undoes this reservation: it puts its state back as it was before, which it can
   * only do while nothing was taken after it; false otherwise.
   */
  @FunctionalInterface
  interface Refund {
    boolean undo();
  }

  private static final int PENDING = 0;
  private static final int CANCELLED = 1;
  private static final int USED = 2;

  private final boolean granted;
  private final long permits;
  private final long delayNanos;
  private final long readyAt;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final Refund refund;
  private final AtomicInteger state;

  /** Set once, before the reservation is handed out; read by cancel. */
  private volatile Runnable onReturn;

  private Reservation(
      boolean granted,
      long permits,
      long delayNanos,
      long readyAt,
      Ticker ticker,
      Sleeper sleeper,
      Refund refund) {
    this.granted = granted;
    this.permits = permits;
    this.delayNanos = delayNanos;
    this.readyAt = readyAt;
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.refund = refund;
    this.state = new AtomicInteger(granted ? PENDING : USED);
  }

  /** Permits taken at {@code now}, usable at {@code now + delayNanos}. */
  static Reservation granted(
      long permits, long now, long delayNanos, Ticker ticker, Sleeper sleeper, Refund refund) {
    return new Reservation(true, permits, delayNanos, now + delayNanos, ticker, sleeper, refund);
  }

  /** Nothing taken: the wait would have been {@code delayNanos} (Long.MAX_VALUE: never). */
  static Reservation refused(long permits, long delayNanos) {
    return new Reservation(false, permits, delayNanos, 0, null, null, null);
  }

  /**
   * Returns whether the permits were taken. A reservation is refused when the wait would exceed the
   * limit given to {@code reserve}; then nothing was taken.
   *
   * @return true if the permits are reserved
   */
  public boolean granted() {
    return granted;
  }

  /**
   * Returns the permits reserved (or asked for, if refused).
   *
   * @return the permits
   */
  public long permits() {
    return permits;
  }

  /**
   * Returns how long after the reservation was made its permits may be used; for a refused one, how
   * long the wait would have been ({@code Long.MAX_VALUE}: never, as when the limiter's
   * reservations reach past the range of a {@code long}).
   *
   * @return nanoseconds, 0 if the permits were available at once
   */
  public long delayNanos() {
    return delayNanos;
  }

  /**
   * Returns {@link #delayNanos()} as a duration.
   *
   * @return the delay
   */
  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  /**
   * Waits until the permits may be used, through the limiter's sleeper. If the thread is
   * interrupted while waiting, the reservation is cancelled (its permits given back) and the
   * interrupt is thrown.
   *
   * @return the nanoseconds this call waited for, by the limiter's clock
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if the reservation was refused or cancelled
   */
  public long await() throws InterruptedException {
    if (!granted) {
      throw new IllegalStateException("a refused reservation cannot be awaited");
    }
    long start = ticker.read();
    try {
      for (long remaining = readyAt - start; remaining > 0; remaining = readyAt - ticker.read()) {
        if (state.get() == CANCELLED) {
          throw new IllegalStateException("reservation cancelled");
        }
        sleeper.sleepNanos(remaining);
      }
    } catch (InterruptedException e) {
      cancel();
      throw e;
    }
    if (!state.compareAndSet(PENDING, USED) && state.get() == CANCELLED) {
      throw new IllegalStateException("reservation cancelled");
    }
    return Math.max(0, ticker.read() - start);
  }

  /**
   * Cancels the reservation, and gives its permits back if their time has not come yet and no later
   * request has been promised permits behind them: the limiter is then exactly as if this
   * reservation had never been made. A reservation cancelled in the middle of a queue leaves a gap
   * that nobody uses, since the requests behind it keep their wait (as in {@code
   * golang.org/x/time/rate}, which restores only the permits not reserved after); moving them up
   * would wake sleeping callers early, and giving the permits to new requests would admit two
   * requests where the limit allows one. After its time, or for a refused reservation, this does
   * nothing.
   *
   * @return true if the permits were given back
   */
  public boolean cancel() {
    if (!granted || readyAt - ticker.read() <= 0) {
      return false; // refused, or already usable: the permits count as used; nothing changes
    }
    if (!state.compareAndSet(PENDING, CANCELLED)) {
      return false;
    }
    if (!refund.undo()) {
      return false;
    }
    Runnable callback = onReturn;
    if (callback != null) {
      callback.run();
    }
    return true;
  }

  /**
   * Runs {@code callback} after a cancel gives the permits back, after any callback added before (a
   * limiter observed twice tells both listeners).
   */
  Reservation onCancel(Runnable callback) {
    Runnable previous = onReturn;
    this.onReturn =
        previous == null
            ? callback
            : () -> {
              previous.run();
              callback.run();
            };
    return this;
  }

  /**
   * Tells whether this reservation was cancelled: {@link #cancel()} was called before its time,
   * whether or not its permits could be given back. A cancelled reservation cannot be awaited; a
   * thread already sleeping in {@link #await()} is not woken, and throws when it wakes.
   *
   * @return true once cancelled
   */
  public boolean isCancelled() {
    return state.get() == CANCELLED;
  }

  @Override
  public String toString() {
    return granted
        ? "Reservation[" + permits + " permits, delay " + delay() + "]"
        : "Reservation[refused, " + permits + " permits, would wait " + delay() + "]";
  }
}
