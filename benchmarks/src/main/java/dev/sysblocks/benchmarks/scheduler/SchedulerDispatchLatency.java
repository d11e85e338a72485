package dev.sysblocks.benchmarks.scheduler;

import dev.sysblocks.benchmarks.runner.StandaloneReport;
import dev.sysblocks.scheduler.Job;
import dev.sysblocks.scheduler.JobHandle;
import dev.sysblocks.scheduler.JobScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency of the scheduler at a fixed offered load, which JMH cannot express (its modes measure a
 * saturated loop or one shot): three measurements, written as a Markdown report.
 *
 * <p><b>Measures</b>: (1) <em>dispatch latency</em>, from the submit call to the job's first line,
 * at a fixed offered load below saturation (20,000 jobs per second by default, mixed priorities, 2
 * workers), for ours ({@code noAging()}), {@code ThreadPoolExecutor} over a {@code
 * PriorityBlockingQueue} and Quartz's {@code RAMJobStore}: percentiles from HdrHistogram. (2)
 * <em>lateness</em> of delayed jobs (start minus due time, delays drawn from 1 to 10 ms, 2,000 jobs
 * per second), ours against {@code ScheduledThreadPoolExecutor}, and the machine's floor: how late
 * a lone thread wakes from parking to the same delays. (3) <em>schedule</em> and <em>cancel</em>
 * with 10^6 delayed jobs pending (due in 1 to 2 hours), ours against {@code
 * ScheduledThreadPoolExecutor} with {@code setRemoveOnCancelPolicy(true)}: mean time per call over
 * rounds of 100,000 schedules, then their 100,000 cancels.
 *
 * <p><b>Pitfalls avoided</b>: the load generator keeps to the intended schedule (it submits every
 * job whose intended time has passed when it wakes, so a late wake-up never lowers the offered
 * load) and parks between jobs instead of spinning, so that it does not take a core from the two
 * workers on a 2-core machine; each implementation gets a warm-up at the same load before its
 * measured run; ours and its JDK peer are measured in ten alternating rounds, each one's rounds
 * pooled, so that a burst of noise from other tenants of the machine (which moved one p99 by 2x
 * between runs of the same code) lands on both rather than on whichever ran in that second; the
 * same pre-drawn priorities and delays for all; jobs record into a {@code Recorder} (wait-free for
 * concurrent writers). Quartz runs about 8k to 40k tiny jobs per second on two cores
 * (SchedulerThroughputBenchmark), so at 20k jobs/s it may be past saturation: its row then shows a
 * growing queue, not dispatch cost; compare ours with the JDK's row. Ours keeps cancelled entries
 * in its queue until they fall due (lazy deletion), so part (3) frees nothing while it runs: give
 * it heap.
 *
 * <p><b>Run</b>: {@code ./bench full SchedulerDispatchLatency} (writes {@code
 * benchmarks/results/SchedulerDispatchLatency.md} and the README table), or {@code java -Xmx2g -cp
 * benchmarks/target/benchmarks.jar dev.sysblocks.benchmarks.scheduler.SchedulerDispatchLatency
 * [seconds=10] [jobsPerSecond=20000] [pending=1000000]
 * [report=benchmarks/target/scheduler-latency.md]}. Stop other benchmarks first: latency on two
 * cores is only meaningful on a quiet machine.
 */
public final class SchedulerDispatchLatency implements StandaloneReport {

  /**
   * Delayed jobs per second in the lateness run: ten times fewer than dispatches, as timers are.
   */
  private static final int DELAYED_PER_SECOND = 2_000;

  /** Alternating measured rounds per pair of implementations in parts (1) and (2). */
  private static final int ROUNDS = 10;

  /** Schedules (then cancels) per timed round of part (3). */
  private static final int ROUND = 100_000;

  /** Longest latency recorded: 10 s, in nanoseconds; 3 significant digits. */
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final int PRIORITIES = 1024;

  /** For {@link dev.sysblocks.benchmarks.runner.Bench}; does no work. */
  public SchedulerDispatchLatency() {}

