package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Which jobs read the ticker (package-info, "Clock readings"): with strict priorities and sampled
 * timings a job due at once and not sampled takes no reading, and the first job that waits for a
 * time turns readings on for good. Waits are bounded by latches and {@code get(timeout)}.
 */
class ClockReadingTest {

  private static final long WAIT_SECONDS = 20;

  /** A ticker that counts its readings. */
  private static final class CountingTicker implements Ticker {
    final Ticker delegate;
    final AtomicLong reads = new AtomicLong();

    CountingTicker(Ticker delegate) {
      this.delegate = delegate;
    }

    @Override
    public long read() {
      reads.incrementAndGet();
      return delegate.read();
    }
  }

  private static long readsFor(JobScheduler.Builder builder, CountingTicker ticker, int jobs)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(jobs);
    try (JobScheduler scheduler = builder.workers(2).ticker(ticker).build()) {
      for (int i = 0; i < jobs; i++) {
        scheduler
            .newJob(
                context -> {
                  done.countDown();
                  return null;
                })
            .priority(i % 10)
            .submit();
      }
      assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      return ticker.reads.get();
    }
  }

  @Test
  void onlySampledJobsReadTheTickerWithStrictPriorities() throws Exception {
    int jobs = 16_000;
    CountingTicker sampled = new CountingTicker(Ticker.system());
    long sampledReads = readsFor(JobScheduler.builder().noAging().sampleTimings(16), sampled, jobs);
    // 1,000 sampled jobs, each read at submission, possibly at the drain, at start and at end.
    assertThat(sampledReads).isLessThanOrEqualTo(4L * jobs / 16 + 10);

    CountingTicker every = new CountingTicker(Ticker.system());
    long everyReads = readsFor(JobScheduler.builder().noAging(), every, jobs);
    assertThat(everyReads).isGreaterThanOrEqualTo(2L * jobs); // the default times every job
  }

  @Test
  void agingNeedsAReadingPerJobEvenWhenTimingsAreSampled() throws Exception {
    int jobs = 1_600;
    CountingTicker ticker = new CountingTicker(Ticker.system());
    long reads = readsFor(JobScheduler.builder().sampleTimings(16), ticker, jobs);
    assertThat(reads).isGreaterThanOrEqualTo(2L * jobs); // the key of each job, its start
  }

  @Test
  void aDelayedJobTurnsReadingsOnAndRunsAtItsTime() throws Exception {
    FakeTicker time = FakeTicker.create();
    CountingTicker ticker = new CountingTicker(time);
    try (JobScheduler scheduler =
        JobScheduler.builder().workers(2).noAging().sampleTimings(1 << 20).ticker(ticker).build()) {
      for (int i = 0; i < 10; i++) {
        scheduler.submit(context -> "now").result().get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      assertThat(ticker.reads.get()).isEqualTo(1); // the scheduler's origin, and nothing since

      JobHandle<String> later =
          scheduler.newJob(context -> "later").delay(Duration.ofHours(1)).submit();
      JobHandle<String> soon = scheduler.submit(context -> "soon");
      assertThat(soon.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("soon");
      assertThat(later.status()).isEqualTo(JobStatus.QUEUED);
      time.advance(Duration.ofHours(1)); // a waiting worker notices within its poll interval
      assertThat(later.result().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("later");

      long before = ticker.reads.get();
      scheduler.submit(context -> "after").result().get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(ticker.reads.get() - before).isGreaterThanOrEqualTo(2); // readings stay on
    }
  }

  @Test
  void onlySampledJobsAreInTheTimingPercentiles() {
    FakeTicker time = FakeTicker.create();
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).sampleTimings(2).build();
    scheduler.submit(context -> "job 1, not sampled");
    time.advance(Duration.ofSeconds(1));
    scheduler.submit(context -> "job 2, sampled");
    time.advance(Duration.ofMillis(3));
    assertThat(scheduler.runPending()).isEqualTo(2);
    // Job 2 waited 3 ms, in the bucket [2^21, 2^22) ns; job 1's 1.003 s would be in [2^29, 2^30).
    assertThat(scheduler.stats().waitTimePercentile(1.0))
        .isEqualTo(Duration.ofNanos((1L << 22) - 1));
  }
}
