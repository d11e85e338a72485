package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Cron jobs in the scheduler, traced on a fake ticker with a wall clock that reads the same ticker
 * (instant = base + ticker reading + an adjustable step, to simulate NTP steps). No sleeps: the
 * test moves time minute by minute and runs what is due.
 */
class CronJobTest {

  /**
   * A wall clock driven by a fake ticker: {@code base} at the ticker's reading when it is made.
   * {@link #step} moves it without moving the ticker.
   */
  static final class TickerClock extends Clock {
    private final FakeTicker ticker;
    private final Instant base;
    private final long origin;
    private volatile Duration step = Duration.ZERO;
    private volatile RuntimeException failure;

    TickerClock(FakeTicker ticker, Instant base) {
      this.ticker = ticker;
      this.base = base;
      this.origin = ticker.read();
    }

    void step(Duration by) {
      step = step.plus(by);
    }

    void failWith(RuntimeException e) {
      failure = e;
    }

    @Override
    public Instant instant() {
      if (failure != null) {
        throw failure;
      }
      return base.plusNanos(ticker.read() - origin).plus(step);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the scheduler reads instants only");
    }
  }

  private final FakeTicker time = FakeTicker.create();
  private final List<String> runs = new CopyOnWriteArrayList<>();
  private TickerClock clock;
  private JobScheduler scheduler;

  private void startAt(String instant) {
    clock = new TickerClock(time, Instant.parse(instant));
    scheduler = JobScheduler.builder().manualDispatch().ticker(time).clock(clock).build();
  }

  private long minutes() {
    return TimeUnit.NANOSECONDS.toMinutes(time.read());
  }

  /** Records "occurrence@ticker minute", then runs for {@code runMinutes} of ticker time. */
  private Job<String> taking(long runMinutes) {
    return context -> {
      runs.add(context.occurrence() + "@" + minutes());
      time.advance(Duration.ofMinutes(runMinutes));
      return "ok";
    };
  }

  /** Moves the ticker minute by minute up to {@code untilMinute}, running what is due. */
  private void runUntil(long untilMinute) {
    scheduler.runPending();
    while (minutes() < untilMinute) {
      time.advance(Duration.ofMinutes(1));
      scheduler.runPending();
    }
  }

  private static CronExpression cron(String expression) {
    return CronExpression.parse(expression);
  }

