package dev.sysblocks.benchmarks.scheduler;

import dev.sysblocks.scheduler.JobScheduler;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * How many tiny jobs per second go through a scheduler with two workers, end to end, from one and
 * from four submitting threads?
 *
 * <p><b>Measures</b>: jobs per second (one JMH operation = one job): each invocation submits a
 * batch of {@value #BATCH} jobs with mixed priorities (0 to 9, drawn once) and waits until all of
 * them have run, so the score is submit + queue + dispatch + run + completion, not how fast a queue
 * fills. {@code sysblocks-scheduler}: strict priorities ({@code noAging()}), no retries, no
 * timeout, wait and run times recorded for one job in 16 ({@code sampleTimings(16)}), so an
 * unsampled job takes no clock reading at all (see the scheduler's package documentation, "Clock
 * readings"); the peers record no timings. {@code sysblocks-scheduler-full}: aging every 10 ms, a
 * retry policy (3 attempts, exponential backoff with full jitter) and a 10 s per-attempt timeout
 * set as the scheduler's default ({@code defaultTimeout}), every job's times recorded, so every
 * dispatch also goes through the timeout heap and the watchdog and takes its clock readings. Peers:
 * {@code jdk-tpe-pbq}, a {@code ThreadPoolExecutor} with 2 threads over a {@code
 * PriorityBlockingQueue}, priority by a {@code Comparable} wrapper (priority, then arrival); {@code
 * quartz-ram}, Quartz 2.5 with its {@code RAMJobStore} and a 2-thread pool, priority as the
 * trigger's. With {@code -prof gc}: bytes allocated per job, everything included (handles, futures,
 * queue nodes, the peers' wrappers).
 *
 * <p><b>Pitfalls avoided</b>: waiting for the whole batch means back-pressure, an ever-growing
 * queue or a lazy consumer cannot inflate the score, and each batch starts from an empty queue; the
 * batch is small enough ({@value #BATCH} jobs, about 25 ms for Quartz) that every impl completes
 * many batches per iteration; the job is the same {@code CountDownLatch.countDown()} for every
 * impl, allocated once per batch; priorities are pre-drawn in {@code @Setup}; the four-producer
 * variant shares one scheduler ({@code Scope.Benchmark}), each producer waiting for its own batch,
 * and JMH sums the producers' rates; all pools use daemon threads and are shut down in
 * {@code @TearDown}.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar SchedulerThroughput -prof gc},
 * or {@code ./bench quick SchedulerThroughput} for the ratio table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SchedulerThroughputBenchmark {

  /**
   * Jobs per benchmark invocation: about 0.25 ms of work for a 4M jobs/s executor, 25 ms for
   * Quartz.
   */
  static final int BATCH = 1_000;

  /** Pre-drawn priorities: a power of two, so an index is one mask. */
  private static final int PRIORITIES = 1024;

  /** Worker threads of every implementation: the machine's two cores. */
  static final int WORKERS = 2;

  @Param({"sysblocks-scheduler", "sysblocks-scheduler-full", "jdk-tpe-pbq", "quartz-ram"})
  public String impl;

  private int[] priorities;
  private SchedulerAdapter scheduler;

  @Setup
  public void setUp() throws Exception {
    SplittableRandom random = new SplittableRandom(0x5ced);
    priorities = new int[PRIORITIES];
    for (int i = 0; i < PRIORITIES; i++) {
      priorities[i] = random.nextInt(JobScheduler.MAX_PRIORITY + 1);
    }
    scheduler = SchedulerAdapter.create(impl, WORKERS);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    scheduler.stop();
  }

  /** One producer: the single-submitter case of the target. */
  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(BATCH)
  public long oneProducer() throws InterruptedException {
    return submitBatchAndWait();
  }

  /** Four producers on one scheduler: contention on the queue between submitters and workers. */
  @Benchmark
  @Threads(4)
  @OperationsPerInvocation(BATCH)
  public long fourProducers() throws InterruptedException {
    return submitBatchAndWait();
  }

  private long submitBatchAndWait() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    Runnable job = done::countDown;
    SchedulerAdapter.Batch batch = scheduler.batch(job);
    int offset = (int) (Thread.currentThread().getId() * 131);
    for (int i = 0; i < BATCH; i++) {
      batch.submit(priorities[(offset + i) & (PRIORITIES - 1)]);
    }
    done.await();
    return done.getCount();
  }
}
