package dev.sysblocks.core;

/**
 * The one time source of sysblocks: a reading of monotonic time in nanoseconds.
 *
 * <p>Every block that reads time (rate limiters, caches with expiry, the scheduler) takes a {@code
 * Ticker} in its builder and never calls {@code System.nanoTime()} itself. Production code uses
 * {@link #system()}; tests pass a {@link FakeTicker} and move time by hand, so a test of "the
 * bucket refills after one second" takes microseconds and cannot flake.
 *
 * <p>A reading has no meaning on its own, only the difference between two readings of the same
 * ticker does. Values may be negative and may wrap around {@link Long#MAX_VALUE}, exactly as {@link
 * System#nanoTime()} may: compare readings by subtraction ({@code t1 - t0 > 0}), never with {@code
 * <}.
 *
 * <pre>{@code
 * Ticker ticker = Ticker.system();
 * long start = ticker.read();
 * doWork();
 * long elapsedNanos = ticker.read() - start;
 * }</pre>
 *
 * <p>Implementations must be thread-safe, and successive reads from one thread must never go
 * backwards.
 */
@FunctionalInterface
public interface Ticker {

  /*
   * Design notes
   * ============
   * Problem. Code that measures time is hard to test unless time is a parameter. The JVM gives two
   * clocks: System.currentTimeMillis() (wall clock: jumps with NTP and daylight saving, useless for
   * measuring intervals) and System.nanoTime() (monotonic, only differences are meaningful). Every block
   * here measures intervals, so the abstraction wraps the monotonic one.
   *
   * Idea. One method returning a primitive long. Two alternatives the field uses, and why not them:
   *  - Guava's Ticker is an abstract class. A class cannot be a lambda and takes the single superclass
   *    slot of an implementation; an interface can be written as `() -> nanos` in a test.
   *  - Resilience4j and others take a Supplier<Long>. Each read then returns a boxed Long: outside the
   *    small-value cache that is an allocation per read on the hottest path a rate limiter has, and a
   *    null to guard against. A primitive-returning functional interface costs neither.
   *
   * Cost. A call through this interface on a monomorphic call site is inlined by the JIT, so
   * Ticker.system().read() costs what System.nanoTime() costs. TickerReadBenchmark (full mode, 2 forks,
   * JDK 17, 2-core AMD EPYC VM): ours 28.8 ns, Guava's systemTicker 29.1 ns, bare nanoTime 29.0 ns.
   * On such VMs a clock read is a large share of a rate limiter's decision, so blocks read it once per
   * operation and pass `now` down.
   *
   * Invariant. On one thread, successive reads never decrease (as differences: t1 - t0 >= 0).
   * Nothing relates readings of two different tickers.
   *
   * Concurrency. Implementations are thread-safe; the system ticker is stateless. Across threads a
   * reading taken after another (happens-before) is not smaller, as nanoTime guarantees.
   *
   * Alternatives. java.time.Clock and InstantSource read the wall clock and allocate an Instant;
   * they are for timestamps, not intervals.
   *
   * References.
   *  [1] System.nanoTime, https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/lang/System.html#nanoTime()
   *  [2] Guava Ticker, https://guava.dev/releases/snapshot-jre/api/docs/com/google/common/base/Ticker.html
   *  [3] Caffeine's Ticker (an interface, as here), https://github.com/ben-manes/caffeine
   */

  /**
   * Returns the current reading in nanoseconds. Only the difference between two readings is
   * meaningful.
   *
   * @return a monotonic nanosecond reading
   */
  long read();

  /**
   * Returns the ticker backed by {@link System#nanoTime()}.
   *
   * @return the system ticker, a stateless singleton
   */
  static Ticker system() {
    return SystemTime.INSTANCE;
  }
}
