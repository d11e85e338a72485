package dev.sysblocks.ratelimit;

import java.util.Objects;

/**
 * Decorators for any {@link RateLimiter}. Observation is a wrapper rather than a setting of each
 * limiter so that a limiter nobody watches pays nothing for it on its hot path.
 */
public final class RateLimiters {

  private RateLimiters() {}

  /**
   * Returns a limiter that decides exactly as {@code limiter} does and reports every decision to
   * {@code listener}.
   *
   * @param limiter the limiter that decides
   * @param listener told of each decision
   * @return the observed limiter
   * @throws NullPointerException if an argument is null
   */
  public static RateLimiter observed(RateLimiter limiter, RateLimitListener listener) {
    Objects.requireNonNull(limiter, "limiter");
    Objects.requireNonNull(listener, "listener");
    return limiter instanceof ReservingRateLimiter reserving
        ? new ObservedReserving(reserving, listener)
        : new Observed(limiter, listener);
  }

  /**
   * Returns a reserving limiter that decides exactly as {@code limiter} does and reports every
   * decision, wait and give-back to {@code listener}.
   *
   * @param limiter the limiter that decides
   * @param listener told of each decision
   * @return the observed limiter
   * @throws NullPointerException if an argument is null
   */
  public static ReservingRateLimiter observed(
      ReservingRateLimiter limiter, RateLimitListener listener) {
    Objects.requireNonNull(limiter, "limiter");
    Objects.requireNonNull(listener, "listener");
    return new ObservedReserving(limiter, listener);
  }

  private static class Observed implements RateLimiter {
    final RateLimiter limiter;
    final RateLimitListener listener;

    Observed(RateLimiter limiter, RateLimitListener listener) {
      this.limiter = limiter;
      this.listener = listener;
    }

    @Override
    public boolean tryAcquire(long permits) {
      boolean taken = limiter.tryAcquire(permits);
      if (taken) {
        listener.onAcquired(permits);
      } else {
        listener.onRejected(permits);
      }
      return taken;
    }

    @Override
    public Decision decide(long permits) {
      Decision d = limiter.decide(permits);
      if (d.allowed()) {
        listener.onAcquired(permits);
      } else {
        listener.onRejected(permits);
      }
      return d;
    }

    @Override
    public long availablePermits() {
      return limiter.availablePermits();
    }

    @Override
    public String toString() {
      return "observed " + limiter;
    }
  }

  private static final class ObservedReserving extends Observed implements ReservingRateLimiter {
    private final ReservingRateLimiter reserving;

    ObservedReserving(ReservingRateLimiter limiter, RateLimitListener listener) {
      super(limiter, listener);
      this.reserving = limiter;
    }

    @Override
    public Reservation reserveNanos(long permits, long maxWaitNanos) {
      Reservation r = reserving.reserveNanos(permits, maxWaitNanos);
      if (!r.granted()) {
        listener.onRejected(permits);
        return r;
      }
      listener.onAcquired(permits);
      if (r.delayNanos() > 0) {
        listener.onWaited(permits, r.delayNanos());
      }
      return r.onCancel(() -> listener.onReturned(permits));
    }
  }
}
