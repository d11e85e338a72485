package dev.sysblocks.ratelimit;

import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link RateLimitListener} that counts: permits acquired, rejected, waited for and given back,
 * and the total wait. {@link LongAdder}s, so many threads count without contending.
 *
 * <pre>{@code
 * RateLimitCounters counters = new RateLimitCounters();
 * RateLimiter limiter = RateLimiters.observed(TokenBucketLimiter.of(limit), counters);
 * ...
 * RateLimitCounters.Snapshot s = counters.snapshot(); // s.rejectedPermits(), ...
 * }</pre>
 */
public final class RateLimitCounters implements RateLimitListener {

  private final LongAdder acquired = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder waited = new LongAdder();
  private final LongAdder waitedNanos = new LongAdder();
  private final LongAdder returned = new LongAdder();

  /** Creates counters at zero. */
  public RateLimitCounters() {}

  /**
   * The counts at one moment (each read separately: under concurrent updates they need not add up
   * to a single instant).
   *
   * @param acquiredPermits permits taken, at once or by reservation
   * @param rejectedPermits permits asked for and refused
   * @param waitedPermits permits whose reservation had to wait
   * @param waitedNanos the sum of those waits
   * @param returnedPermits permits given back by cancelled reservations
   */
  public record Snapshot(
      long acquiredPermits,
      long rejectedPermits,
      long waitedPermits,
      long waitedNanos,
      long returnedPermits) {}

  @Override
  public void onAcquired(long permits) {
    acquired.add(permits);
  }

  @Override
  public void onRejected(long permits) {
    rejected.add(permits);
  }

  @Override
  public void onWaited(long permits, long nanos) {
    waited.add(permits);
    waitedNanos.add(nanos);
  }

  @Override
  public void onReturned(long permits) {
    returned.add(permits);
  }

  /**
   * Reads the counters.
   *
   * @return the counts now
   */
  public Snapshot snapshot() {
    return new Snapshot(
        acquired.sum(), rejected.sum(), waited.sum(), waitedNanos.sum(), returned.sum());
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }
}
