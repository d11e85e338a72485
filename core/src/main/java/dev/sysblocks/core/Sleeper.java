package dev.sysblocks.core;

/**
 * Blocks the calling thread for a number of nanoseconds; the partner of {@link Ticker} for code
 * that waits.
 *
 * <p>A rate limiter that waits for permits, or a scheduler that waits for a job's run-at time,
 * takes both a ticker and a sleeper. In production they are {@link Ticker#system()} and {@link
 * #system()}; in a test a single {@link FakeTicker} plays both roles, so "sleeping" advances the
 * fake clock instead of the test's wall-clock time, and the test can assert exactly how long the
 * code chose to wait.
 *
 * <pre>{@code
 * FakeTicker time = FakeTicker.create();
 * time.sleepNanos(1_000_000);      // returns at once, but time has moved
 * assert time.read() == 1_000_000;
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Blocks for at least {@code nanos} nanoseconds (as measured by the paired ticker), or returns at
   * once if {@code nanos <= 0}: a caller that computed a deadline which has already passed need not
   * special case it.
   *
   * @param nanos how long to sleep, in nanoseconds
   * @throws InterruptedException if the thread is interrupted before or while sleeping; the
   *     interrupt status is then cleared, as with {@link Thread#sleep(long)}
   */
  void sleepNanos(long nanos) throws InterruptedException;

  /**
   * Returns the sleeper that really blocks the thread, paired with {@link Ticker#system()}.
   *
   * @return the system sleeper, a stateless singleton
   */
  static Sleeper system() {
    return SystemTime.INSTANCE;
  }
}
