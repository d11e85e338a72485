package dev.sysblocks.ratelimit;

/**
 * Told what a limiter decided; attach one with {@link RateLimiters#observed(RateLimiter,
 * RateLimitListener)}. Called on the deciding thread, right after the decision: keep it short and
 * never throw (an exception would reach the caller after its permits were already taken or
 * refused). {@link RateLimitCounters} is a ready-made one.
 */
public interface RateLimitListener {

  /**
   * Permits were taken, at once or by a reservation that may still have to wait.
   *
   * @param permits the permits taken
   */
  default void onAcquired(long permits) {}

  /**
   * A request was refused (or a reservation would have waited too long) and took nothing.
   *
   * @param permits the permits asked for
   */
  default void onRejected(long permits) {}

  /**
   * A reservation was granted with a wait: its caller waits (or is told to wait) this long.
   *
   * @param permits the permits reserved
   * @param nanos the wait, more than zero
   */
  default void onWaited(long permits, long nanos) {}

  /**
   * A reservation was cancelled and its permits given back.
   *
   * @param permits the permits given back
   */
  default void onReturned(long permits) {}
}
