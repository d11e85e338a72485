package dev.sysblocks.benchmarks.scheduler;

import dev.sysblocks.scheduler.Job;
import dev.sysblocks.scheduler.JobScheduler;
import dev.sysblocks.scheduler.RetryPolicy;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The scheduler benchmarks' tiny adapter: ours and each peer, configured alike (the same number of
 * worker threads, daemon threads, an unbounded queue), behind "submit this runnable with this
 * priority". Priorities are ours, 0 (least urgent) to 9; each peer maps them onto its own scale.
 */
abstract class SchedulerAdapter {

  /**
   * Submits one job again and again; created once per batch, so no wrapper is allocated per job.
   */
  interface Batch {
    void submit(int priority);
  }

  /** Prepares {@code job} for repeated submission. */
  abstract Batch batch(Runnable job);

  /** Stops the workers, dropping what is queued. */
  abstract void stop() throws SchedulerException;

  static SchedulerAdapter create(String impl, int workers) throws SchedulerException {
    return switch (impl) {
      case "sysblocks-scheduler" -> new Ours(plain(workers).build());
      case "sysblocks-scheduler-full" -> new Ours(full(workers).build());
      case "jdk-tpe-pbq" -> new TpeOverPriorityQueue(workers);
      case "quartz-ram" -> new QuartzRam(workers);
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }

  /**
   * Ours with strict priorities, as a {@code PriorityBlockingQueue} orders: no aging, no retries;
   * wait and run times recorded for one job in 16 (the peers record none), so the other jobs take
   * no ticker reading at all.
   */
  static JobScheduler.Builder plain(int workers) {
    return JobScheduler.builder()
        .workers(workers)
        .noAging()
        .sampleTimings(16)
        .threadFactory(daemons("sysblocks"));
  }

  /**
   * Ours with everything a job system adds switched on: aging every 10 ms (a priority-0 job
   * overtakes fresh priority-9 work after 90 ms), up to 3 attempts with exponential backoff from 1
   * ms (capped at 100 ms, full jitter), and a per-attempt timeout (see {@link
   * #FULL_TIMEOUT_NANOS}), all three as the scheduler's defaults for every job.
   */
  static JobScheduler.Builder full(int workers) {
    return JobScheduler.builder()
        .workers(workers)
        .aging(Duration.ofMillis(10))
        .defaultRetryPolicy(
            RetryPolicy.exponentialBackoff(3, Duration.ofMillis(1), Duration.ofMillis(100)))
        .defaultTimeout(Duration.ofNanos(FULL_TIMEOUT_NANOS))
        .threadFactory(daemons("sysblocks-full"));
  }

  /** Per-attempt timeout of the full configuration: 10 s, never reached by a tiny job. */
  static final long FULL_TIMEOUT_NANOS = Duration.ofSeconds(10).toNanos();

  static ThreadFactory daemons(String prefix) {
    AtomicInteger serial = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-bench-" + serial.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------------------------------------

  static final class Ours extends SchedulerAdapter {
    final JobScheduler scheduler;

    Ours(JobScheduler scheduler) {
      this.scheduler = scheduler;
    }

    @Override
    Batch batch(Runnable runnable) {
      Job<Void> job = Job.of(runnable);
      return priority -> scheduler.newJob(job).priority(priority).submit();
    }

    @Override
    void stop() {
      scheduler.shutdownNow();
    }
  }

  /**
   * {@code ThreadPoolExecutor} over a {@code PriorityBlockingQueue}: the JDK's priority executor.
   */
  static final class TpeOverPriorityQueue extends SchedulerAdapter {
    final ThreadPoolExecutor executor;
    private final AtomicLong arrivals = new AtomicLong();

    TpeOverPriorityQueue(int workers) {
      executor =
          new ThreadPoolExecutor(
              workers,
              workers,
              0,
              TimeUnit.MILLISECONDS,
              new PriorityBlockingQueue<>(),
              daemons("tpe-pbq"));
      executor.prestartAllCoreThreads(); // else the first tasks bypass the queue's order
    }

    @Override
    Batch batch(Runnable job) {
      return priority ->
          executor.execute(new Prioritized(job, priority, arrivals.incrementAndGet()));
    }

    @Override
    void stop() {
      executor.shutdownNow();
    }
  }

  /** Higher priority first, then first come first served: the order our scheduler keeps. */
  static final class Prioritized implements Runnable, Comparable<Prioritized> {
    private final Runnable job;
    private final int priority;
    private final long arrival;

    Prioritized(Runnable job, int priority, long arrival) {
      this.job = job;
      this.priority = priority;
      this.arrival = arrival;
    }

    @Override
    public void run() {
      job.run();
    }

    @Override
    public int compareTo(Prioritized other) {
      int byPriority = Integer.compare(other.priority, priority);
      return byPriority != 0 ? byPriority : Long.compare(arrival, other.arrival);
    }
  }

  /** Quartz 2.5 with its in-memory {@code RAMJobStore}: one job and one trigger per submission. */
  static final class QuartzRam extends SchedulerAdapter {
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final String RUNNABLE = "runnable";
    final Scheduler scheduler;

    QuartzRam(int workers) throws SchedulerException {
      Properties p = new Properties();
      p.setProperty(
          StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "bench-" + INSTANCES.incrementAndGet());
      p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
      p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
      p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
      p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(workers));
      p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
      p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
      scheduler = new StdSchedulerFactory(p).getScheduler();
      scheduler.start();
    }

    @Override
    Batch batch(Runnable job) {
      JobDataMap data = new JobDataMap();
      data.put(RUNNABLE, job);
      return priority -> {
        JobDetail detail = JobBuilder.newJob(RunnableJob.class).usingJobData(data).build();
        try {
          scheduler.scheduleJob(
              detail,
              TriggerBuilder.newTrigger()
                  .startNow()
                  .withPriority(priority + 1) // Quartz's default is 5, and any int is allowed
                  .build());
        } catch (SchedulerException e) {
          throw new IllegalStateException(e);
        }
      };
    }

    @Override
    void stop() throws SchedulerException {
      scheduler.shutdown(false);
    }

    /** Quartz instantiates a job class per execution; this one runs the runnable it carries. */
    public static final class RunnableJob implements org.quartz.Job {
      @Override
      public void execute(JobExecutionContext context) {
        ((Runnable) context.getMergedJobDataMap().get(RUNNABLE)).run();
      }
    }
  }
}
