package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitTest {

  @Test
  void aLimitStartsFullWithItsPermitsAsCapacity() {
    Limit limit = Limit.of(100, Duration.ofMinutes(1));
    assertThat(limit.permits()).isEqualTo(100);
    assertThat(limit.period()).isEqualTo(Duration.ofMinutes(1));
    assertThat(limit.capacity()).isEqualTo(100);
    assertThat(limit.initialPermits()).isEqualTo(100);
    assertThat(limit.withCapacity(5).initialPermits()).isEqualTo(5);
    assertThat(limit.withCapacity(5).withInitialPermits(0).initialPermits()).isZero();
    assertThat(limit.withCapacity(5).withInitialPermits(0))
        .hasToString("100 per PT1M, capacity 5, initially 0")
        .isEqualTo(Limit.of(100, Duration.ofMinutes(1)).withCapacity(5).withInitialPermits(0));
  }

  @Test
  void badValuesAreRejectedNamingTheParameterAndValue() {
    assertThatThrownBy(() -> Limit.of(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and 2^62: 0");
    assertThatThrownBy(() -> Limit.of(-5, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and 2^62: -5");
    assertThatThrownBy(() -> Limit.of(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be positive and at most 100 years: PT0S");
    assertThatThrownBy(() -> Limit.of(1, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be positive and at most 100 years: PT-1S");
    assertThatThrownBy(() -> Limit.of(1, Duration.ofDays(40_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be positive and at most 100 years: PT960000H");
    assertThatThrownBy(() -> Limit.of(2_000_000_000L, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate must be at most one permit per nanosecond: 2000000000 per PT1S");
    assertThatThrownBy(() -> Limit.of(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period");
    Limit limit = Limit.of(10, Duration.ofSeconds(1));
    assertThatThrownBy(() -> limit.withCapacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be between 1 and 2^62: 0");
    assertThatThrownBy(() -> limit.withInitialPermits(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialPermits must be between 0 and the capacity 10: 11");
    assertThatThrownBy(() -> limit.withInitialPermits(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialPermits must be between 0 and the capacity 10: -1");
  }

  @Test
  void theExtremeRatesAreAccepted() {
    assertThat(Limit.of(1, Duration.ofDays(1)).permits()).isEqualTo(1);
    assertThat(Limit.of(1_000_000_000L, Duration.ofSeconds(1)).permits()).isEqualTo(1_000_000_000L);
    assertThat(Limit.of(1, Duration.ofDays(36_525)).period()).isEqualTo(Duration.ofDays(36_525));
  }
}
