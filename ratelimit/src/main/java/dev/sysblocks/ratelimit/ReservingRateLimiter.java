package dev.sysblocks.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A rate limiter that can also promise future permits: callers wait their turn instead of being
 * refused. Implemented by {@link TokenBucketLimiter} and {@link GcraLimiter}, whose state is a
 * position on a time line that a reservation simply moves forward; the window limiters have no such
 * line and answer with {@link Decision#retryAfter()} instead.
 *
 * <p>Waiting is fair: permits go to reservations in the order they were made, and a waiting request
 * is never overtaken by a later one (a later {@code tryAcquire()} is refused while earlier
 * reservations wait). Nothing is over-admitted: reserved permits are counted when reserved, and
 * given back when a wait is cancelled or interrupted before its time, as long as no later request
 * queued behind it (see {@link Reservation#cancel()} for why a gap is left otherwise).
 *
 * <pre>{@code
 * ReservingRateLimiter limiter = TokenBucketLimiter.of(Limit.of(10, Duration.ofSeconds(1)));
 * limiter.acquire(1); // blocks until a permit is ours
 * if (limiter.tryAcquire(1, Duration.ofMillis(200))) { ... } // waits at most 200 ms
 * limiter.acquireAsync(1, Duration.ofSeconds(5)).thenAccept(ok -> ...);
 * }</pre>
 */
public interface ReservingRateLimiter extends RateLimiter {

  /**
   * Takes {@code permits} permits now, to be used after the returned delay, however long.
   *
   * @param permits at least 1, at most the capacity
   * @return the reservation, refused only if the delay is beyond what a {@code long} of nanoseconds
   *     can express
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  default Reservation reserve(long permits) {
    return reserveNanos(permits, Long.MAX_VALUE - 1);
  }

  /**
   * Takes {@code permits} permits now if they can be used within {@code maxWait}; otherwise takes
   * nothing and returns a refused reservation that says how long the wait would have been.
   *
   * @param permits at least 1, at most the capacity
   * @param maxWait the longest acceptable wait, zero or more
   * @return the reservation
   * @throws NullPointerException if {@code maxWait} is null
   * @throws IllegalArgumentException if {@code permits} is out of range or {@code maxWait} is
   *     negative
   */
  default Reservation reserve(long permits, Duration maxWait) {
    return reserveNanos(permits, waitNanos(maxWait, "maxWait"));
  }

  /**
   * {@link #reserve(long, Duration)} with the wait in nanoseconds.
   *
   * @param permits at least 1, at most the capacity
   * @param maxWaitNanos the longest acceptable wait, zero or more
   * @return the reservation
   * @throws IllegalArgumentException if {@code permits} is out of range or {@code maxWaitNanos} is
   *     negative
   */
  Reservation reserveNanos(long permits, long maxWaitNanos);

  /**
   * Blocks until {@code permits} permits are this caller's. Interruptible: an interrupt gives the
   * permits back.
   *
   * @param permits at least 1, at most the capacity
   * @return the nanoseconds spent waiting
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  default long acquire(long permits) throws InterruptedException {
    return reserve(permits).await();
  }

  /**
   * Takes {@code permits} permits, waiting for them if they come within {@code timeout}; returns
   * false at once, taking nothing, if they would not. Interruptible: an interrupt gives the permits
   * back.
   *
   * @param permits at least 1, at most the capacity
   * @param timeout the longest wait, zero or more
   * @return true if the permits were taken (after waiting at most {@code timeout})
   * @throws InterruptedException if interrupted while waiting
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code permits} is out of range or {@code timeout} is
   *     negative
   */
  default boolean tryAcquire(long permits, Duration timeout) throws InterruptedException {
    Reservation r = reserveNanos(permits, waitNanos(timeout, "timeout"));
    if (!r.granted()) {
      return false;
    }
    r.await();
    return true;
  }

  /**
   * Reserves {@code permits} permits and returns a future that completes with true when they may be
   * used, or at once with false (nothing taken) if that would be later than {@code timeout}.
   * Cancelling the future before it completes gives the permits back. The waiting is done by {@link
   * CompletableFuture#delayedExecutor}, by the system clock, whatever clock the limiter reads (so
   * under a fake clock the wait is real); the future is completed on a thread of
   * CompletableFuture's default async executor (the common pool, or a new thread per task where the
   * common pool has a single thread, as on 2-core machines).
   *
   * @param permits at least 1, at most the capacity
   * @param timeout the longest wait, zero or more
   * @return a future of whether the permits were taken
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code permits} is out of range or {@code timeout} is
   *     negative
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the callback's own future only mirrors this one
  default CompletableFuture<Boolean> acquireAsync(long permits, Duration timeout) {
    Reservation r = reserveNanos(permits, waitNanos(timeout, "timeout"));
    if (!r.granted()) {
      return CompletableFuture.completedFuture(false);
    }
    if (r.delayNanos() == 0) {
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Boolean> future = new CompletableFuture<>();
    future.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            r.cancel(); // cancelled (or completed exceptionally) by the caller: give back
          }
        });
    CompletableFuture.delayedExecutor(r.delayNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> future.complete(true));
    return future;
  }

  /** A duration as nanoseconds for a wait: negative rejected by name, huge ones saturated. */
  private static long waitNanos(Duration wait, String name) {
    Objects.requireNonNull(wait, name);
    if (wait.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + wait);
    }
    return wait.compareTo(Duration.ofNanos(Long.MAX_VALUE - 1)) >= 0
        ? Long.MAX_VALUE - 1
        : wait.toNanos();
  }
}
