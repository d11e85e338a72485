package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The exact refill arithmetic against BigInteger. */
class RefillTest {

  record Rate(long permits, long periodNanos) {}

  @Provide
  Arbitrary<Rate> rates() {
    Arbitrary<Long> periods =
        Arbitraries.oneOf(
            Arbitraries.longs().between(1, 1_000_000),
            Arbitraries.longs().between(1, Limit.MAX_PERIOD_NANOS),
            Arbitraries.of(1_000_000_000L, 60_000_000_000L, 86_400_000_000_000L));
    return periods.flatMap(
        p ->
            Arbitraries.oneOf(
                    Arbitraries.longs().between(1, p),
                    Arbitraries.of(1L, p),
                    // rates that reduce to one permit every P / n ns
                    Arbitraries.longs().between(1, 1000).filter(d -> p % d == 0).map(d -> p / d))
                .map(n -> new Rate(n, p)));
  }

  @Provide
  Arbitrary<Long> elapsed() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 10_000),
        Arbitraries.longs().between(0, Long.MAX_VALUE),
        Arbitraries.of(0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62));
  }

  @Property(tries = 3000)
  void generatedIsTheExactFloor(@ForAll("rates") Rate rate, @ForAll("elapsed") long elapsed) {
    Refill refill = new Refill(rate.permits(), rate.periodNanos());
    BigInteger exact =
        BigInteger.valueOf(elapsed)
            .multiply(BigInteger.valueOf(rate.permits()))
            .divide(BigInteger.valueOf(rate.periodNanos()));
    assertThat(refill.generated(elapsed)).isEqualTo(exact.longValueExact());
  }

  @Property(tries = 3000)
  void elapsedForIsTheFirstInstantWithKPermits(
      @ForAll("rates") Rate rate, @ForAll("elapsed") long someElapsed) {
    Refill refill = new Refill(rate.permits(), rate.periodNanos());
    long k = refill.generated(someElapsed);
    long at = refill.elapsedFor(k);
    assertThat(at).isLessThanOrEqualTo(someElapsed);
    assertThat(refill.generated(at)).isGreaterThanOrEqualTo(k);
    if (at > 0) {
      assertThat(refill.generated(at - 1)).isLessThan(k);
    }
  }

  @Property(tries = 3000)
  void nanosUntilIsTheWaitForTheKthPermit(
      @ForAll("rates") Rate rate, @ForAll("elapsed") long elapsed, @ForAll("deficits") long extra) {
    Refill refill = new Refill(rate.permits(), rate.periodNanos());
    long generated = refill.generated(elapsed);
    long k = extra > Long.MAX_VALUE - generated ? Long.MAX_VALUE : generated + extra;
    BigInteger at =
        BigInteger.valueOf(k)
            .multiply(BigInteger.valueOf(rate.periodNanos()))
            .add(BigInteger.valueOf(rate.permits() - 1))
            .divide(BigInteger.valueOf(rate.permits()));
    BigInteger wait = at.subtract(BigInteger.valueOf(elapsed)).max(BigInteger.ZERO);
    long expected = wait.bitLength() < 64 ? wait.longValue() : Long.MAX_VALUE;
    assertThat(refill.nanosUntil(k, elapsed)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Long> deficits() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(-3, 3),
        Arbitraries.longs().between(0, 1L << 40),
        Arbitraries.of(1L << 61, 1L << 62));
  }

  @Test
  void threePerSecondHasNoDrift() {
    Refill refill = new Refill(3, 1_000_000_000L);
    assertThat(refill.generated(1_000_000_000_000L)).isEqualTo(3_000);
    assertThat(refill.generated(1_000_000_000_000L - 1)).isEqualTo(2_999);
    assertThat(refill.elapsedFor(3_000)).isEqualTo(1_000_000_000_000L);
    assertThat(refill.elapsedFor(1)).isEqualTo(333_333_334L);
  }

  @Test
  void elapsedForSaturatesBeyondALong() {
    Refill onePerDay = new Refill(1, 86_400_000_000_000L);
    assertThat(onePerDay.elapsedFor(1L << 40)).isEqualTo(Long.MAX_VALUE);
    assertThat(onePerDay.elapsedFor(0)).isZero();
  }
}
