package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FakeTickerTest {

  @Test
  void startsAtZeroAndDoesNotMoveByItself() {
    FakeTicker time = FakeTicker.create();
    assertThat(time.read()).isZero();
    assertThat(time.read()).isZero();
  }

  @Test
  void startsWhereItIsTold() {
    assertThat(FakeTicker.startingAt(-5).read()).isEqualTo(-5);
  }

  @Test
  void advanceMovesTimeForwardByTheDuration() {
    FakeTicker time = FakeTicker.create();
    time.advance(Duration.ofMillis(1500)).advanceNanos(7);
    assertThat(time.read()).isEqualTo(1_500_000_007L);
  }

  @Test
  void javadocExampleHolds() {
    FakeTicker time = FakeTicker.create();
    long start = time.read();
    time.advance(Duration.ofSeconds(1));
    assertThat(time.read() - start).isEqualTo(1_000_000_000L);
  }

  @Test
  void advancingPastLongMaxValueWrapsLikeNanoTimeAndDifferencesStayRight() {
    FakeTicker time = FakeTicker.startingAt(Long.MAX_VALUE - 10);
    long before = time.read();
    time.advanceNanos(20);
    long after = time.read();
    assertThat(after).isNegative();
    assertThat(after - before).isEqualTo(20);
  }

  @Test
  void negativeAdvanceIsRejectedNamingTheValue() {
    FakeTicker time = FakeTicker.create();
    assertThatThrownBy(() -> time.advanceNanos(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanos must not be negative (time never goes backwards): -1");
    assertThatThrownBy(() -> time.advance(Duration.ofNanos(-3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration must not be negative: PT-0.000000003S");
    assertThat(time.read()).isZero();
  }

  @Test
  void nullDurationsAreRejectedNamingTheParameter() {
    FakeTicker time = FakeTicker.create();
    assertThatThrownBy(() -> time.advance(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("duration");
    assertThatThrownBy(() -> time.setAutoIncrement(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("step");
  }

  @Test
  void durationsTooLongForNanosecondsAreRejected() {
    FakeTicker time = FakeTicker.create();
    assertThatThrownBy(() -> time.advance(Duration.ofDays(365L * 300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duration is too long to express in nanoseconds: ");
  }

  @Test
  void autoIncrementAdvancesAfterEachRead() {
    FakeTicker time = FakeTicker.create().setAutoIncrement(Duration.ofNanos(10));
    assertThat(time.read()).isEqualTo(0);
    assertThat(time.read()).isEqualTo(10);
    assertThat(time.read()).isEqualTo(20);
    time.setAutoIncrement(Duration.ZERO);
    assertThat(time.read()).isEqualTo(30);
    assertThat(time.read()).isEqualTo(30);
  }

  @Test
  void negativeAutoIncrementIsRejected() {
    assertThatThrownBy(() -> FakeTicker.create().setAutoIncrement(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("step must not be negative");
  }

  @Test
  void sleepingAdvancesTimeAndIsRecorded() throws InterruptedException {
    FakeTicker time = FakeTicker.create();
    Sleeper sleeper = time;
    sleeper.sleepNanos(1_000_000);
    sleeper.sleepNanos(0);
    sleeper.sleepNanos(-5);
    assertThat(time.read()).isEqualTo(1_000_000);
    assertThat(time.sleptNanos()).isEqualTo(1_000_000);
  }

  @Test
  void sleepingWhenInterruptedThrowsClearsTheFlagAndDoesNotMoveTime() {
    FakeTicker time = FakeTicker.create();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> time.sleepNanos(5)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(time.read()).isZero();
    assertThat(time.sleptNanos()).isZero();
  }
}
