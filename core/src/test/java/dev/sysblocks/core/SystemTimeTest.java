package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemTimeTest {

  @Test
  void systemTickerReadsNanoTime() {
    long before = System.nanoTime();
    long reading = Ticker.system().read();
    long after = System.nanoTime();
    assertThat(reading - before).isNotNegative();
    assertThat(after - reading).isNotNegative();
  }

  @Test
  void systemTickerNeverGoesBackwardsOnOneThread() {
    Ticker ticker = Ticker.system();
    long previous = ticker.read();
    for (int i = 0; i < 100_000; i++) {
      long now = ticker.read();
      assertThat(now - previous).isNotNegative();
      previous = now;
    }
  }

  @Test
  void systemSleeperSleepsAtLeastTheRequestedTime() throws InterruptedException {
    // A lower bound only: a real sleep may overshoot on a loaded machine but must never undershoot.
    long requested = TimeUnit.MICROSECONDS.toNanos(1_400);
    long start = System.nanoTime();
    Sleeper.system().sleepNanos(requested);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(requested);
  }

  @Test
  void systemSleeperReturnsAtOnceForNonPositiveDurations() throws InterruptedException {
    long start = System.nanoTime();
    Sleeper.system().sleepNanos(0);
    Sleeper.system().sleepNanos(-1);
    Sleeper.system().sleepNanos(Long.MIN_VALUE);
    // Generous: "at once" means no sleep, not a scheduling guarantee; a real sleep of
    // Long.MIN_VALUE's magnitude would never return.
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void systemSleeperThrowsAtOnceWhenInterruptedInsteadOfSleeping() {
    // An hour-long sleep that must not happen: the pending interrupt makes it throw immediately.
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> Sleeper.system().sleepNanos(TimeUnit.HOURS.toNanos(1)))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void theSystemTickerAndSleeperAreOneSingleton() {
    assertThat((Object) Ticker.system()).isSameAs(Sleeper.system());
  }
}
