package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token bucket behaviour, event by event, under a clock driven by hand. */
class TokenBucketLimiterTest {

  private final FakeTicker ticker = FakeTicker.create();

  private TokenBucketLimiter limiter(Limit... limits) {
    TokenBucketLimiter.Builder builder = TokenBucketLimiter.builder().ticker(ticker);
    Arrays.stream(limits).forEach(builder::limit);
    return builder.build();
  }

  @Test
  void javadocExampleWorks() {
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder()
            .limit(Limit.of(100, Duration.ofMinutes(1)))
            .limit(Limit.of(10, Duration.ofSeconds(1)))
            .build();
    boolean ok = limiter.tryAcquire();
    assertThat(ok).isTrue();
  }

  @Test
  void aSaturatedLimiterRefusesUntilExactlyTheNextPermit() {
    TokenBucketLimiter limiter = limiter(Limit.of(3, Duration.ofSeconds(1)).withCapacity(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse(); // empty: remembers until the next permit
    ticker.advanceNanos(333_333_333);
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advanceNanos(1); // the second permit appears at ceil(10^9 / 3) ns
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aCancelledReservationsPermitsAreNotHiddenByARememberedRefusal() {
    TokenBucketLimiter limiter = limiter(Limit.of(1, Duration.ofSeconds(1)).withCapacity(2));
    assertThat(limiter.tryAcquire()).isTrue();
    Reservation r = limiter.reserve(2); // 1 held, 1 more in a second
    assertThat(r.delayNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(limiter.tryAcquire()).isFalse(); // in debt: this refusal must not be remembered
    assertThat(r.cancel()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue(); // the permit given back
  }

  @Test
  void readmeExampleGivesWhatAnHttpApiNeeds() {
    RateLimiter limiter = TokenBucketLimiter.of(Limit.of(10, Duration.ofSeconds(1)));
    Decision d = limiter.decide(1);
    int status = d.allowed() ? 200 : 429;
    String retryAfter = String.valueOf(d.retryAfterSeconds()); // Retry-After, when refused
    String remaining = String.valueOf(d.remaining()); // RateLimit-Remaining
    assertThat(status).isEqualTo(200);
    assertThat(retryAfter).isEqualTo("0");
    assertThat(remaining).isEqualTo("9");
  }

  @Test
  void aFullBucketPassesABurstOfItsCapacityThenRefillsOnePermitPerInterval() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.tryAcquire()).as("burst permit %s", i).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(99));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1)); // 100 ms: exactly one permit
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(250)); // 350 ms: permits at 200 and 300 ms
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void idleTimeFillsTheBucketToItsCapacityAndNoFurther() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)).withCapacity(20));
    assertThat(limiter.tryAcquire(20)).isTrue();
    ticker.advance(Duration.ofSeconds(10)); // 100 permits generated, 20 fit
    assertThat(limiter.availablePermits()).isEqualTo(20);
    assertThat(limiter.tryAcquire(20)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void aColdStartHasNoPermitsUntilTheFirstInterval() {
    TokenBucketLimiter limiter = limiter(Limit.of(2, Duration.ofSeconds(1)).withInitialPermits(0));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void threePerSecondAdmitsExactlyThreeThousandInAThousandSeconds() {
    TokenBucketLimiter limiter =
        limiter(Limit.of(3, Duration.ofSeconds(1)).withCapacity(1).withInitialPermits(0));
    long admitted = 0;
    for (int ms = 1; ms <= 1_000_000; ms++) {
      ticker.advance(Duration.ofMillis(1));
      if (limiter.tryAcquire()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(3_000);
  }

  @Test
  void severalLimitsDecideTogetherAndTakeFromAll() {
    TokenBucketLimiter limiter =
        limiter(Limit.of(100, Duration.ofMinutes(1)), Limit.of(10, Duration.ofSeconds(1)));
    assertThat(limiter.tryAcquire(10)).isTrue();
    assertThat(limiter.tryAcquire()).as("the per-second limit is empty").isFalse();
    int admitted = 10;
    for (int s = 1; s <= 59; s++) {
      ticker.advance(Duration.ofSeconds(1));
      while (limiter.tryAcquire()) {
        admitted++;
      }
    }
    assertThat(admitted).as("the per-minute limit caps the minute").isEqualTo(100 + 98);
  }

  @Test
  void aRejectionByOneLimitTakesNothingFromTheOthers() {
    TokenBucketLimiter limiter =
        limiter(Limit.of(5, Duration.ofSeconds(1)), Limit.of(100, Duration.ofSeconds(1)));
    assertThat(limiter.tryAcquire(5)).isTrue();
    for (int i = 0; i < 50; i++) {
      assertThat(limiter.tryAcquire()).isFalse();
    }
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(5)).isTrue();
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.limit()).isEqualTo(5);
    assertThat(d.remaining()).isZero();
  }

  @Test
  void aDecisionGivesRemainingRetryAfterAndReset() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)));
    Decision first = limiter.decide(4);
    assertThat(first.allowed()).isTrue();
    assertThat(first.limit()).isEqualTo(10);
    assertThat(first.remaining()).isEqualTo(6);
    assertThat(first.retryAfterNanos()).isZero();
    assertThat(first.resetNanos()).isEqualTo(Duration.ofMillis(400).toNanos());

    assertThat(limiter.tryAcquire(6)).isTrue();
    ticker.advance(Duration.ofMillis(30));
    Decision denied = limiter.decide(2);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.remaining()).isZero();
    assertThat(denied.retryAfter()).isEqualTo(Duration.ofMillis(170)); // permits at 100, 200 ms
    assertThat(denied.retryAfterSeconds()).isEqualTo(1);
    assertThat(denied.resetNanos()).isEqualTo(Duration.ofMillis(970).toNanos());
    assertThat(denied.resetSeconds()).isEqualTo(1);

    ticker.advance(denied.retryAfter());
    assertThat(limiter.tryAcquire(2)).as("retrying after retryAfter succeeds").isTrue();
  }

  @Test
  void aClockThatGoesBackwardsNeverCreatesPermits() {
    FakeTicker real = FakeTicker.startingAt(1_000_000_000_000L);
    long[] skew = {0};
    Ticker skewed = () -> real.read() - skew[0];
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder()
            .limit(Limit.of(10, Duration.ofSeconds(1)).withInitialPermits(0))
            .ticker(skewed)
            .build();
    real.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    skew[0] = Duration.ofSeconds(5).toNanos(); // the clock jumps 5 s back
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.tryAcquire()).isFalse();
    }
    skew[0] = 0; // and forward again: still nothing new until the next interval
    assertThat(limiter.tryAcquire()).isFalse();
    real.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void callersWithStaleClockReadingsCannotReMintPermits() {
    // Two callers alternate: one reads the current time, one a reading 10 s old (a thread
    // descheduled between reading the clock and deciding). A limiter that stores its last refill
    // time lets each stale caller move that time back and re-mint up to a whole burst, every time
    // (golang/go#65508). Here the state only ever rises: a stale caller decides as if it had come
    // 10 s earlier, which can add its own request once, and then it is refused.
    FakeTicker now = FakeTicker.create();
    boolean[] stale = {false};
    Ticker clock = () -> stale[0] ? now.read() - Duration.ofSeconds(10).toNanos() : now.read();
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder()
            .limit(Limit.of(10, Duration.ofSeconds(1)))
            .ticker(clock)
            .build();
    now.advance(Duration.ofSeconds(20));
    long admitted = 0;
    long admittedStale = 0;
    for (int ms = 0; ms < 10_000; ms++) {
      now.advance(Duration.ofMillis(1));
      stale[0] = (ms & 1) == 0;
      if (limiter.tryAcquire()) {
        admitted++;
        admittedStale += stale[0] ? 1 : 0;
      }
    }
    // Fresh callers alone: the burst of 10 plus 100 generated in 10 s. The first stale call, made
    // before any fresh one, took one permit from the full bucket of its instant; no later one did.
    assertThat(admittedStale).isEqualTo(1);
    assertThat(admitted).isEqualTo(10 + 100 + 1);
  }

  @Test
  void aClockNearTheEndOfTheLongRangeWrapsAround() {
    FakeTicker wrapping = FakeTicker.startingAt(Long.MAX_VALUE - Duration.ofMillis(50).toNanos());
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder()
            .limit(Limit.of(10, Duration.ofSeconds(1)).withInitialPermits(0))
            .ticker(wrapping)
            .build();
    wrapping.advance(Duration.ofMillis(100)); // the reading wraps to a negative number
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void hundredYearsOfIdleAndExtremeRatesNeverOverflow() {
    TokenBucketLimiter fast =
        limiter(Limit.of(1_000_000_000L, Duration.ofSeconds(1)).withCapacity(Limit.MAX_CAPACITY));
    assertThat(fast.tryAcquire(Limit.MAX_CAPACITY)).isTrue();
    ticker.advance(Duration.ofDays(36_525));
    assertThat(fast.availablePermits()).isEqualTo(Duration.ofDays(36_525).toNanos());
    assertThat(fast.tryAcquire(Duration.ofDays(36_525).toNanos())).isTrue();
    assertThat(fast.tryAcquire()).isFalse();

    TokenBucketLimiter slow = limiter(Limit.of(1, Duration.ofDays(1)));
    assertThat(slow.tryAcquire()).isTrue();
    assertThat(slow.decide(1).retryAfter()).isEqualTo(Duration.ofDays(1));
    ticker.advance(Duration.ofDays(36_525));
    assertThat(slow.tryAcquire()).isTrue();
    assertThat(slow.tryAcquire()).isFalse();
  }

  @Test
  void limitsCanChangeAtRunTimeKeepingTheAvailablePermits() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)));
    assertThat(limiter.tryAcquire(7)).isTrue();
    limiter.setLimits(List.of(Limit.of(1, Duration.ofSeconds(1)).withCapacity(100)));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    assertThat(limiter.tryAcquire(3)).isTrue();
    ticker.advance(Duration.ofMillis(999));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();

    limiter.setLimits(
        List.of(Limit.of(1, Duration.ofSeconds(1)), Limit.of(5, Duration.ofSeconds(1))));
    assertThat(limiter.limits()).hasSize(2);
    assertThat(limiter.availablePermits()).isZero();
    ticker.advance(Duration.ofSeconds(30));
    assertThat(limiter.availablePermits()).isEqualTo(1);
    limiter.setLimits(List.of(Limit.of(50, Duration.ofSeconds(1)).withCapacity(2)));
    assertThat(limiter.availablePermits()).as("carried 1, capped at 2").isEqualTo(1);
  }

  @Test
  void aRefusalAfterTheClockWentBackNeverReportsNegativeRemaining() {
    long[] skew = {0};
    Ticker skewed = () -> ticker.read() - skew[0];
    TokenBucketLimiter limiter =
        TokenBucketLimiter.builder()
            .limit(Limit.of(10, Duration.ofSeconds(1)).withInitialPermits(0))
            .ticker(skewed)
            .build();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    skew[0] = Duration.ofMillis(500).toNanos();
    Decision d = limiter.decide(1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.remaining()).isZero();
    assertThat(d.retryAfter()).isEqualTo(Duration.ofMillis(600));
  }

  @Test
  void settingTheSameLimitsAgainKeepsTheProgressTowardsTheNextPermit() {
    TokenBucketLimiter limiter = limiter(Limit.of(1, Duration.ofMinutes(1)));
    assertThat(limiter.tryAcquire()).isTrue();
    for (int i = 0; i < 4; i++) {
      ticker.advance(Duration.ofSeconds(15));
      limiter.setLimits(List.of(Limit.of(1, Duration.ofMinutes(1))));
    }
    assertThat(limiter.tryAcquire()).as("a config reloader must not starve the bucket").isTrue();
  }

  @Test
  void changingLimitsWhileCallersHammerNeitherHangsNorOverAdmits() throws Exception {
    // Time stands still (a fake clock) while 4 threads take permits and a fifth switches limits
    // back and forth 2,000 times: every switch carries over only what is left, so in total at most
    // the first capacity can ever be admitted, however the switches interleave.
    TokenBucketLimiter limiter = limiter(Limit.of(100, Duration.ofSeconds(1)).withCapacity(500));
    AtomicLong admitted = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        callers.add(
            pool.submit(
                () -> {
                  while (!done.get()) {
                    if (limiter.tryAcquire()) {
                      admitted.incrementAndGet();
                    }
                  }
                }));
      }
      for (int i = 0; i < 2_000; i++) {
        limiter.setLimits(
            i % 2 == 0
                ? List.of(Limit.of(5, Duration.ofSeconds(1)).withCapacity(1_000))
                : List.of(
                    Limit.of(100, Duration.ofSeconds(1)).withCapacity(500),
                    Limit.of(1_000, Duration.ofMinutes(1))));
      }
      done.set(true);
      for (Future<?> c : callers) {
        c.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted.get()).isEqualTo(500); // all of the first capacity, and not one more
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void badInputIsRejectedNamingTheParameter() {
    TokenBucketLimiter limiter = limiter(Limit.of(10, Duration.ofSeconds(1)));
    assertThatThrownBy(() -> limiter.tryAcquire(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: 0");
    assertThatThrownBy(() -> limiter.tryAcquire(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: -3");
    assertThatThrownBy(() -> limiter.decide(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: 11");
    assertThatThrownBy(() -> limiter.setLimits(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limits must hold 1 to 16 limits: 0");
    assertThatThrownBy(() -> limiter.setLimits(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limits");
    assertThatThrownBy(() -> TokenBucketLimiter.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("at least one limit is required");
    assertThatThrownBy(() -> TokenBucketLimiter.builder().limit(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit");
    assertThatThrownBy(() -> TokenBucketLimiter.builder().ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(() -> TokenBucketLimiter.builder().ticker(ticker).ticker(ticker))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker already set");
  }
}
