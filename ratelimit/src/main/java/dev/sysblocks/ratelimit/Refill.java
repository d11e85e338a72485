package dev.sysblocks.ratelimit;

import java.math.BigInteger;

/**
 * Exact refill arithmetic for a rate of {@code N} permits per {@code P} nanoseconds, with {@code N
 * <= P}: how many permits a bucket has generated after {@code e} nanoseconds, {@code floor(e * N /
 * P)}, and when the k-th permit appears, {@code ceil(k * P / N)}.
 *
 * <p>Exact means no drift: at 3 per second the 3,000th permit appears at exactly 1,000 s, not a few
 * nanoseconds early or late per permit as with a rounded per-permit interval. The hot direction
 * ({@link #generated}) avoids division, which costs 10-40 cycles: it multiplies by a precomputed
 * 64-bit reciprocal, which is exact to within one, and settles that one with a 128-bit comparison
 * (a 64-bit one when the rate, reduced by the gcd of N and P, is one permit every P ns: 100 per
 * second, 5 * 10^8 per second). The cold direction ({@link #elapsedFor}) divides, and falls back to
 * BigInteger only when {@code k * P} does not fit in 63 bits.
 */
final class Refill {

  private final long permits;
  private final long periodNanos;

  /** {@code floor(2^64 * N / P)} as an unsigned 64-bit value; unused when N == P. */
  private final long reciprocal;

  Refill(long permits, long periodNanos) {
    if (permits < 1 || permits > periodNanos) {
      throw new IllegalArgumentException(permits + " per " + periodNanos + " ns");
    }
    // Reduced by their gcd: most rates (100 per second, 5 * 10^8 per second) become one permit
    // every P ns, whose floor needs one 128-bit product instead of three (see generated).
    long gcd = gcd(permits, periodNanos);
    permits /= gcd;
    periodNanos /= gcd;
    this.permits = permits;
    this.periodNanos = periodNanos;
    this.reciprocal =
        permits == periodNanos
            ? 0
            : BigInteger.valueOf(permits)
                .shiftLeft(64)
                .divide(BigInteger.valueOf(periodNanos))
                .longValue(); // < 2^64 because N < P; the low 64 bits are the unsigned value
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long r = a % b;
      a = b;
      b = r;
    }
    return a;
  }

  static Refill of(Limit limit) {
    return new Refill(limit.permits(), limit.periodNanos());
  }

  /**
   * Permits generated in {@code elapsed} nanoseconds: {@code floor(elapsed * N / P)}.
   *
   * @param elapsed nanoseconds, non-negative
   */
  long generated(long elapsed) {
    if (reciprocal == 0) {
      return elapsed; // one permit per nanosecond
    }
    if (permits == 1) {
      // floor(elapsed / P), P >= 2. The estimate is the answer or one less; next * P <= elapsed +
      // P < 2^64, so an unsigned compare of the wrapped product is exact.
      long estimate = Math.multiplyHigh(elapsed, reciprocal) + ((reciprocal >> 63) & elapsed);
      long next = estimate + 1;
      return Long.compareUnsigned(next * periodNanos, elapsed) <= 0 ? next : estimate;
    }
    // estimate = floor(elapsed * reciprocal / 2^64) is the answer or one less: reciprocal is low
    // by less than 1, so the product is low by less than elapsed / 2^64 < 1.
    long estimate = Math.multiplyHigh(elapsed, reciprocal) + ((reciprocal >> 63) & elapsed);
    long next = estimate + 1;
    // next is the answer iff next * P <= elapsed * N, compared as 128-bit products (all operands
    // are non-negative and below 2^63, so the signed high halves are the true high halves).
    long highA = Math.multiplyHigh(next, periodNanos);
    long highB = Math.multiplyHigh(elapsed, permits);
    if (highA != highB) {
      return highA < highB ? next : estimate;
    }
    return Long.compareUnsigned(next * periodNanos, elapsed * permits) <= 0 ? next : estimate;
  }

  /**
   * The elapsed nanoseconds after which {@code k} permits have been generated: {@code ceil(k * P /
   * N)}; {@code Long.MAX_VALUE} if that is beyond the range of a long.
   *
   * @param k a permit count; 0 or less gives 0
   */
  long elapsedFor(long k) {
    if (k <= 0) {
      return 0;
    }
    long high = Math.multiplyHigh(k, periodNanos);
    long low = k * periodNanos;
    if (high == 0 && low >= 0) {
      return -Math.floorDiv(-low, permits); // ceil(low / N) for low >= 0
    }
    BigInteger product = BigInteger.valueOf(k).multiply(BigInteger.valueOf(periodNanos));
    BigInteger[] qr = product.divideAndRemainder(BigInteger.valueOf(permits));
    BigInteger ceil = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    return ceil.bitLength() < 64 ? ceil.longValue() : Long.MAX_VALUE;
  }

  /**
   * Nanoseconds from {@code elapsed} until {@code k} permits have been generated: {@code ceil(k * P
   * / N) - elapsed}, 0 if they already have been, {@code Long.MAX_VALUE} if beyond a long. Computed
   * from the deficit {@code k - generated(elapsed)}, so it stays in 64-bit arithmetic however long
   * the limiter has run.
   */
  long nanosUntil(long k, long elapsed) {
    long generated = generated(elapsed);
    long deficit = k - generated;
    if (deficit <= 0) {
      return 0;
    }
    // elapsed * N = generated * P + rem with 0 <= rem < P: exact in wrapping arithmetic, because
    // the true value fits.
    long rem = elapsed * permits - generated * periodNanos;
    long high = Math.multiplyHigh(deficit, periodNanos);
    long low = deficit * periodNanos;
    if (high == 0 && low >= 0) {
      long numerator = low - rem; // >= P - rem > 0
      return numerator / permits + (numerator % permits == 0 ? 0 : 1);
    }
    BigInteger numerator =
        BigInteger.valueOf(deficit)
            .multiply(BigInteger.valueOf(periodNanos))
            .subtract(BigInteger.valueOf(rem));
    BigInteger[] qr = numerator.divideAndRemainder(BigInteger.valueOf(permits));
    BigInteger ceil = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    return ceil.bitLength() < 64 ? ceil.longValue() : Long.MAX_VALUE;
  }

  long permits() {
    return permits;
  }

  long periodNanos() {
    return periodNanos;
  }
}
