package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every bad argument fails fast with an exception that names the parameter and the value. */
class BadInputTest {

  private final JobScheduler scheduler = JobScheduler.builder().manualDispatch().build();

  @Test
  void aNullJobIsRefused() {
    assertThatThrownBy(() -> scheduler.submit(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("job");
    assertThatThrownBy(() -> scheduler.newJob(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Job.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("runnable");
  }

  @Test
  void aNegativeDelayIsRefused() {
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).delay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must not be negative: PT-1S");
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).delay(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delay");
  }

  @Test
  void anAbsurdlyLongDelayIsRefused() {
    assertThatThrownBy(
            () -> scheduler.newJob(Job.of(() -> {})).delay(Duration.ofDays(300 * 365)).submit())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("delay is too long");
  }

  @Test
  void aDelayAndARunAtTimeAreExclusive() {
    assertThatThrownBy(
            () -> scheduler.newJob(Job.of(() -> {})).delay(Duration.ofSeconds(1)).runAt(5L))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("delay or run-at time already set");
  }

  @Test
  void aPriorityOutOfRangeIsRefused() {
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).priority(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("priority must be between 0 and 9: 10");
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).priority(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("priority must be between 0 and 9: -1");
    assertThatThrownBy(() -> scheduler.stats().queued(10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTimeoutMustBePositive() {
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive: PT0S");
  }

  @Test
  void anIdempotencyKeyMustBeNonEmpty() {
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).idempotencyKey(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key must not be empty");
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).idempotencyKey(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> scheduler.newJob(Job.of(() -> {})).retry(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policy");
  }

  @Test
  void theBuilderRefusesBadValues() {
    assertThatThrownBy(() -> JobScheduler.builder().workers(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workers must be positive: 0");
    assertThatThrownBy(() -> JobScheduler.builder().queueCapacity(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be positive: -3");
    assertThatThrownBy(() -> JobScheduler.builder().aging(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be positive: PT0S");
    assertThatThrownBy(() -> JobScheduler.builder().aging(Duration.ofDays(366)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be at most 365 days: PT8784H");
    assertThatThrownBy(() -> JobScheduler.builder().blockWhenFull(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive: PT-0.005S");
    assertThatThrownBy(() -> JobScheduler.builder().ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(() -> JobScheduler.builder().listener(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
    assertThatThrownBy(() -> JobScheduler.builder().store(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("store");
  }

  @Test
  void theBuilderRefusesASettingMadeTwice() {
    assertThatThrownBy(() -> JobScheduler.builder().workers(2).workers(3))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JobScheduler.builder().workers(2).manualDispatch())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JobScheduler.builder().rejectWhenFull().runInCallerWhenFull())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("full-queue policy already set");
    assertThatThrownBy(() -> JobScheduler.builder().noAging().aging(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("aging already set");
    assertThatThrownBy(
            () ->
                JobScheduler.builder()
                    .defaultTimeout(Duration.ofSeconds(1))
                    .defaultTimeout(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("default timeout already set");
    assertThatThrownBy(() -> JobScheduler.builder().sampleTimings(4).sampleTimings(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("sampleTimings already set");
  }

  @Test
  void theDefaultTimeoutMustBePositive() {
    assertThatThrownBy(() -> JobScheduler.builder().defaultTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> JobScheduler.builder().defaultTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void timingSamplesMustBeAPowerOfTwo() {
    for (int bad : new int[] {0, -16, 3, 24, 1 << 21}) {
      assertThatThrownBy(() -> JobScheduler.builder().sampleTimings(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("oneIn must be a power of two from 1 to 2^20: " + bad);
    }
  }

  @Test
  void retryPoliciesRefuseBadValues() {
    assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be between 1 and 536870911: 0");
    assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(1 << 29, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be between 1 and 536870911: 536870912");
    assertThat(
            RetryPolicy.exponentialBackoff(RetryPolicy.MAX_ATTEMPTS, Duration.ZERO, Duration.ZERO)
                .maxAttempts())
        .isEqualTo(536_870_911);
    assertThatThrownBy(
            () -> RetryPolicy.exponentialBackoff(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay must not be less than initialDelay: PT1S < PT2S");
    assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(3, Duration.ofSeconds(-1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay must not be negative: PT-1S");
    assertThatThrownBy(() -> RetryPolicy.none().retryOn(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("predicate");
    assertThatThrownBy(() -> RetryPolicy.none().backoffCap(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failedAttempts must be positive: 0");
  }

  @Test
  void statsRefuseAQuantileOutsideZeroToOne() {
    assertThatThrownBy(() -> scheduler.stats().waitTimePercentile(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quantile must be between 0 and 1: 1.5");
    assertThatThrownBy(() -> scheduler.stats().runTimePercentile(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void awaitTerminationRefusesANegativeTimeout() {
    assertThatThrownBy(() -> scheduler.awaitTermination(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must not be negative: PT-1S");
  }
}