  @Test
  void occurrencesRunAtTheExpressionsTimesOnTheTicker() {
    startAt("2026-11-23T10:07:00Z"); // ticker 0 is 10:07
    JobHandle<String> handle =
        scheduler.newJob(taking(1)).repeatOn(cron("*/15 * * * *"), ZoneOffset.UTC).submit();
    runUntil(50);
    // 10:15, 10:30 and 10:45 are ticker minutes 8, 23 and 38; 11:00 would be 53.
    assertThat(runs).containsExactly("1@8", "2@23", "3@38");
    assertThat(handle.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(handle.result()).isNotDone();
  }

  @Test
  void anOccurrenceThatOverrunsSkipsTheTimesItMissed() {
    startAt("2026-11-23T10:07:00Z");
    scheduler.newJob(taking(40)).repeatOn(cron("*/15 * * * *"), ZoneOffset.UTC).submit();
    runUntil(110);
    // 10:15 ends at 10:55 (10:30 and 10:45 missed), 11:00 ends at 11:40, then 11:45.
    assertThat(runs).containsExactly("1@8", "2@53", "3@98");
    assertThat(scheduler.stats().succeeded()).isZero();
  }

  @Test
  void aWallClockStepIsNoticedWhenTheNextOccurrenceIsPlaced() {
    startAt("2026-11-23T10:30:00Z");
    scheduler.newJob(taking(0)).repeatOn(cron("0 * * * *"), ZoneOffset.UTC).submit();
    runUntil(10);
    clock.step(Duration.ofMinutes(20)); // NTP steps the clock forward: 10:40 reads 11:00
    runUntil(75);
    // 11:00 was placed at ticker 30 before the step and keeps it; at that moment the clock reads
    // 11:20, so 12:00 is 40 minutes of ticker time later.
    assertThat(runs).containsExactly("1@30", "2@70");
  }

  @Test
  void aClockStepBackwardsDoesNotRunAnOccurrenceTwice() {
    startAt("2026-11-23T10:30:00Z");
    scheduler
        .newJob(
            context -> {
              runs.add(context.occurrence() + "@" + minutes());
              if (context.occurrence() == 1) {
                clock.step(Duration.ofMinutes(-10)); // 11:00 reads 10:50 again
              }
              return "ok";
            })
        .repeatOn(cron("0 * * * *"), ZoneOffset.UTC)
        .submit();
    runUntil(150);
    // The next time is searched from 11:00 (the time just run), not from the clock's 10:50: so
    // 12:00, 70 minutes of ticker time later, not 11:00 again.
    assertThat(runs).containsExactly("1@30", "2@100");
  }

  /** Submits {@code 30 2 * * *} in Berlin and returns the Berlin times it ran at. */
  private List<String> dailyAtHalfPastTwoInBerlin(String start, long days) {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    startAt(start);
    List<String> wall = new CopyOnWriteArrayList<>();
    scheduler
        .newJob(
            context -> {
              wall.add(ZonedDateTime.ofInstant(clock.instant(), berlin).toString());
              return "ok";
            })
        .repeatOn(cron("30 2 * * *"), berlin)
        .submit();
    runUntil(days * 24 * 60);
    return wall;
  }

  @Test
  void aDailyJobInTheSkippedHourRunsWhenTheHourEnds() {
    assertThat(dailyAtHalfPastTwoInBerlin("2026-03-28T12:00:00Z", 3))
        .containsExactly(
            "2026-03-29T03:00+02:00[Europe/Berlin]",
            "2026-03-30T02:30+02:00[Europe/Berlin]",
            "2026-03-31T02:30+02:00[Europe/Berlin]");
  }

  @Test
  void aDailyJobInTheRepeatedHourRunsOnce() {
    assertThat(dailyAtHalfPastTwoInBerlin("2026-10-24T12:00:00Z", 3))
        .containsExactly(
            "2026-10-25T02:30+02:00[Europe/Berlin]",
            "2026-10-26T02:30+01:00[Europe/Berlin]",
            "2026-10-27T02:30+01:00[Europe/Berlin]");
  }

  @Test
  void cancellingACronJobStopsIt() {
    startAt("2026-11-23T10:00:00Z");
    JobHandle<String> handle =
        scheduler.newJob(taking(0)).repeatOn(cron("*/10 * * * *"), ZoneOffset.UTC).submit();
    runUntil(15);
    assertThat(handle.cancel()).isTrue();
    runUntil(60);
    assertThat(runs).containsExactly("1@10");
    assertThat(handle.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(handle.result()).isCancelled();
  }

  @Test
  void shutdownEndsAQueuedCronJobAndTheAccountsBalance() throws Exception {
    startAt("2026-11-23T10:00:00Z");
    JobHandle<String> handle =
        scheduler.newJob(taking(0)).repeatOn(cron("@hourly"), ZoneOffset.UTC).submit();
    runUntil(61);
    scheduler.shutdown();
    assertThat(handle.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(runs).containsExactly("1@60");
    assertThat(scheduler.awaitTermination(Duration.ZERO)).isTrue();
    SchedulerStats s = scheduler.stats();
    assertThat(s.cancelled()).isEqualTo(s.submitted()).isEqualTo(1);
  }

  @Test
  void aClockThatFailsEndsTheJobAsFailed() {
    startAt("2026-11-23T10:00:00Z");
    JobHandle<String> handle =
        scheduler.newJob(taking(0)).repeatOn(cron("*/10 * * * *"), ZoneOffset.UTC).submit();
    runUntil(5);
    IllegalStateException broken = new IllegalStateException("clock unavailable");
    clock.failWith(broken);
    runUntil(15);
    assertThat(runs).containsExactly("1@10");
    assertThat(handle.status()).isEqualTo(JobStatus.FAILED);
    assertThat(handle.result()).isCompletedExceptionally();
    assertThatThrownBy(() -> handle.result().join()).hasCause(broken);
    assertThat(scheduler.stats().failed()).isEqualTo(1);
  }

  @Test
  void aCronJobRunsOnAWorkerThread() throws Exception {
    clock = new TickerClock(time, Instant.parse("2026-11-23T10:00:00Z"));
    CountDownLatch placed = new CountDownLatch(1); // the second occurrence is queued
    CountDownLatch second = new CountDownLatch(1);
    try (JobScheduler pooled =
        JobScheduler.builder()
            .workers(1)
            .ticker(time)
            .clock(clock)
            .listener(
                e -> {
                  if (e.kind() == JobEvent.Kind.RESCHEDULED) {
                    placed.countDown();
                  }
                })
            .build()) {
      pooled
          .newJob(
              context -> {
                runs.add(context.occurrence() + "@" + minutes());
                if (context.occurrence() == 2) {
                  second.countDown();
                }
                return "ok";
              })
          .repeatOn(cron("*/5 * * * *"), ZoneOffset.UTC)
          .submit();
      time.advance(Duration.ofMinutes(5)); // the idle worker notices within its 20 ms poll
      // Advancing again before the next occurrence is placed would make 10:10 already past.
      assertThat(placed.await(10, TimeUnit.SECONDS)).isTrue();
      time.advance(Duration.ofMinutes(5));
      assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runs).containsExactly("1@5", "2@10");
  }

  @Test
  void badCronSubmissionsAreRefused() {
    startAt("2026-11-23T10:00:00Z");
    CronExpression hourly = cron("@hourly");
    assertThatThrownBy(() -> scheduler.newJob(taking(0)).repeatOn(null, ZoneOffset.UTC))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cron");
    assertThatThrownBy(() -> scheduler.newJob(taking(0)).repeatOn(hourly, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("zone");
    assertThatThrownBy(
            () ->
                scheduler
                    .newJob(taking(0))
                    .repeatAtFixedRate(Duration.ofSeconds(1))
                    .repeatOn(hourly, ZoneOffset.UTC))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("repetition already set");
    assertThatThrownBy(
            () ->
                scheduler
                    .newJob(taking(0))
                    .repeatOn(hourly, ZoneOffset.UTC)
                    .repeatWithFixedDelay(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("repetition already set");
    assertThatThrownBy(
            () ->
                scheduler
                    .newJob(taking(0))
                    .delay(Duration.ofSeconds(1))
                    .repeatOn(hourly, ZoneOffset.UTC))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "a cron job is due at its expression's times: no delay or run-at time with repeatOn");
    assertThatThrownBy(() -> scheduler.newJob(taking(0)).repeatOn(hourly, ZoneOffset.UTC).runAt(5L))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "a cron job is due at its expression's times: no delay or run-at time with repeatOn");
    assertThatThrownBy(() -> JobScheduler.builder().clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock");
    assertThatThrownBy(() -> JobScheduler.builder().clock(clock).clock(clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("clock already set");
  }
}