  /**
   * The report with the default settings (10 s per run, 20,000 jobs/s, 10^6 pending), or in smoke
   * mode a fraction of a second at a tenth of the load with 10^4 pending, only to prove it runs.
   */
  @Override
  public String markdown(boolean smoke) throws IOException {
    try {
      return smoke ? run(0.3, 2_000, 10_000) : run(10, 20_000, 1_000_000);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("SchedulerDispatchLatency failed", e);
    }
  }

  /**
   * Runs the three measurements and writes the report.
   *
   * @param args seconds per measured run, offered load in jobs per second, pending delayed jobs,
   *     and the report file; each optional
   * @throws Exception if an implementation fails to start or stop
   */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int pending = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    Path report = Path.of(args.length > 3 ? args[3] : "benchmarks/target/scheduler-latency.md");
    String text = run(seconds, rate, pending);
    System.out.print(text);
    if (report.getParent() != null) {
      Files.createDirectories(report.getParent());
    }
    Files.writeString(report, text, StandardCharsets.UTF_8);
    System.out.println("Written to " + report.toAbsolutePath());
  }

  static String run(double seconds, int rate, int pending) throws Exception {
    long measureNanos = (long) (seconds * 1e9);
    long warmupNanos = Math.max(measureNanos / 2, TimeUnit.MILLISECONDS.toNanos(200));
    StringBuilder out = new StringBuilder();
    out.append("### SchedulerDispatchLatency\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "Measured %s: %.1f s per run after %.1f s of warm-up, %d processors, %s.%n%n",
                LocalDate.now(ZoneOffset.UTC),
                seconds,
                warmupNanos / 1e9,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version")));

    out.append(
            String.format(
                Locale.ROOT,
                "#### Dispatch latency, submit to start, at %,d jobs/s (µs)%n%n",
                rate))
        .append(HEADER);
    Map<String, Histogram> latencies = new LinkedHashMap<>();
    SchedulerAdapter ours =
        SchedulerAdapter.create("sysblocks-scheduler", SchedulerThroughputBenchmark.WORKERS);
    SchedulerAdapter tpe =
        SchedulerAdapter.create("jdk-tpe-pbq", SchedulerThroughputBenchmark.WORKERS);
    try {
      Histogram[] pooled =
          interleaved(
              nanos -> dispatch(ours, rate, nanos),
              nanos -> dispatch(tpe, rate, nanos),
              warmupNanos,
              measureNanos);
      latencies.put("sysblocks-scheduler", pooled[0]);
      latencies.put("jdk-tpe-pbq", pooled[1]);
    } finally {
      ours.stop();
      tpe.stop();
    }
    SchedulerAdapter quartz =
        SchedulerAdapter.create("quartz-ram", SchedulerThroughputBenchmark.WORKERS);
    try {
      dispatch(quartz, rate, warmupNanos);
      latencies.put("quartz-ram", dispatch(quartz, rate, measureNanos));
    } finally {
      quartz.stop();
    }
    Histogram jdk = latencies.get("jdk-tpe-pbq");
    latencies.forEach((impl, h) -> out.append(row(impl, h, jdk)));

    out.append(
            String.format(
                Locale.ROOT,
                "%n#### Lateness of delayed jobs (1 to 10 ms delays, %,d jobs/s), start minus due"
                    + " time (µs)%n%n",
                DELAYED_PER_SECOND))
        .append(HEADER);
    JobScheduler scheduler = SchedulerAdapter.plain(SchedulerThroughputBenchmark.WORKERS).build();
    ScheduledThreadPoolExecutor stpe =
        new ScheduledThreadPoolExecutor(
            SchedulerThroughputBenchmark.WORKERS, SchedulerAdapter.daemons("stpe"));
    try {
      Histogram[] pooled =
          interleaved(
              nanos ->
                  lateness(
                      (job, delay) ->
                          scheduler.newJob(Job.of(job)).delay(Duration.ofNanos(delay)).submit(),
                      nanos),
              nanos ->
                  lateness(
                      (job, delay) -> {
                        var unused = stpe.schedule(job, delay, TimeUnit.NANOSECONDS);
                      },
                      nanos),
              warmupNanos,
              measureNanos);
      out.append(row("sysblocks-scheduler", pooled[0], pooled[1]))
          .append(row("jdk-stpe", pooled[1], pooled[1]))
          .append(
              row(
                  "floor: one thread parking to each due time",
                  parkFloor(measureNanos),
                  pooled[1]));
    } finally {
      scheduler.shutdownNow();
      stpe.shutdownNow();
    }

    out.append(
            String.format(
                Locale.ROOT,
                "%n#### Schedule and cancel with %,d delayed jobs pending (ns per call)%n%n",
                pending))
        .append("| implementation | schedule | cancel |\n| --- | ---: | ---: |\n");
    for (boolean isOurs : new boolean[] {true, false}) {
      double[] costs = scheduleAndCancel(isOurs, pending);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f |%n",
              isOurs ? "**sysblocks-scheduler**" : "jdk-stpe (removeOnCancel)",
              costs[0],
              costs[1]));
    }
    return out.toString();
  }

  private static final String HEADER =
      """
      | implementation | p50 | p90 | p99 | p99.9 | max | jobs | p99 ÷ JDK's p99 |
      | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      """;

  /** One table row, in microseconds; the last column divides this p99 by the JDK peer's. */
  private static String row(String impl, Histogram h, Histogram jdk) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %,d | %.2f× |%n",
        impl.startsWith("sysblocks") ? "**" + impl + "**" : impl,
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3,
        h.getMaxValue() / 1e3,
        h.getTotalCount(),
        h.getValueAtPercentile(99) / (double) jdk.getValueAtPercentile(99));
  }

  // ---------------------------------------------------------------------------------------------

  /** A measured run of one implementation: its histogram for {@code nanos} of offered load. */
  private interface Run {
    Histogram measure(long nanos);
  }

  /**
   * Warms both up, then measures them in {@link #ROUNDS} alternating rounds (ours first in even
   * rounds, the peer first in odd ones) and pools each one's rounds: a burst of noise from the
   * shared machine lands on both, not on whichever ran in that second.
   */
  private static Histogram[] interleaved(Run ours, Run peer, long warmupNanos, long measureNanos) {
    ours.measure(warmupNanos);
    peer.measure(warmupNanos);
    Histogram[] pooled = {new Histogram(HIGHEST_NANOS, 3), new Histogram(HIGHEST_NANOS, 3)};
    for (int round = 0; round < ROUNDS; round++) {
      for (int k = 0; k < 2; k++) {
        int which = (round + k) % 2;
        pooled[which].add((which == 0 ? ours : peer).measure(measureNanos / ROUNDS));
      }
    }
    return pooled;
  }

  /** Offers {@code rate} jobs per second for {@code nanos}; returns submit-to-start latencies. */
  private static Histogram dispatch(SchedulerAdapter adapter, int rate, long nanos) {
    Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
    int[] priorities = priorities();
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long jobs = nanos / period;
    for (long i = 0; i < jobs; i++) {
      waitUntil(start + i * period);
      long submitted = System.nanoTime();
      adapter
          .batch(() -> recorder.recordValue(Math.min(System.nanoTime() - submitted, HIGHEST_NANOS)))
          .submit(priorities[(int) i & (PRIORITIES - 1)]);
    }
    return awaitCount(recorder, jobs);
  }

  // ---------------------------------------------------------------------------------------------

  /** Collects the recorder's values until it has {@code jobs} of them, or 10 s pass. */
  private static Histogram awaitCount(Recorder recorder, long jobs) {
    Histogram total = new Histogram(HIGHEST_NANOS, 3);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (total.getTotalCount() < jobs && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      total.add(recorder.getIntervalHistogram());
    }
    return total;
  }

  /** Parks until {@code deadline} (System.nanoTime); returns at once if it has passed. */
  private static void waitUntil(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  private static int[] priorities() {
    SplittableRandom random = new SplittableRandom(0x5ced);
    int[] p = new int[PRIORITIES];
    for (int i = 0; i < PRIORITIES; i++) {
      p[i] = random.nextInt(JobScheduler.MAX_PRIORITY + 1);
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------

  /** Schedules {@code job} to run {@code delayNanos} from now. */
  private interface DelayedSubmit {
    void schedule(Runnable job, long delayNanos);
  }

  /** Offers delayed jobs at {@link #DELAYED_PER_SECOND} for {@code nanos}; returns lateness. */
  private static Histogram lateness(DelayedSubmit scheduler, long nanos) {
    Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
    SplittableRandom random = new SplittableRandom(0xde1a7);
    long period = 1_000_000_000L / DELAYED_PER_SECOND;
    long jobs = nanos / period;
    long start = System.nanoTime();
    for (long i = 0; i < jobs; i++) {
      waitUntil(start + i * period);
      long delay = nextDelayNanos(random);
      long due = System.nanoTime() + delay;
      scheduler.schedule(
          () -> recorder.recordValue(Math.max(0, Math.min(System.nanoTime() - due, HIGHEST_NANOS))),
          delay);
    }
    return awaitCount(recorder, jobs);
  }

  /** A delayed job's delay: 1 to 10 ms, uniform. */
  private static long nextDelayNanos(SplittableRandom random) {
    return TimeUnit.MILLISECONDS.toNanos(1) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(9));
  }

  /**
   * The machine's own floor for lateness: one thread, nothing else running, parks until each due
   * time (the same delays, one after another) and records how late it woke. No scheduler can wake
   * its workers more punctually than the operating system wakes a parked thread.
   */
  private static Histogram parkFloor(long nanos) {
    Histogram late = new Histogram(HIGHEST_NANOS, 3);
    SplittableRandom random = new SplittableRandom(0xde1a7);
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() - end < 0) {
      long delay = nextDelayNanos(random);
      long due = System.nanoTime() + delay;
      waitUntil(due);
      late.recordValue(Math.min(System.nanoTime() - due, HIGHEST_NANOS));
    }
    return late;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Mean nanoseconds per schedule and per cancel, with {@code pending} jobs due in 1 to 2 hours.
   */
  private static double[] scheduleAndCancel(boolean isOurs, int pending) {
    long hour = TimeUnit.HOURS.toNanos(1);
    SplittableRandom random = new SplittableRandom(0xca9ce1);
    long[] delays = new long[ROUND];
    for (int i = 0; i < ROUND; i++) {
      delays[i] = hour + random.nextLong(hour);
    }
    Runnable noop = () -> {};
    Job<Void> job = Job.of(noop);
    JobScheduler ours =
        isOurs ? SchedulerAdapter.plain(SchedulerThroughputBenchmark.WORKERS).build() : null;
    ScheduledThreadPoolExecutor stpe =
        isOurs
            ? null
            : new ScheduledThreadPoolExecutor(
                SchedulerThroughputBenchmark.WORKERS, SchedulerAdapter.daemons("stpe"));
    if (stpe != null) {
      stpe.setRemoveOnCancelPolicy(true);
    }
    try {
      for (int i = 0; i < pending; i++) {
        if (isOurs) {
          ours.newJob(job).delay(Duration.ofNanos(delays[i % ROUND])).submit();
        } else {
          var unused = stpe.schedule(noop, delays[i % ROUND], TimeUnit.NANOSECONDS);
        }
      }
      JobHandle<?>[] handles = new JobHandle<?>[ROUND];
      ScheduledFuture<?>[] futures = new ScheduledFuture<?>[ROUND];
      double bestSchedule = Double.MAX_VALUE;
      double bestCancel = Double.MAX_VALUE;
      for (int round = 0; round < 10; round++) { // the first rounds warm up; the best counts
        long t0 = System.nanoTime();
        for (int i = 0; i < ROUND; i++) {
          if (isOurs) {
            handles[i] = ours.newJob(job).delay(Duration.ofNanos(delays[i])).submit();
          } else {
            futures[i] = stpe.schedule(noop, delays[i], TimeUnit.NANOSECONDS);
          }
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < ROUND; i++) {
          if (isOurs) {
            handles[i].cancel();
          } else {
            futures[i].cancel(false);
          }
        }
        long t2 = System.nanoTime();
        bestSchedule = Math.min(bestSchedule, (t1 - t0) / (double) ROUND);
        bestCancel = Math.min(bestCancel, (t2 - t1) / (double) ROUND);
      }
      return new double[] {bestSchedule, bestCancel};
    } finally {
      if (isOurs) {
        ours.shutdownNow();
      } else {
        stpe.shutdownNow();
      }
    }
  }
}
