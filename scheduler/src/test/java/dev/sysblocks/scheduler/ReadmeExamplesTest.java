package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The usage snippets of the README and the Javadoc, compiled and run. */
class ReadmeExamplesTest {

  @Test
  void readmeExampleSubmitsAPrioritisedRetriedJobAndShutsDownGracefully() throws Exception {
    // --- README snippet begins ---
    JobScheduler scheduler =
        JobScheduler.builder()
            .workers(4)
            .queueCapacity(10_000)
            .blockWhenFull(Duration.ofSeconds(1)) // back-pressure on producers
            .aging(Duration.ofSeconds(1)) // a waiting job gains one priority level per second
            .deadLetterHandler(
                (job, error) -> System.err.println("gave up on " + job + ": " + error))
            .build();
    JobHandle<String> handle =
        scheduler
            .newJob(context -> "report, attempt " + context.attempt())
            .priority(7) // 0 (least urgent) to 9
            .delay(Duration.ofMillis(10))
            .retry(
                RetryPolicy.exponentialBackoff(5, Duration.ofMillis(100), Duration.ofSeconds(10))
                    .retryOn(e -> e instanceof IOException))
            .timeout(Duration.ofSeconds(30))
            .idempotencyKey("report-2026-11-23")
            .submit();
    String report = handle.result().get(); // "report, attempt 1"
    scheduler.close(); // stop accepting, run every accepted job, wait for the workers
    // --- README snippet ends ---
    assertThat(report).isEqualTo("report, attempt 1");
    assertThat(handle.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void readmeTestingExampleDrivesTheSchedulerByHand() {
    // --- README snippet (testing) begins ---
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().ticker(time).build();
    JobHandle<String> later =
        scheduler.newJob(context -> "done").delay(Duration.ofMinutes(5)).submit();
    scheduler.runPending(); // runs nothing: not yet eligible
    time.advance(Duration.ofMinutes(5));
    scheduler.runPending(); // runs it, on this thread
    // --- README snippet (testing) ends ---
    assertThat(later.result()).isCompletedWithValue("done");
  }

  @Test
  void readmeCronExampleSchedulesOnWorkHoursInBerlin() {
    FakeTicker time = FakeTicker.create();
    // Friday 27 November 2026, 17:50 in Berlin.
    CronJobTest.TickerClock clock =
        new CronJobTest.TickerClock(time, Instant.parse("2026-11-27T16:50:00Z"));
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).clock(clock).build();
    // --- README snippet (cron) begins ---
    CronExpression workHours = CronExpression.parse("*/15 9-17 * * MON-FRI");
    ZonedDateTime fridayEvening = ZonedDateTime.parse("2026-11-27T17:50+01:00[Europe/Berlin]");
    ZonedDateTime next = workHours.next(fridayEvening); // Monday 2026-11-30T09:00+01:00
    JobHandle<String> poll =
        scheduler
            .newJob(context -> "polled, occurrence " + context.occurrence())
            .repeatOn(workHours, ZoneId.of("Europe/Berlin")) // times read from the builder's clock
            .submit();
    // --- README snippet (cron) ends ---
    assertThat(next).isEqualTo(ZonedDateTime.parse("2026-11-30T09:00+01:00[Europe/Berlin]"));
    time.advance(Duration.between(fridayEvening, next).minusNanos(1));
    assertThat(scheduler.runPending()).isZero();
    time.advance(Duration.ofNanos(1));
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(poll.attempts()).isEqualTo(1);
    assertThat(poll.status()).isEqualTo(JobStatus.QUEUED); // the next occurrence, at 09:15
  }

  @Test
  void javadocExampleOfCronExpressionWorks() {
    CronExpression workHours = CronExpression.parse("*/15 9-17 * * MON-FRI");
    ZonedDateTime next = workHours.next(ZonedDateTime.now(ZoneId.of("Europe/Berlin")));
    // the next quarter hour from 9:00 to 17:45, Monday to Friday, Berlin time
    assertThat(next.getMinute() % 15).isZero();
    assertThat(next.getHour()).isBetween(9, 17);
    assertThat(next.getDayOfWeek().getValue()).isBetween(1, 5);
  }

  @Test
  void javadocExampleOfRepeatOnWorks() {
    FakeTicker time = FakeTicker.create();
    CronJobTest.TickerClock clock =
        new CronJobTest.TickerClock(time, Instant.parse("2026-11-23T00:00:00Z"));
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).clock(clock).build();
    JobHandle<String> handle =
        scheduler
            .newJob(context -> exportYesterday())
            .repeatOn(CronExpression.parse("30 2 * * *"), ZoneId.of("Europe/Berlin"))
            .submit();
    time.advance(Duration.ofMinutes(90)); // 01:30 UTC is 02:30 in Berlin in November
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(handle.attempts()).isEqualTo(1);
  }

  private static String exportYesterday() {
    return "exported";
  }

  @Test
  void javadocExampleOfJobSchedulerWorks() {
    try (JobScheduler scheduler = JobScheduler.builder().workers(4).build()) {
      JobHandle<String> handle =
          scheduler
              .newJob(context -> "hello from attempt " + context.attempt())
              .priority(7)
              .retry(
                  RetryPolicy.exponentialBackoff(3, Duration.ofMillis(10), Duration.ofSeconds(1)))
              .timeout(Duration.ofSeconds(5))
              .submit();
      String greeting = handle.result().join();
      assertThat(greeting).isEqualTo("hello from attempt 1");
    }
  }

  @Test
  void javadocExampleOfJobHandleWorks() throws Exception {
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().build();
    JobHandle<Integer> handle = scheduler.submit(context -> 42);
    scheduler.runPending();
    int answer = handle.result().get();
    assertThat(answer).isEqualTo(42);
  }
}
