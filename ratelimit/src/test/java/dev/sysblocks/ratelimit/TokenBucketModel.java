package dev.sysblocks.ratelimit;

import java.math.BigInteger;

/**
 * The textbook token bucket, written for clarity rather than speed: one token is added every P/N
 * nanoseconds since the start (at the instants k * P / N), a token that finds the bucket full is
 * discarded, and a request for n passes if the bucket holds n. BigInteger, so nothing overflows.
 */
final class TokenBucketModel {
  private final BigInteger permits;
  private final BigInteger period;
  private final long capacity;
  private long tokens;
  private BigInteger ticksSeen = BigInteger.ZERO;

  TokenBucketModel(Limit limit) {
    this.permits = BigInteger.valueOf(limit.permits());
    this.period = BigInteger.valueOf(limit.periodNanos());
    this.capacity = limit.capacity();
    this.tokens = limit.initialPermits();
  }

  /** Advances to {@code elapsed} ns since the start, adding the tokens of the instants passed. */
  void advanceTo(long elapsed) {
    BigInteger ticks = BigInteger.valueOf(elapsed).multiply(permits).divide(period);
    BigInteger added = ticks.subtract(ticksSeen);
    if (added.signum() > 0) {
      ticksSeen = ticks;
      BigInteger sum = BigInteger.valueOf(tokens).add(added);
      tokens = sum.min(BigInteger.valueOf(capacity)).longValueExact();
    }
  }

  boolean tryAcquire(long n) {
    if (tokens >= n) {
      tokens -= n;
      return true;
    }
    return false;
  }

  long tokens() {
    return tokens;
  }
}
