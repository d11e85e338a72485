package dev.sysblocks.scheduler;

import dev.sysblocks.core.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A priority job scheduler: jobs with a priority, an optional delay, a retry policy and a timeout,
 * run by a pool of workers highest priority first, with aging so that no priority starves, and a
 * shutdown that loses no accepted job.
 *
 * <pre>{@code
 * try (JobScheduler scheduler = JobScheduler.builder().workers(4).build()) {
 *   JobHandle<String> handle =
 *       scheduler
 *           .newJob(context -> "hello from attempt " + context.attempt())
 *           .priority(7)
 *           .retry(RetryPolicy.exponentialBackoff(3, Duration.ofMillis(10), Duration.ofSeconds(1)))
 *           .timeout(Duration.ofSeconds(5))
 *           .submit();
 *   String greeting = handle.result().join();
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Priorities run from {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY} (most
 * urgent). Among eligible jobs a worker takes the highest <em>effective</em> priority, {@code
 * priority + waited / agingStep} (waited since the job became eligible), and among equals the one
 * queued first; so jobs of one priority run in the order they became eligible. Guarantee: a job of
 * priority {@code p} is never overtaken by a job that becomes eligible more than {@code
 * (MAX_PRIORITY - p) * agingStep} after it, whatever that job's priority (nor, at exactly that
 * distance, by one queued after it); so under any flood its wait is bounded by the time to run the
 * jobs eligible before it or within that window (with {@link Builder#tenantWeight tenant weights}:
 * within its tenant). {@link Builder#noAging()} gives strict priorities instead (and no such
 * bound).
 *
 * <p><b>Failures.</b> A job that throws is retried by its {@link RetryPolicy} (exponential backoff,
 * full jitter) or ends {@link JobStatus#FAILED} / {@link JobStatus#DEAD_LETTERED}. A per-attempt
 * timeout raises the attempt's cancellation signal, interrupts its thread and counts as a failure
 * with a {@link TimeoutException}; the worker is replaced at once, so a job that ignores the
 * interrupt costs a thread but never the pool's capacity. Delivery is therefore
 * <em>at-least-once</em> for retried jobs: after a timeout the next attempt may start while the old
 * one still unwinds. Make retried jobs idempotent.
 *
 * <p><b>Recurring jobs and types.</b> {@link Submission#repeatAtFixedRate}, {@link
 * Submission#repeatWithFixedDelay} and {@link Submission#repeatOn} (at the times of a {@link
 * CronExpression}) make a job recur until cancelled; {@link Submission#type} with {@link
 * Builder#concurrencyLimit} caps how many jobs of one type run at once; {@link Submission#tenant}
 * with {@link Builder#tenantWeight} shares the workers between tenants by weight, so that one noisy
 * tenant cannot starve the others.
 *
 * <p><b>Shutdown.</b> {@link #shutdown()} stops accepting jobs and runs every accepted one, delayed
 * jobs and retries included; {@link #shutdownNow()} interrupts running attempts and returns every
 * job not started. Afterwards {@code submitted = succeeded + failed + dead-lettered + cancelled +
 * returned}, exactly ({@link #stats()}).
 *
 * <p><b>Time.</b> When a job becomes eligible and when an attempt times out are read from the
 * {@link Ticker} given to the builder. A test passes a {@link dev.sysblocks.core.FakeTicker} and
 * {@link Builder#manualDispatch()}: no worker threads are started and the test runs eligible jobs
 * on its own thread with {@link #runPending()}, one event at a time. How long a thread blocks
 * ({@link #awaitTermination}, {@link FullQueuePolicy#BLOCK}) is real time. Cron jobs alone also
 * read the wall clock ({@link Builder#clock}), to turn their next calendar time into a wait on the
 * ticker.
 *
 * <p>Thread-safe. {@code submit} and dispatch are O(log n) for n queued jobs, {@code cancel} O(1)
 * amortized (for a running job, linear in the jobs running); cancelled jobs leave the queue lazily,
 * but never outnumber the live ones by more than 64.
 */
public final class JobScheduler implements AutoCloseable {

  /*
   * Problem. Many producers hand jobs to a few workers. The most urgent job should run first, yet
   * no job may wait for ever; a job may have to wait until a given time, fail and deserve another
   * try, or hang; and at shutdown every accepted job must have run or be handed back. An executor
   * over a PriorityBlockingQueue gets the first point only: strict priorities starve the low ones
   * under a flood, delays and retries need a second executor, shutdownNow() loses the jobs.
   *
   * Idea: aging as a static key. Let a job of priority p become eligible at time e. With an aging
   * step A its effective priority at time t is p + (t - e) / A, and a worker takes the largest.
   * Comparing two jobs, t cancels out:
   *
   *     p1 + (t - e1)/A  >  p2 + (t - e2)/A    <=>    e1 - p1*A  <  e2 - p2*A
   *
   * so the order never changes while jobs wait, and each job gets a fixed dispatch key
   * k = e - p*A, its "virtual eligibility time": priority buys a head start of p*A. Ordering the
   * eligible jobs by (k, arrival sequence) then dispatches by effective priority with FIFO among
   * equals, with no re-sorting. Within one priority k grows with e, so InMemoryJobStore keeps a
   * FIFO queue per priority instead of one heap: the next job is the smallest of ten queue heads.
   * Worked example, A = 10 ms:
   *
   *   effective priority
   *     9 |        B (p9, e=40) .....:....          A job of priority 0 eligible at 0 ms
   *       |                 ...'     :               (k = 0) ties at 90 ms with a fresh
   *     6 |   A (p0, e=0)....'       :               priority-9 job (k = 90 - 90 = 0) and
   *       |           ....'          :               wins on arrival order; B, eligible at
   *     3 |      ....'               :               40 ms (k = 40 - 90 = -50), still goes
   *       | ..'                      :               first. After 90 ms nothing newer passes A.
   *     0 +--------------------------+------> t (ms)
   *       0                          90
   *
   * Hence the bound the class documents: a priority-p job is overtaken only by jobs eligible less
   * than (9 - p)*A after it, so its wait is at most the time to run the jobs already eligible and
   * those arriving within (9 - p)*A (AgingBoundTest: 5 waiting + 2 per ms for 90 ms = 185 jobs).
   * Without aging the key is 9 - p and the bound is gone (the test shows starvation).
   *
   * Delays: a heap ordered by run-at time; dispatch first moves the due jobs to their priority's
   * queue, and a retry is a delayed job with the backoff as its delay (no timer thread). A
   * hierarchical timing wheel [2] (Kafka, Netty's HashedWheelTimer) inserts and cancels in O(1) at
   * a tick's granularity, better for millions of mostly cancelled timeouts; here delays are exact
   * to the reading, O(log n) is ~20 comparisons at 10^6 jobs, and cancellation is lazy (see Cost).
   *
   * Invariant. Every task reaches exactly one final status, in one place (finish(), under the
   * lock), and each final transition increments exactly one counter; hence submitted = succeeded
   * + failed + dead-lettered + cancelled + returned once nothing is queued or running. A task is
   * its own store entry, live while its task is QUEUED; a stale one is dropped when it surfaces,
   * so no job runs twice. An attempt is settled once (by its thread or the timeout thread), and
   * interrupts go only to unsettled attempts, under the lock: an interrupt never reaches the next
   * job; a timed-out attempt retires its worker, so a running job's reused context is never reset.
   *
   * Cost. submit: one CAS onto the inbox (plain jobs) or one lock acquisition; dispatch: O(log n)
   * for a delayed job, O(1) for one due now (appended to its priority's queue, taken from its
   * head) inside the lock hold that also settles the worker's previous job; cancel: O(1)
   * amortized for a queued job, a walk over the running attempts for a running one. Lazy removal
   * alone would keep a cancelled far-off job's entry (and its task and job) until its run-at: a
   * million of them, some 80 MB. So cancel counts the entries it leaves behind, and once they
   * exceed both the live jobs and PURGE_MIN_STALE (64) one O(live + stale) pass removes them all
   * (JobStore.purge: filter in place, heapify bottom-up); more than `live` cancellations pay for
   * it, so each pays O(1), and the store never holds more than 2 * live + 64 entries
   * (CancelPurgeTest). STPE's removeOnCancel removes at once in O(log n) through an index kept in
   * each task; the purge keeps cancel O(1) and the entry free of that field, at the price of an
   * occasional O(n) pause under the lock.
   *
   * Memory: a plain job allocates its 56 B Task (also its handle and store entry), a run on a
   * pool worker nothing (Task's essay). Measured (SchedulerThroughputBenchmark and the latency
   * report; 2-core VM, JDK 17, 2 forks): on a quiet day (2026-11-23) 0.88x a ThreadPoolExecutor
   * over a PriorityBlockingQueue, 0.70x with aging, retries and timeouts on; dispatch p99 at
   * 20,000 jobs/s 0.60x the executor's; delayed jobs 142 us late at p99. On a noisy one
   * (2026-12-07, forks of one jar up to 2x apart), with the intake below: 0.89x / 0.76x from one
   * producer, 0.76x / 0.63x from four, 56x Quartz, 57 B per job; schedule 105 ns and cancel 82 ns
   * with 10^6 pending; dispatch p99 1.68x and lateness p99 3.2 ms (STPE 0.66 ms). A later full
   * run that day: 0.84x / 0.80x from one producer, 1.60x / 1.17x from four; schedule 168 ns, cancel
   * 65; dispatch p99 1.89x, lateness p99 5.8 ms (STPE 3.3 ms). With one timed waiter (below) and
   * the report's alternating rounds: dispatch p99 1.30x, lateness p99 2.2 ms (STPE 1.6 ms, a lone
   * parked thread 0.9 ms: the machine's floor that evening). With release stores for the status
   * (Task), three full runs: 0.83x, 1.94x, 0.95x from one producer (0.76x, 1.39x, 0.73x with
   * everything on), 0.67x, 1.64x, 0.75x from four; forks of one jar ran at 6.1 and 2.0 M jobs/s.
   * The last latency run: dispatch p99 1.13x, lateness p99 1.4 ms (STPE 1.8, floor 1.4); schedule
   * 70 ns, cancel 88. Paired runs: README.
   *
   * Concurrency. One ReentrantLock guards the store, the counts and the state machine
   * (RUNNING -> SHUTDOWN -> STOP -> TERMINATED); jobs, listeners, the dead-letter handler and
   * future completion run outside it. A first version took it three times per job (submit,
   * dispatch, settle) and ran at a third of the executor, which takes its queue's lock twice: on
   * two cores a contended lock parks and unparks threads, and every acquisition shows up as
   * throughput lost. What brought it to one acquisition per job on each side, or none on the
   * producer's:
   *   - the inbox. A plain submission (unbounded queue, pool workers, no key, not recurring) is
   *     one CAS onto a lock-free (Treiber) stack; the next lock holder moves it, reversed to
   *     arrival order, into the store, where jobs get their FIFO sequence. Shutdown swaps in a
   *     CLOSED marker, so a push is either accepted before shutdown or rejected. A worker about to
   *     wait counts itself idle, then looks at the inbox; a submitter pushes, then reads the idle
   *     count and signals only if it is positive: with sequentially consistent volatiles one sees
   *     the other, so no job waits in the inbox while a worker sleeps.
   *   - one wake-up per job: a drained job signals nobody, and a worker that takes a job wakes
   *     one more only if jobs remain and a worker is idle (LinkedBlockingQueue's cascade); one
   *     signal per drained job had put the median dispatch at 19.5 us (the executor's: 12).
   *   - settle and take in one lock hold, any clock reading taken before the lock; workers'
   *     counters written under the lock without atomics; running attempts in an intrusive list;
   *     the timeouts thread woken only for a deadline before the time it sleeps until.
   *   - what submitters write (the inbox, job ids, arrival counts) on cache lines that no worker
   *     writes per job (Intake). Statistics are read without the lock.
   * Idle workers wait on one condition. One of them, the timed waiter, sleeps until the next
   * run-at (capped at TICKER_POLL_NANOS so a test's fake ticker is noticed), the others until
   * signalled; a submitter wakes one only for a job due before that deadline; the timed waiter,
   * leaving with a job, wakes the next (ScheduledThreadPoolExecutor's leader-follower queue). When
   * every idle worker slept until the next run-at, all woke for each delayed job and all but one
   * slept again: 40 % more CPU than the JDK's executor for the same delayed jobs, and a tail of
   * lateness up to 20 ms. A daemon "timeouts" thread watches a
   * heap of deadlines; on expiry it interrupts the attempt, settles it as failed and replaces its
   * worker, so a job that ignores interrupts costs one thread, never pool capacity. Delivery
   * (at-most-once per attempt, at-least-once with retries), recurring jobs, type limits and tenant
   * fairness are explained in package-info.
   *
   * Alternatives. ThreadPoolExecutor + PriorityBlockingQueue: strict priorities (starvation), no
   * delays, retries or timeouts, and comparing FutureTasks needs a wrapper. ScheduledThreadPool-
   * Executor: delays by a heap, like here, but no priorities. Quartz [3]: triggers, calendars, cron
   * and JDBC clustering, with a heavier per-job cost (a trigger and a job detail per firing).
   * JobRunr [4] and db-scheduler [5]: jobs persisted in a database and polled, surviving restarts
   * and shared by JVMs, at database latency; the JobStore SPI here is the seam for such a store.
   *
   * References.
   *  [1] ThreadPoolExecutor and PriorityBlockingQueue, https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/concurrent/ThreadPoolExecutor.html
   *  [2] G. Varghese, T. Lauck, "Hashed and Hierarchical Timing Wheels", SOSP 1987,
   *      https://doi.org/10.1145/41457.37504
   *  [3] Quartz Scheduler, https://www.quartz-scheduler.org/documentation/
   *  [4] JobRunr, https://www.jobrunr.io/en/documentation/
   *  [5] db-scheduler, https://github.com/kagkarlsson/db-scheduler
   *  [6] M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015,
   *      https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
   *  [7] P. Goyal, H. Vin, H. Cheng, "Start-time Fair Queueing", SIGCOMM 1996,
   *      https://doi.org/10.1145/248156.248171
   */

  /** The least urgent priority. */
  public static final int MIN_PRIORITY = 0;

  /** The most urgent priority. */
  public static final int MAX_PRIORITY = 9;

  /** The priority of a job submitted without one: the middle of the range. */
  public static final int DEFAULT_PRIORITY = 4;

  /**
   * Longest aging step, 365 days: (MAX_PRIORITY * step) stays far below 2^63 ns, so dispatch keys
   * never overflow.
   */
  static final long MAX_AGING_STEP_NANOS = Duration.ofDays(365).toNanos();

  /**
   * Default aging step, 1 s per level: a priority-0 job overtakes fresh priority-9 work after 9 s.
   */
  static final long DEFAULT_AGING_STEP_NANOS = Duration.ofSeconds(1).toNanos();

  /**
   * Longest a thread waiting for a ticker reading (a delayed job, a timeout) sleeps before it reads
   * the ticker again: 20 ms. With the system ticker waits end on time and this only bounds a missed
   * wake-up; with a fake ticker moved by another thread it is the latency of noticing.
   */
  private static final long TICKER_POLL_NANOS = Duration.ofMillis(20).toNanos();

  /**
   * Cancelled entries the scheduler lets the store hold before it purges them, at least: 64 (about
   * 10 KB with their tasks). Below it a purge would rebuild heaps to free little; above it, and
   * once stale entries may outnumber live ones, {@link #purgeIfMostlyStale} removes them in one
   * pass.
   */
  static final int PURGE_MIN_STALE = 64;

  private static final AtomicInteger SCHEDULER_IDS = new AtomicInteger();

  /** The order of eligible entries, as JobStore#poll defines it. */
  private static final Comparator<PendingJob> DISPATCH_ORDER =
      Comparator.comparingLong(PendingJob::dispatchKey).thenComparingLong(PendingJob::sequence);

  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;
  private static final int TERMINATED = 3;

  // ---------------------------------------------------------------------------------------------
  // Configuration
  // ---------------------------------------------------------------------------------------------

  private final Ticker ticker;
  private final Clock clock; // wall-clock time, read only to place cron occurrences
  private final long origin;
  private final int workerCount;
  private final boolean manual;
  private final int capacity;
  private final FullQueuePolicy fullPolicy;
  private final long blockTimeoutNanos;
  private final long agingStepNanos; // 0 = strict priorities
  private final RetryPolicy defaultRetry;
  private final TaskOptions[] defaultOptions; // by priority: of every job that sets no option
  private final RandomGenerator random; // null = ThreadLocalRandom
  private final JobListener listener; // may be null
  private final DeadLetterHandler deadLetters; // may be null
  private final JobStore store;
  private final ThreadFactory threadFactory;
  private final String name;
  private final Map<String, TypeSlot> typeSlots; // job types with a concurrency limit
  private final Map<String, Integer> tenantWeights;
  private final boolean fair; // weighted fair sharing between tenants
  private final boolean fastPath; // submissions may skip the lock: see submitToInbox
  private final long timingMask; // a job's times are recorded iff (id & timingMask) == 0
  private final long tickerPollNanos; // TICKER_POLL_NANOS, unless a test set its own

  /*
   * Clock readings (see package-info). clockAlways is true once every job must take its own
   * readings: from the start with aging, a listener, manual dispatch, tenants, type limits, a custom store or every job
   * timed; later, for good, once a job waits for a time (a delay, a backoff, a period) or has a
   * timeout. Until then a job that is not timed runs on lastReading: the newest reading taken under
   * the lock, so never ahead of the ticker, and never behind a reading a submitter used (the inbox
   * push publishes it). Only ever set to true; read without the lock by submitters. Both fields
   * are in the intake (intake.clockAlways, intake.lastReading), on a line no job writes.
   */

  /*
   * What lock-free submissions and dispatches share, on cache lines of their own (see Intake): the
   * inbox, the clock hints above and the count of idle workers.
   */
  private final Intake intake = new Intake();

  /*
   * What only submitters write, atomically and without the lock: the last job id given (at
   * LAST_JOB_ID; ids are given under the lock too) and the submissions accepted through the inbox,
   * by priority (at ARRIVALS + priority). 8 unused longs on each side keep the counts off the lines
   * of other objects. The queue count by priority that stats() reports is the arrivals plus
   * queueChanges, which only the lock holder writes: so workers make no atomic write per job, and
   * no worker touches these lines per job (the inbox's head is the one line both sides use).
   */
  private static final int LAST_JOB_ID = 8;
  private static final int ARRIVALS = LAST_JOB_ID + 1;
  private final AtomicLongArray submitterCounts =
      new AtomicLongArray(ARRIVALS + MAX_PRIORITY + 1 + 8);

  // ---------------------------------------------------------------------------------------------
  // State, guarded by lock unless noted
  // ---------------------------------------------------------------------------------------------

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workAvailable = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final Condition terminated = lock.newCondition();
  private final Condition watchdogWake = lock.newCondition();

  private int state = RUNNING;
  private int queued; // live QUEUED tasks (delayed and retry-waiting included)
  private int unsettled; // attempts started and not yet settled
  private int liveWorkers; // worker threads not retired and not exited
  private long lastSequence;
  private int staleEntries; // entries cancelled since the last purge: see purgeIfMostlyStale

  /*
   * The inbox (intake.inbox): a lock-free stack (Treiber) of tasks accepted without the lock,
   * linked through Task.nextInInbox. Any lock holder that reads the queue first moves it, oldest
   * first, into the store (drainInbox). Shutdown swaps in CLOSED, after which a push fails: the
   * push is where a fast submission is accepted, so "accepted before shutdown" has one meaning.
   */
  private static final Task<?> CLOSED =
      new Task<>(
          context -> null, TaskOptions.defaults(null, DEFAULT_PRIORITY, RetryPolicy.none(), 0));

  /*
   * Workers waiting for work (intake.idleWorkers): written under the lock, read by fast submitters
   * without it. A worker counts itself and then looks at the inbox; a submitter pushes and then
   * looks at the count (volatile accesses are sequentially consistent): either the worker sees the
   * task or the submitter sees the worker and signals it under the lock.
   */
  private final Map<String, Task<?>> pendingByKey = new HashMap<>();
  private Attempt running; // head of the intrusive list of unsettled attempts
  private final Set<Task<?>> recurringJobs = new HashSet<>(); // live recurring tasks
  private final Map<String, TenantQueue> tenants = new HashMap<>(); // tenants with eligible jobs
  private double virtualTime; // the pass of the tenant served last
  private final PriorityQueue<Attempt> deadlines =
      new PriorityQueue<>((a, b) -> Long.signum(a.deadline - b.deadline)); // readings may wrap
  private Thread watchdog;
  // What the timeouts thread waits for: a new deadline before watchdogUntil must wake it, a later
  // one need not (it wakes then anyway, and looks at the heap). Idle: waiting with no deadline.
  private boolean watchdogIdle = true;
  private long watchdogUntil;
  private int workerSerial;
  // The timed waiter (intake.timedWaiter, null if none): the idle worker waiting for the earliest
  // run-at (intake.timerUntil); the other idle workers wait for a signal. Timing every idle worker
  // to that reading, as a first version did, woke them all for each delayed job; all but one went
  // back to sleep, and on two cores their wake-ups delayed the one that mattered (delayed jobs
  // started up to 20 ms late at p99.9, against the JDK's 2 to 5 ms). As in
  // ScheduledThreadPoolExecutor's leader-follower queue: when the timed waiter leaves with a job,
  // take() wakes another idle worker, which takes its place; a worker that finds an earlier run-at
  // than the timed waiter's replaces it (the old one wakes later, finds nothing, waits). Both
  // fields sit in the intake so that a submitter can skip the wake-up of a job due no sooner
  // (see submitToInbox).

  // Statistics: written under the lock (histograms also outside), read without it.
  private final AtomicLongArray queueChanges = // see submitterCounts
      new AtomicLongArray(MAX_PRIORITY + 1);
  private final AtomicLong runningCount = new AtomicLong();
  private final AtomicLongArray counters = new AtomicLongArray(SchedulerStats.COUNTERS);
  private final LogHistogram waitTimes = new LogHistogram();
  private final LogHistogram runTimes = new LogHistogram();

  private JobScheduler(Builder b) {
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.origin = b.ticker.read();
    this.manual = b.manual;
    this.tickerPollNanos = b.tickerPollNanos;
    this.workerCount = b.manual ? 0 : b.workers;
    this.capacity = b.capacity;
    this.fullPolicy = b.fullPolicy;
    this.blockTimeoutNanos = b.blockTimeoutNanos;
    this.agingStepNanos = b.agingStepNanos;
    this.defaultRetry = b.retry;
    this.defaultOptions = new TaskOptions[MAX_PRIORITY + 1];
    for (int p = MIN_PRIORITY; p <= MAX_PRIORITY; p++) {
      defaultOptions[p] = TaskOptions.defaults(this, p, b.retry, b.timeoutNanos);
    }
    this.random = b.random;
    this.listener = b.listener;
    this.deadLetters = b.deadLetters;
    this.store = b.store != null ? b.store : JobStore.inMemory();
    this.name = "sysblocks-scheduler-" + SCHEDULER_IDS.incrementAndGet();
    this.threadFactory = b.threadFactory != null ? b.threadFactory : this::newDaemonlessThread;
    Map<String, TypeSlot> slots = new HashMap<>();
    b.typeLimits.forEach((type, limit) -> slots.put(type, new TypeSlot(limit)));
    this.typeSlots = slots;
    this.tenantWeights = Map.copyOf(b.tenantWeights);
    this.fair = !b.tenantWeights.isEmpty();
    this.fastPath = !b.manual && b.capacity == Integer.MAX_VALUE;
    this.timingMask = Math.max(0L, b.timingMask);
    this.intake.lastReading = origin;
    this.intake.clockAlways =
        timingMask == 0
            || agingStepNanos != 0
            || listener != null
            || manual
            || fair
            || !typeSlots.isEmpty()
            || b.store != null
            || b.timeoutNanos != 0;
  }

  /** Whether a job's wait and run times are recorded: see Builder#sampleTimings. */
  private boolean timed(Task<?> task) {
    return (task.id & timingMask) == 0;
  }

  /** A fresh reading, remembered for the jobs that need none of their own. Under the lock. */
  private long read() {
    long now = ticker.read();
    note(now);
    return now;
  }

  /** Remembers a fresh reading taken before the lock. Under the lock. */
  private void note(long now) {
    if (!intake.clockAlways && now - intake.lastReading > 0) {
      intake.lastReading = now;
    }
  }

  /** From now on every job takes its own readings. */
  private void needClock() {
    if (!intake.clockAlways) {
      intake.clockAlways = true;
    }
  }

  /**
   * Returns a builder with the defaults: as many workers as processors, an unbounded queue, aging
   * of one priority level per second, no retries, the system ticker.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private void start() {
    lock.lock();
    try {
      for (int i = 0; i < workerCount; i++) {
        startWorker();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Submission
  // ---------------------------------------------------------------------------------------------

  /**
   * Submits a job with the default priority, no delay, no key, the default retry policy and no
   * timeout.
   *
   * @param job the job
   * @param <T> the type of its result
   * @return its handle
   * @throws NullPointerException if {@code job} is null
   * @throws RejectedExecutionException if the scheduler is shut down or the queue is full (see
   *     {@link FullQueuePolicy})
   */
  public <T> JobHandle<T> submit(Job<T> job) {
    Objects.requireNonNull(job, "job");
    return submit(new Task<>(job, defaultOptions[DEFAULT_PRIORITY]), false, 0);
  }

  /**
   * Starts describing a submission; finish with {@link Submission#submit()}.
   *
   * @param job the job
   * @param <T> the type of its result
   * @return a submission to configure
   * @throws NullPointerException if {@code job} is null
   */
  public <T> Submission<T> newJob(Job<T> job) {
    Objects.requireNonNull(job, "job");
    return new Submission<>(this, job);
  }

  /**
   * Accepts a new task, built by the caller before the lock is taken (its id is given here): so
   * neither a plain {@code submit(job)} nor an inlined {@link Submission} allocates anything but
   * the handle and its queue entry (SchedulerSubmitAllocationTest). {@code when} is a ticker
   * reading if {@code runAtSet}, else a delay in nanoseconds.
   */
  @SuppressWarnings("unchecked") // a key maps to the job first submitted with it; see Submission
  private <T> JobHandle<T> submit(Task<T> task, boolean runAtSet, long when) {
    if (task.options.timeoutNanos > 0) {
      needClock(); // its deadline counts from a reading at its start
    }
    if (fastPath && task.options.key == null && task.options.recurrence == null) {
      return submitToInbox(task, runAtSet, when);
    }
    Attempt inline = null;
    // Read before the lock, which is then held a clock reading shorter: concurrent submitters may
    // enqueue in an order a few nanoseconds off their readings, which only the heap's sequence
    // numbers order among equals anyway.
    long now = ticker.read();
    lock.lock();
    try {
      note(now);
      long waitNanos = blockTimeoutNanos;
      boolean callerRuns = false;
      while (true) {
        if (state != RUNNING) {
          increment(SchedulerStats.REJECTED);
          throw new RejectedExecutionException(name + " is shut down; job not accepted");
        }
        drainInbox(now); // older fast submissions first: FIFO among equals holds across paths
        if (task.options.key != null) {
          Task<?> existing = pendingByKey.get(task.options.key);
          if (existing != null) {
            if (queued < capacity) {
              notFull.signal(); // pass on a wake-up this submitter may have taken from another
            }
            return (JobHandle<T>) existing;
          }
        }
        if (queued < capacity) {
          break;
        }
        if (fullPolicy == FullQueuePolicy.CALLER_RUNS) {
          callerRuns = true;
          break;
        }
        if (fullPolicy == FullQueuePolicy.REJECT || waitNanos <= 0) {
          increment(SchedulerStats.REJECTED);
          throw new RejectedExecutionException(
              fullPolicy == FullQueuePolicy.REJECT
                  ? "queue is full: capacity " + capacity
                  : "queue still full after waiting "
                      + Duration.ofNanos(blockTimeoutNanos)
                      + ": capacity "
                      + capacity);
        }
        try {
          waitNanos = notFull.awaitNanos(waitNanos);
          now = read();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          increment(SchedulerStats.REJECTED);
          throw new RejectedExecutionException("interrupted while waiting for queue space", e);
        }
      }
      Recurrence recurrence = task.options.recurrence;
      long runAt =
          recurrence != null && recurrence.kind == Recurrence.CRON && !callerRuns
              ? nextCronRunAt(recurrence, now)
              : runAt(runAtSet, when, now);
      task.id = submitterCounts.incrementAndGet(LAST_JOB_ID);
      if (recurrence != null) {
        recurrence.scheduledAt = callerRuns ? now : runAt;
      }
      increment(SchedulerStats.SUBMITTED); // the inbox's submissions are counted in arrivals
      if (task.options.key != null) {
        pendingByKey.put(task.options.key, task);
      }
      if (recurrence != null) {
        recurringJobs.add(task);
      }
      if (callerRuns) {
        inline = begin(task, now, Thread.currentThread(), null);
      } else {
        enqueue(task, runAt, now);
      }
    } finally {
      lock.unlock();
    }
    emit(JobEvent.Kind.SUBMITTED, task, 0, null, now);
    if (inline != null) {
      execute(inline);
    }
    return task;
  }

  /**
   * Accepts a task without the lock: one push onto the inbox. Only for schedulers whose queue is
   * unbounded (nothing to count against a capacity) with pool workers, and only for tasks without
   * an idempotency key or a period (both need the scheduler's maps). The count a stats reader
   * expects at once (submitted, and queued by priority) is its arrival, counted here before the
   * push (so that no worker takes the task before it is counted) and taken back if the push finds
   * the scheduler shut down; the task enters the store and gets its dispatch sequence when the next
   * lock holder drains the inbox, which keeps the order of pushes.
   */
  private <T> JobHandle<T> submitToInbox(Task<T> task, boolean runAtSet, long when) {
    task.id = submitterCounts.incrementAndGet(LAST_JOB_ID);
    // A job due at once and not timed needs no reading of its own: see clockAlways.
    long now =
        intake.clockAlways || runAtSet || when != 0 || timed(task)
            ? ticker.read()
            : intake.lastReading;
    long runAt = runAt(runAtSet, when, now);
    task.runAtNanos = runAt; // out of every store until drained
    int arrival = ARRIVALS + task.priority();
    submitterCounts.getAndIncrement(arrival);
    Task<?> head;
    boolean dueBeforeHead;
    do {
      head = intake.inbox;
      // Only while a worker is armed can the head have skipped its wake-up (wakeFor); else its
      // line, written by another submitter, is not read. Its run-at is fixed while it is the head.
      dueBeforeHead =
          head != null
              && head != CLOSED
              && intake.timedWaiter != null
              && runAt - head.runAtNanos < 0;
      if (head == CLOSED) {
        submitterCounts.getAndDecrement(arrival);
        lock.lock();
        try {
          increment(SchedulerStats.REJECTED);
        } finally {
          lock.unlock();
        }
        throw new RejectedExecutionException(name + " is shut down; job not accepted");
      }
      task.nextInInbox = head;
    } while (!intake.push(head, task));
    // Every job in the inbox is covered by a drain that comes by its run-at: a worker woken for it
    // or for a job below it, the armed worker's wake-up (wakeFor), or a busy worker, which checks
    // the inbox before it sleeps. A drain takes every job, so a push needs a wake-up of its own
    // only onto an empty inbox, or if it is due before the head, whose cover may be a later
    // wake-up (if no worker is armed now, the one that disarmed drains next, and this push came
    // first, or the push would have failed). The woken worker drains, then wakes another through
    // take's cascade if more wait.
    if ((head == null || dueBeforeHead) && intake.idleWorkers > 0 && wakeFor(runAt)) {
      lock.lock();
      try {
        workAvailable.signal();
      } finally {
        lock.unlock();
      }
    }
    emit(JobEvent.Kind.SUBMITTED, task, 0, null, now);
    return task;
  }

  /**
   * Whether a pushed job, eligible at {@code runAt}, needs an idle worker woken: not if a worker is
   * armed to wake by then anyway (it drains the inbox when it wakes, and then either waits for the
   * earliest run-at again or wakes another worker to do so). Read after the push and the idle
   * count; a worker arms before it counts itself idle, and disarms before it drains again, so an
   * armed deadline seen here is one whose wake-up will find this job. It does not cover jobs pushed
   * later and due sooner: those compare themselves with the head (submitToInbox).
   */
  private boolean wakeFor(long runAt) {
    return intake.timedWaiter == null || runAt - intake.timerUntil < 0;
  }

  /** Whether an idle worker is armed to wake at the earliest run-at. For tests. */
  boolean isTimerArmed() {
    return intake.timedWaiter != null;
  }

  /** Moves every task of the inbox into the store, oldest first. Under the lock. */
  private void drainInbox(long now) {
    Task<?> head = intake.inbox;
    if (head != null && head != CLOSED) {
      takeInbox(null, now);
    }
  }

  /** Swaps the inbox for {@code replacement} (null, or CLOSED) and enqueues what it held. */
  private void takeInbox(Task<?> replacement, long now) {
    Task<?> head = intake.takeAll(replacement);
    if (head == CLOSED) {
      return;
    }
    Task<?> oldest = null; // the stack is newest first: reverse it
    while (head != null) {
      Task<?> next = head.nextInInbox;
      head.nextInInbox = oldest;
      oldest = head;
      head = next;
    }
    for (Task<?> t = oldest; t != null; ) {
      Task<?> next = t.nextInInbox;
      t.nextInInbox = null;
      if (t.runAtNanos - now > 0 && !intake.clockAlways) {
        now = read(); // drained on lastReading: a timed job's own reading may be newer
      }
      enqueue(t, t.runAtNanos, now, true);
      t = next;
    }
  }

  /** A ticker reading, past ones meaning now; or a delay from now. */
  private long runAt(boolean runAtSet, long when, long now) {
    if (runAtSet) {
      return when - now < 0 ? now : when;
    }
    if (when > Long.MAX_VALUE / 2 - (now - origin)) {
      throw new IllegalArgumentException("delay is too long: " + Duration.ofNanos(when));
    }
    return now + when;
  }

  /** Queues a task (new or retried) to become eligible at {@code runAt}. Under the lock. */
  private void enqueue(Task<?> task, long runAt, long now) {
    enqueue(task, runAt, now, false);
  }

  /**
   * As above, for a task from the inbox: counted when it was pushed, and its submitter already woke
   * a worker if one was idle, so no signal here: a signal per drained job would wake every idle
   * worker for jobs the draining worker takes itself (see take for the cascade).
   */
  private void enqueue(Task<?> task, long runAt, long now, boolean fromInbox) {
    task.runAtNanos = runAt; // the task is its own entry, out of every store while this runs
    task.sequence = ++lastSequence; // its dispatch key follows from runAt: see Task.key()
    task.setStatus(JobStatus.QUEUED);
    if (runAt - now > 0) {
      needClock(); // a job that waits for a time: its eligibility needs readings from now on
    }
    store.add(task, now);
    queued++;
    if (!fromInbox) {
      bump(queueChanges, task.priority(), 1);
      workAvailable.signal();
    }
  }

  /**
   * Smaller runs first. With aging, the job's "virtual eligibility time": eligible-at minus
   * priority times the aging step (see the essay); without, the priority alone.
   */
  long dispatchKey(int priority, long runAt) {
    return agingStepNanos == 0
        ? MAX_PRIORITY - priority
        : (runAt - origin) - priority * agingStepNanos;
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatch and execution
  // ---------------------------------------------------------------------------------------------

  /** The next live eligible task, stale entries discarded, or null. Under the lock. */
  private Task<?> pollEligible(long now) {
    drainInbox(now);
    if (!typeSlots.isEmpty()) {
      unparkIntoFreeSlots(now);
    }
    if (fair) {
      return pollFairly(now);
    }
    PendingJob e;
    while ((e = store.poll(now)) != null) {
      if (isLive(e) && !parkedByType(e)) {
        return take(e);
      }
    }
    return null;
  }

  private static boolean isLive(PendingJob e) {
    return e.task().status() == JobStatus.QUEUED;
  }

  /** Sets a live entry aside if its type is at its limit. Under the lock. */
  private boolean parkedByType(PendingJob e) {
    TypeSlot slot = e.task().options.type == null ? null : typeSlots.get(e.task().options.type);
    if (slot != null && slot.running >= slot.limit) {
      slot.parked.add(e); // still queued; returns to the store when a slot frees
      return true;
    }
    return false;
  }

  /** Takes a live entry's task off the queue for dispatch. Under the lock. */
  private Task<?> take(PendingJob e) {
    Task<?> task = e.task();
    queued--;
    bump(queueChanges, task.priority(), -1);
    notFull.signal();
    if (queued > 0 && intake.idleWorkers > 0) {
      workAvailable.signal(); // more may be eligible: wake one more worker, which cascades the same
    }
    return task;
  }

  /**
   * Weighted fair dispatch between tenants (start-time fair queuing over dispatch counts): every
   * eligible entry moves from the store to its tenant's heap; the tenant with the smallest pass
   * value goes next and its pass grows by 1 / weight. A tenant that was idle starts from the
   * current virtual time, so idleness earns no credit. Within a tenant, the store's order (priority
   * with aging, then FIFO) applies. O(tenants + log n). Under the lock.
   */
  private Task<?> pollFairly(long now) {
    PendingJob e;
    while ((e = store.poll(now)) != null) {
      if (isLive(e)) {
        String tenant = e.task().options.tenant == null ? "" : e.task().options.tenant;
        TenantQueue q = tenants.get(tenant);
        if (q == null) {
          q = new TenantQueue(tenantWeights.getOrDefault(tenant, 1), virtualTime);
          tenants.put(tenant, q);
        }
        q.ready.add(e);
      }
    }
    while (true) {
      TenantQueue best = null;
      for (Iterator<TenantQueue> it = tenants.values().iterator(); it.hasNext(); ) {
        TenantQueue q = it.next();
        while (!q.ready.isEmpty() && !isLive(q.ready.peek())) {
          q.ready.poll(); // cancelled or returned meanwhile
        }
        if (q.ready.isEmpty()) {
          it.remove(); // idle: forgets its pass, and restarts from the virtual time
        } else if (best == null || q.pass < best.pass) {
          best = q;
        }
      }
      if (best == null) {
        return null;
      }
      e = best.ready.poll();
      if (parkedByType(e)) {
        continue;
      }
      virtualTime = best.pass;
      best.pass += 1.0 / best.weight;
      return take(e);
    }
  }

  /**
   * Returns parked entries to the store while their type has free slots: at most as many per type
   * as it has free slots, the best first. Entries that turn out stale are dropped. O(types) when
   * nothing is parked. Under the lock.
   */
  private void unparkIntoFreeSlots(long now) {
    for (TypeSlot slot : typeSlots.values()) {
      int free = slot.limit - slot.running;
      PendingJob e;
      while (free > 0 && (e = slot.parked.poll()) != null) {
        if (isLive(e)) {
          store.add(e, now);
          free--;
        }
      }
    }
  }

  /**
   * Starts an attempt of a task that has just left the queue (or runs in the caller). {@code now}
   * must be a fresh reading if clockAlways or the task is timed.
   */
  private Attempt begin(Task<?> task, long now, Thread thread, Worker worker) {
    boolean timed = timed(task);
    if (timed) {
      waitTimes.record(now - task.runAtNanos);
    }
    Recurrence recurrence = task.options.recurrence;
    int number = task.beginAttempt();
    // A worker's own attempt is settled by now (see Attempt): reuse it, so a run allocates nothing.
    Attempt a = worker != null ? worker.attempt : new Attempt(thread, null);
    a.begin(task, number, recurrence == null ? 1 : recurrence.occurrence, now, timed);
    TypeSlot slot = task.options.type == null ? null : typeSlots.get(task.options.type);
    if (slot != null) {
      slot.running++; // caller-runs may exceed the limit; see Submission.type
    }
    task.setStatus(JobStatus.RUNNING);
    unsettled++;
    runningCount.setRelease(runningCount.getPlain() + 1);
    a.nextRunning = running;
    if (running != null) {
      running.prevRunning = a;
    }
    running = a;
    if (task.options.timeoutNanos > 0) {
      deadlines.add(a);
      ensureWatchdog();
      if (watchdogIdle || a.deadline - watchdogUntil < 0) {
        watchdogWake.signal(); // it would sleep past this deadline; otherwise leave it asleep
      }
    }
    return a;
  }

  /** Runs one attempt on the current thread, settles it and publishes the outcome. */
  private void execute(Attempt a) {
    execute(a, null);
  }

  /**
   * Runs one attempt on the current thread, settles it and publishes the outcome. For a pool worker
   * {@code w}, the same lock hold that settles the attempt also takes the worker's next job, if one
   * is eligible: one lock acquisition and one clock reading per job on the worker's side, as a
   * {@code ThreadPoolExecutor} worker takes one lock per job from its queue.
   *
   * @return the worker's next attempt, already begun, or null (then the worker waits for one)
   */
  private Attempt execute(Attempt a, Worker w) {
    Task<?> task = a.task;
    int number = a.number; // a worker's Attempt is begun again below, before the publication
    emit(JobEvent.Kind.STARTED, task, number, null, a.startedAt);
    Object value = null;
    Throwable failure = null;
    try {
      value = task.job.run(a);
    } catch (Throwable t) { // a job's error of any kind is its own failure, never the worker's
      failure = t;
    }
    Outcome outcome = null;
    boolean succeeded = false;
    Attempt next = null;
    // Read before the lock, as in submit: the lock is held that much less. A failure (its backoff)
    // and a recurrence (its next time) need a reading, a timed attempt its end.
    boolean fresh =
        intake.clockAlways || a.timed || failure != null || task.options.recurrence != null;
    long now = fresh ? ticker.read() : intake.lastReading;
    lock.lock();
    try {
      if (fresh) {
        note(now);
      }
      if (failure == null
          && !a.settled
          && task.status() == JobStatus.RUNNING
          && task.options.recurrence == null) {
        // The common end, published below from these locals: no Outcome to allocate (escape
        // analysis removes it only when the JIT happens to inline all of settle).
        release(a, now);
        a.forgetTask();
        markFinal(task, JobStatus.SUCCEEDED);
        afterSettlement();
        succeeded = true;
      } else {
        outcome = settle(a, value, failure, now);
      }
      // Interrupts are sent only to unsettled attempts and only under the lock, so none can still
      // arrive for this one, and none for the next before it begins below: a pooled worker clears
      // any interrupt so the next job starts clean, a caller's thread only the interrupt the
      // scheduler itself sent.
      if (a.worker != null || a.interrupted) {
        boolean ignored = Thread.interrupted();
      }
      if (w != null && state < STOP && !w.retired) {
        Task<?> following = pollEligible(now);
        if (following != null) {
          if (!fresh && (intake.clockAlways || timed(following))) {
            now = read();
          }
          next = begin(following, now, w.thread, w); // this same Attempt, reused
        }
      }
    } finally {
      lock.unlock();
    }
    if (succeeded) {
      emit(JobEvent.Kind.SUCCEEDED, task, number, null, now);
      task.completeFuture(JobStatus.SUCCEEDED, value, null);
    } else {
      publish(outcome);
    }
    return next;
  }

  /** Settles a finished attempt, on the thread that ran it. Under the lock. */
  private Outcome settle(Attempt a, Object value, Throwable failure, long now) {
    if (a.settled) {
      return null; // the timeout thread got there first (and retired the worker)
    }
    release(a, now);
    Task<?> task = a.task;
    a.forgetTask(); // the job has returned
    Outcome outcome;
    if (task.status() == JobStatus.CANCELLED) {
      outcome = null; // published by cancel()
    } else if (failure == null) {
      outcome =
          task.options.recurrence != null
              ? nextOccurrence(task, a.number, now)
              : finish(task, JobStatus.SUCCEEDED, a.number, value, null, now);
    } else {
      outcome = afterFailure(task, a.number, failure, now);
    }
    afterSettlement();
    return outcome;
  }

  /** Marks an attempt settled and forgets it. Under the lock. */
  private void release(Attempt a, long now) {
    a.settled = true;
    unsettled--;
    runningCount.setRelease(runningCount.getPlain() - 1);
    if (a.prevRunning == null) {
      running = a.nextRunning;
    } else {
      a.prevRunning.nextRunning = a.nextRunning;
    }
    if (a.nextRunning != null) {
      a.nextRunning.prevRunning = a.prevRunning;
    }
    a.prevRunning = null;
    a.nextRunning = null;
    if (a.task.options.timeoutNanos > 0) {
      deadlines.remove(a);
    }
    TypeSlot slot = a.task.options.type == null ? null : typeSlots.get(a.task.options.type);
    if (slot != null) {
      slot.running--;
      if (!slot.parked.isEmpty()) {
        workAvailable.signal(); // a parked job of this type may run now
      }
    }
    if (a.timed) {
      runTimes.record(now - a.startedAt);
    }
  }

  private void afterSettlement() {
    if (state >= SHUTDOWN) {
      workAvailable.signalAll(); // idle workers may now be allowed to exit
      tryTerminate();
    }
  }

  /**
   * Queues the next occurrence of a recurring job whose occurrence succeeded. A fixed-rate job's
   * occurrences sit on the grid scheduledAt + k * period; an occurrence that ran past one or more
   * grid points skips them (no burst of catch-up runs). A fixed-delay job waits the period after
   * the end of the run. A cron job is due at the expression's first time after the clock's reading
   * (see nextCronRunAt), so cron times an overrunning occurrence missed are skipped too; if that
   * time cannot be computed (the clock threw), the job ends FAILED with the exception. Shutdown
   * cancels recurring jobs. Under the lock.
   */
  private Outcome nextOccurrence(Task<?> task, int attempt, long now) {
    if (state >= SHUTDOWN) {
      return finish(task, JobStatus.CANCELLED, attempt, null, now);
    }
    Recurrence recurrence = task.options.recurrence;
    long period = recurrence.periodNanos;
    long next;
    if (recurrence.kind == Recurrence.FIXED_RATE) {
      long behind = Math.max(0L, now - recurrence.scheduledAt);
      next = recurrence.scheduledAt + (behind / period + 1) * period;
    } else if (recurrence.kind == Recurrence.FIXED_DELAY) {
      next = now + period;
    } else {
      try {
        next = nextCronRunAt(recurrence, now);
      } catch (RuntimeException e) { // a user's Clock, or a date past the year 999,999,999
        return finish(task, JobStatus.FAILED, attempt, e, now);
      }
    }
    recurrence.occurrence++;
    recurrence.occurrenceAttempts = 0;
    recurrence.scheduledAt = next;
    enqueue(task, next, now);
    return new Outcome(task, JobEvent.Kind.RESCHEDULED, null, attempt, null, null, now);
  }

  /**
   * The ticker reading at which a cron job's next occurrence is due. The expression gives a
   * wall-clock instant; the ticker measures the wait: runAt = now + (due - clock reading). So a
   * step of the wall clock (NTP, a manual change; daylight saving time is no step, instants do not
   * move) is noticed here, when the next occurrence is placed, not while a job waits. The search
   * starts from the later of the clock's reading and the last due time, so that an occurrence that
   * began a little before its due time by the clock is not repeated. Under the lock: the clock is
   * read once and the expression searched once per occurrence.
   */
  private long nextCronRunAt(Recurrence recurrence, long now) {
    Instant wall = clock.instant();
    Instant last = recurrence.lastDue;
    Instant from = last != null && last.isAfter(wall) ? last : wall;
    Instant due = recurrence.cron.next(from.atZone(recurrence.zone)).toInstant();
    long runAt = runAt(false, Duration.between(wall, due).toNanos(), now);
    recurrence.lastDue = due;
    return runAt;
  }

  /** Retry, fail or dead-letter after a failed attempt. Under the lock. */
  private Outcome afterFailure(Task<?> task, int attempt, Throwable failure, long now) {
    RetryPolicy policy = task.options.retry;
    boolean retryable;
    try {
      retryable = policy.retries(failure);
    } catch (RuntimeException e) {
      failure.addSuppressed(e); // a broken predicate must not break the scheduler
      retryable = false;
    }
    if (!retryable || state >= STOP) {
      return finish(task, JobStatus.FAILED, attempt, failure, now);
    }
    if (attempt >= policy.maxAttempts()) {
      return finish(task, JobStatus.DEAD_LETTERED, attempt, failure, now);
    }
    if (task.options.recurrence != null && state >= SHUTDOWN) {
      return finish(task, JobStatus.CANCELLED, attempt, failure, now); // shutdown ends recurring
    }
    double unit = random != null ? random.nextDouble() : ThreadLocalRandom.current().nextDouble();
    enqueue(task, now + policy.delayNanos(attempt, unit), now);
    increment(SchedulerStats.RETRIED);
    return new Outcome(task, JobEvent.Kind.RETRY_SCHEDULED, null, attempt, null, failure, now);
  }

  /** Gives a task its final status. Under the lock; the future completes later, in publish. */
  private Outcome finish(Task<?> task, JobStatus status, int attempt, Throwable failure, long now) {
    return finish(task, status, attempt, null, failure, now);
  }

  /** As above, with the value of a success, which the task keeps only once published. */
  private Outcome finish(
      Task<?> task, JobStatus status, int attempt, Object value, Throwable failure, long now) {
    return new Outcome(task, markFinal(task, status), status, attempt, value, failure, now);
  }

  /** Sets a final status, forgets the task's key and recurrence and counts it. Under the lock. */
  private JobEvent.Kind markFinal(Task<?> task, JobStatus status) {
    task.setStatus(status);
    if (task.options.key != null) {
      pendingByKey.remove(task.options.key, task);
    }
    if (task.options.recurrence != null) {
      recurringJobs.remove(task);
    }
    JobEvent.Kind kind;
    switch (status) {
      case SUCCEEDED -> {
        kind = JobEvent.Kind.SUCCEEDED;
        increment(SchedulerStats.SUCCEEDED);
      }
      case FAILED -> {
        kind = JobEvent.Kind.FAILED;
        increment(SchedulerStats.FAILED);
      }
      case DEAD_LETTERED -> {
        kind = JobEvent.Kind.DEAD_LETTERED;
        increment(SchedulerStats.DEAD_LETTERED);
      }
      case CANCELLED -> {
        kind = JobEvent.Kind.CANCELLED;
        increment(SchedulerStats.CANCELLED);
      }
      case RETURNED -> {
        kind = JobEvent.Kind.RETURNED;
        increment(SchedulerStats.RETURNED);
      }
      default -> throw new AssertionError("not a final status: " + status);
    }
    return kind;
  }

  /** Tells the listener, the dead-letter handler and the future. Outside the lock. */
  private void publish(Outcome o) {
    if (o == null) {
      return;
    }
    emit(o.kind, o.task, o.attempt, o.failure, o.now);
    if (o.finalStatus == null) {
      return;
    }
    if (o.finalStatus == JobStatus.DEAD_LETTERED && deadLetters != null) {
      try {
        deadLetters.deadLettered(o.task, o.failure);
      } catch (RuntimeException e) {
        // documented: ignored, so that a broken handler cannot take a worker down
      }
    }
    o.task.completeFuture(o.finalStatus, o.value, o.failure);
  }

  private void emit(JobEvent.Kind kind, Task<?> task, int attempt, Throwable failure, long now) {
    if (listener == null) {
      return;
    }
    try {
      listener.onEvent(new JobEvent(kind, task, attempt, failure, now));
    } catch (RuntimeException e) {
      // documented: ignored, so that a broken listener cannot take a worker down
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Cancellation
  // ---------------------------------------------------------------------------------------------

  boolean cancel(Task<?> task) {
    Outcome outcome;
    lock.lock();
    try {
      long now = read();
      drainInbox(now); // a task still in the inbox is QUEUED and must leave the store's count
      switch (task.status()) {
        case QUEUED -> {
          outcome = cancelQueued(task, now);
          afterSettlement();
        }
        case RUNNING -> {
          // Its one unsettled attempt: a short walk over the running ones (at most the workers
          // and the callers running jobs), so that no task carries a pointer to its attempt.
          for (Attempt a = running; a != null; a = a.nextRunning) {
            if (a.task == task) {
              a.stop();
              break;
            }
          }
          outcome = finish(task, JobStatus.CANCELLED, task.occurrenceAttempts(), null, now);
        }
        default -> {
          return false;
        }
      }
    } finally {
      lock.unlock();
    }
    publish(outcome);
    return true;
  }

  /** Cancels a queued task. Under the lock. */
  private Outcome cancelQueued(Task<?> task, long now) {
    queued--;
    bump(queueChanges, task.priority(), -1);
    notFull.signal();
    Outcome outcome = finish(task, JobStatus.CANCELLED, task.occurrenceAttempts(), null, now);
    staleEntries++; // its entry, still held, is stale now that the task is no longer QUEUED
    purgeIfMostlyStale();
    return outcome;
  }

  /**
   * Removes stale entries in one pass once they may outnumber the live ones. {@code staleEntries}
   * counts cancellations since the last purge, an upper bound on the stale entries held (some
   * surface and are dropped before), since cancelling a queued task is the only way an entry goes
   * stale while held. A purge costs O(live + stale) and runs only after more than {@code live}
   * cancellations, so each cancellation pays O(1) of it, amortized; and entries held never exceed
   * twice the live ones plus PURGE_MIN_STALE. Under the lock.
   */
  private void purgeIfMostlyStale() {
    if (staleEntries <= PURGE_MIN_STALE || staleEntries <= queued) {
      return;
    }
    Predicate<PendingJob> stale = e -> !isLive(e);
    store.purge(stale);
    for (TypeSlot slot : typeSlots.values()) {
      slot.parked.removeIf(stale);
    }
    for (TenantQueue q : tenants.values()) {
      q.ready.removeIf(stale); // a queue left empty is forgotten by the next pollFairly
    }
    staleEntries = 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Workers
  // ---------------------------------------------------------------------------------------------

  /** A pool thread's loop. {@code retired} is guarded by the lock. */
  final class Worker implements Runnable {
    Thread thread;
    Attempt attempt; // the one this worker reuses for every job it runs; see Attempt
    boolean retired;

    @Override
    public void run() {
      try {
        Attempt a = nextAttempt(this);
        while (a != null) {
          a = execute(a, this);
          if (a == null) {
            a = nextAttempt(this);
          }
        }
      } finally {
        lock.lock();
        try {
          if (!retired) {
            liveWorkers--;
          }
          tryTerminate();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private void startWorker() {
    Worker w = new Worker();
    Thread t = threadFactory.newThread(w);
    if (t == null) {
      throw new IllegalStateException("threadFactory returned null");
    }
    w.thread = t;
    w.attempt = new Attempt(t, w);
    liveWorkers++;
    t.start();
  }

  private Thread newDaemonlessThread(Runnable r) {
    workerSerial++;
    return new Thread(r, name + "-worker-" + workerSerial);
  }

  /** Waits for the next eligible job; null tells the worker to exit. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // idleWorkers is written only under the lock
  private Attempt nextAttempt(Worker w) {
    lock.lock();
    try {
      while (true) {
        if (state >= STOP || w.retired) {
          return null;
        }
        boolean fresh = intake.clockAlways;
        long now = fresh ? read() : intake.lastReading;
        Task<?> task = pollEligible(now);
        if (task != null) {
          if (!fresh && (intake.clockAlways || timed(task))) {
            now = read();
          }
          return begin(task, now, w.thread, w);
        }
        if (!fresh && intake.clockAlways) {
          continue; // the drain turned readings on: look again with a fresh one
        }
        if (state == SHUTDOWN && queued == 0 && unsettled == 0) {
          return null;
        }
        OptionalLong next = store.nextRunAtNanos(now);
        long until = next.isPresent() ? next.getAsLong() : 0;
        // The one worker that wakes at the next run-at (see timedWaiter). Armed before this worker
        // counts itself idle: a submitter that sees the count sees the deadline too.
        boolean timer =
            next.isPresent() && (intake.timedWaiter == null || until - intake.timerUntil < 0);
        if (timer) {
          intake.timerUntil = until;
          intake.timedWaiter = w;
        }
        intake.idleWorkers++; // written only under the lock; see the field
        try {
          Task<?> head = intake.inbox;
          if (head != null && head != CLOSED) {
            continue; // pushed after pollEligible drained: that submitter may not have signalled
          }
          if (timer) {
            workAvailable.awaitNanos(Math.min(until - now, tickerPollNanos));
          } else {
            workAvailable.await();
          }
        } catch (InterruptedException e) {
          // Only the scheduler interrupts its workers, and only while they run a job; a stray
          // interrupt is cleared by the throw, and the loop re-checks the state.
        } finally {
          intake.idleWorkers--;
          if (timer && intake.timedWaiter == w) {
            intake.timedWaiter = null; // disarmed before this worker drains the inbox again
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Timeouts
  // ---------------------------------------------------------------------------------------------

  private void ensureWatchdog() {
    if (watchdog == null) {
      Thread t = new Thread(this::watch, name + "-timeouts");
      t.setDaemon(true); // it only ever waits for attempts that are running
      watchdog = t;
      t.start();
    }
  }

  private void watch() {
    while (true) {
      Outcome outcome = null;
      lock.lock();
      try {
        if (state == TERMINATED) {
          watchdog = null;
          return;
        }
        Attempt a = deadlines.peek();
        long now = read();
        if (a == null) {
          watchdogIdle = true;
          watchdogWake.await();
        } else if (a.deadline - now <= 0) {
          deadlines.poll();
          outcome = timeOut(a, now);
        } else {
          long sleep = Math.min(a.deadline - now, tickerPollNanos);
          watchdogIdle = false;
          watchdogUntil = now + sleep;
          watchdogWake.awaitNanos(sleep);
        }
      } catch (InterruptedException e) {
        // nobody interrupts this thread; keep watching
      } finally {
        lock.unlock();
      }
      publish(outcome);
    }
  }

  /** Settles a timed-out attempt as failed, interrupts it and replaces its worker. */
  private Outcome timeOut(Attempt a, long now) {
    if (a.settled) {
      return null;
    }
    a.stop();
    release(a, now);
    increment(SchedulerStats.TIMED_OUT);
    Outcome outcome = null;
    Task<?> task = a.task;
    if (task.status() != JobStatus.CANCELLED) {
      TimeoutException failure =
          new TimeoutException(
              "job "
                  + task.id
                  + " attempt "
                  + a.number
                  + " timed out after "
                  + Duration.ofNanos(task.options.timeoutNanos));
      outcome = afterFailure(task, a.number, failure, now);
    }
    if (a.worker != null) {
      // The job may ignore the interrupt and hold its thread for ever: that thread leaves the pool
      // and a fresh one takes its place, so capacity never leaks.
      a.worker.retired = true;
      liveWorkers--;
      if (state < STOP) {
        startWorker();
      }
    }
    afterSettlement();
    return outcome;
  }

  // ---------------------------------------------------------------------------------------------
  // Manual dispatch
  // ---------------------------------------------------------------------------------------------

  /**
   * Runs, on the calling thread, the job a worker would take now, if any is eligible at the
   * ticker's current reading. Only for a scheduler built with {@link Builder#manualDispatch()}.
   *
   * @return true if a job attempt ran
   * @throws IllegalStateException if the scheduler has worker threads
   */
  public boolean runNext() {
    if (!manual) {
      throw new IllegalStateException("runNext needs a scheduler built with manualDispatch()");
    }
    Attempt a;
    lock.lock();
    try {
      if (state >= STOP) {
        return false;
      }
      long now = read();
      Task<?> task = pollEligible(now);
      if (task == null) {
        return false;
      }
      a = begin(task, now, Thread.currentThread(), null);
    } finally {
      lock.unlock();
    }
    execute(a);
    return true;
  }

  /**
   * Runs, on the calling thread, jobs in dispatch order until none is eligible at the ticker's
   * current reading (retries that become eligible meanwhile included). Only for a scheduler built
   * with {@link Builder#manualDispatch()}.
   *
   * @return the number of attempts run
   * @throws IllegalStateException if the scheduler has worker threads
   */
  public int runPending() {
    int ran = 0;
    while (runNext()) {
      ran++;
    }
    return ran;
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown
  // ---------------------------------------------------------------------------------------------

  /**
   * Stops accepting jobs; every job already accepted still runs (delayed jobs at their time,
   * retries after their backoff), then the workers exit. Recurring jobs are the exception, as in
   * {@code ScheduledThreadPoolExecutor}: they end {@link JobStatus#CANCELLED}, a queued one at
   * once, a running one when its current occurrence ends. Returns at once; see {@link
   * #awaitTermination}. With manual dispatch the caller keeps running jobs with {@link
   * #runPending()}. Calling it again has no effect.
   */
  public void shutdown() {
    List<Outcome> cancelled = new ArrayList<>();
    lock.lock();
    try {
      if (state == RUNNING) {
        state = SHUTDOWN;
        long now = read();
        takeInbox(CLOSED, now); // tasks accepted before this moment still run
        for (Task<?> task : new ArrayList<>(recurringJobs)) {
          if (task.status() == JobStatus.QUEUED) {
            cancelled.add(cancelQueued(task, now));
          }
        }
        workAvailable.signalAll();
        notFull.signalAll();
        tryTerminate();
      }
    } finally {
      lock.unlock();
    }
    cancelled.forEach(this::publish);
  }

  /**
   * Stops accepting jobs, interrupts every running attempt (which then is not retried) and returns
   * every job that had not started, in id order, each now {@link JobStatus#RETURNED} with its
   * future completed by a {@link java.util.concurrent.CancellationException}. Resubmit them
   * elsewhere if they must run.
   *
   * @return the jobs that had not started
   */
  public List<JobHandle<?>> shutdownNow() {
    List<Outcome> outcomes = new ArrayList<>();
    lock.lock();
    try {
      if (state < STOP) {
        state = STOP;
      }
      long now = read();
      takeInbox(CLOSED, now); // into the store, to be returned below
      List<PendingJob> pending = new ArrayList<>(store.drain());
      for (TypeSlot slot : typeSlots.values()) {
        pending.addAll(slot.parked);
        slot.parked.clear();
      }
      for (TenantQueue q : tenants.values()) {
        pending.addAll(q.ready);
      }
      tenants.clear();
      for (PendingJob e : pending) {
        Task<?> task = e.task();
        if (isLive(e)) {
          queued--;
          bump(queueChanges, task.priority(), -1);
          outcomes.add(finish(task, JobStatus.RETURNED, task.occurrenceAttempts(), null, now));
        }
      }
      for (Attempt a = running; a != null; a = a.nextRunning) {
        a.stop();
      }
      workAvailable.signalAll();
      notFull.signalAll();
      tryTerminate();
    } finally {
      lock.unlock();
    }
    outcomes.sort(Comparator.comparingLong(o -> o.task.id));
    List<JobHandle<?>> returned = new ArrayList<>(outcomes.size());
    for (Outcome o : outcomes) {
      publish(o);
      returned.add(o.task);
    }
    return returned;
  }

  /** Under the lock. */
  private void tryTerminate() {
    if (state >= SHUTDOWN
        && state != TERMINATED
        && queued == 0
        && unsettled == 0
        && liveWorkers == 0) {
      state = TERMINATED;
      terminated.signalAll();
      watchdogWake.signalAll();
      notFull.signalAll();
    }
  }

  /**
   * Returns whether {@link #shutdown()} or {@link #shutdownNow()} has been called.
   *
   * @return true once shutting down
   */
  public boolean isShutdown() {
    lock.lock();
    try {
      return state >= SHUTDOWN;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns whether the scheduler has shut down completely: no job queued or running, every worker
   * exited (except threads abandoned to jobs that ignored a timeout's interrupt).
   *
   * @return true once terminated
   */
  public boolean isTerminated() {
    lock.lock();
    try {
      return state == TERMINATED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits, in real time, until the scheduler is terminated.
   *
   * @param timeout how long to wait at most
   * @return true if terminated, false if the time ran out
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long nanos = Checks.nonNegativeNanos(timeout, "timeout");
    lock.lock();
    try {
      while (state != TERMINATED) {
        if (nanos <= 0) {
          return false;
        }
        nanos = terminated.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Shuts down and waits for termination, as {@code ExecutorService.close()} does in JDK 19 and
   * later: {@link #shutdown()}, then wait; if interrupted while waiting, {@link #shutdownNow()} and
   * keep waiting, then restore the interrupt. With manual dispatch nobody would run the queued
   * jobs, so it calls {@link #shutdownNow()} at once.
   */
  @Override
  public void close() {
    if (manual) {
      shutdownNow();
      return;
    }
    shutdown();
    boolean interrupted = false;
    while (!isTerminated()) {
      try {
        awaitTermination(Duration.ofDays(1));
      } catch (InterruptedException e) {
        if (!interrupted) {
          shutdownNow();
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Observability
  // ---------------------------------------------------------------------------------------------

  /**
   * Returns a snapshot of the counters, read without locking.
   *
   * @return the statistics now
   */
  public SchedulerStats stats() {
    // The lock holder's changes first, then the arrivals: a task taken after the first read is
    // also missing from it, and one counted in a change arrived before, so no count is negative.
    long[] byPriority = new long[MAX_PRIORITY + 1];
    for (int p = 0; p < byPriority.length; p++) {
      byPriority[p] = queueChanges.get(p);
    }
    long[] counts = new long[counters.length()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = counters.get(i);
    }
    for (int p = 0; p < byPriority.length; p++) {
      long arrived = submitterCounts.get(ARRIVALS + p);
      byPriority[p] += arrived;
      counts[SchedulerStats.SUBMITTED] += arrived;
    }
    return new SchedulerStats(
        byPriority, runningCount.get(), counts, waitTimes.snapshot(), runTimes.snapshot());
  }

  /**
   * Counts an event. Every counter, gauge and histogram of the stats is written only under the
   * lock, so a plain read and a release write replace an atomic read-modify-write (a {@code lock}
   * prefix per event on x86); {@link #stats()} reads them without the lock.
   */
  private void increment(int counter) {
    bump(counters, counter, 1);
  }

  /** Adds {@code delta} to one element; under the lock (see {@link #increment}). */
  private static void bump(AtomicLongArray array, int index, long delta) {
    array.setRelease(index, array.getPlain(index) + delta);
  }

  static int checkPriority(int priority) {
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ": " + priority);
    }
    return priority;
  }

  @Override
  public String toString() {
    return name + (manual ? "{manual}" : "{workers=" + workerCount + "}");
  }

  /** A tenant's eligible entries and its place in the weighted fair order. */
  private static final class TenantQueue {
    final int weight;
    double pass; // virtual time at which the tenant's next job starts
    final PriorityQueue<PendingJob> ready = new PriorityQueue<>(DISPATCH_ORDER);

    TenantQueue(int weight, double pass) {
      this.weight = weight;
      this.pass = pass;
    }
  }

  /** The running count and the set-aside entries of a job type with a concurrency limit. */
  private static final class TypeSlot {
    final int limit;
    int running;
    final PriorityQueue<PendingJob> parked = new PriorityQueue<>(DISPATCH_ORDER);

    TypeSlot(int limit) {
      this.limit = limit;
    }
  }

  /** What happened to a job, to be told to the listener and the future outside the lock. */
  private record Outcome(
      Task<?> task,
      JobEvent.Kind kind,
      JobStatus finalStatus,
      int attempt,
      Object value,
      Throwable failure,
      long now) {}

  // ---------------------------------------------------------------------------------------------
  // Submission and Builder
  // ---------------------------------------------------------------------------------------------

  /**
   * One job's options, set fluently and ended by {@link #submit()}. Not thread-safe; use each
   * instance once.
   *
   * @param <T> the type of the job's result
   */
  public static final class Submission<T> {
    private static final String CRON_HAS_ITS_OWN_TIMES =
        "a cron job is due at its expression's times: no delay or run-at time with repeatOn";
    private final JobScheduler scheduler;
    private final Job<T> job;
    private int priority = DEFAULT_PRIORITY;
    private long delayNanos;
    private long runAtNanos;
    private boolean runAtSet;
    private boolean delaySet;
    private String key;
    private RetryPolicy retry;
    private long timeoutNanos;
    private long periodNanos;
    private boolean fixedRate;
    private CronExpression cron;
    private ZoneId zone;
    private String type;
    private String tenant;

    private Submission(JobScheduler scheduler, Job<T> job) {
      this.scheduler = scheduler;
      this.job = job;
      this.retry = scheduler.defaultRetry;
      this.timeoutNanos = scheduler.defaultOptions[DEFAULT_PRIORITY].timeoutNanos;
    }

    /**
     * Sets the priority.
     *
     * @param priority from {@value JobScheduler#MIN_PRIORITY} to {@value JobScheduler#MAX_PRIORITY}
     *     (most urgent); {@value JobScheduler#DEFAULT_PRIORITY} if not set
     * @return this submission
     * @throws IllegalArgumentException if out of range
     */
    public Submission<T> priority(int priority) {
      this.priority = checkPriority(priority);
      return this;
    }

    /**
     * Makes the job eligible only after {@code delay} has passed on the scheduler's ticker.
     *
     * @param delay zero or positive
     * @return this submission
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException if a delay or run-at time was already set
     */
    public Submission<T> delay(Duration delay) {
      long nanos = Checks.nonNegativeNanos(delay, "delay");
      checkNoTimeSet();
      this.delayNanos = nanos;
      this.delaySet = true;
      return this;
    }

    /**
     * Makes the job eligible from a reading of the scheduler's ticker on; a reading already past
     * means now.
     *
     * @param tickerNanos a reading of the ticker the scheduler was built with
     * @return this submission
     * @throws IllegalStateException if a delay or run-at time was already set
     */
    public Submission<T> runAt(long tickerNanos) {
      checkNoTimeSet();
      this.runAtNanos = tickerNanos;
      this.runAtSet = true;
      return this;
    }

    private void checkNoTimeSet() {
      if (delaySet || runAtSet) {
        throw new IllegalStateException("delay or run-at time already set");
      }
      if (cron != null) {
        throw new IllegalStateException(CRON_HAS_ITS_OWN_TIMES);
      }
    }

    /**
     * Sets an idempotency key: while a job submitted with this key is not finished (queued, running
     * or waiting for a retry), submitting another with the same key returns the first one's handle
     * and queues nothing. The caller must use a key for one result type only.
     *
     * @param key a non-empty key
     * @return this submission
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public Submission<T> idempotencyKey(String key) {
      Objects.requireNonNull(key, "key");
      if (key.isEmpty()) {
        throw new IllegalArgumentException("key must not be empty");
      }
      this.key = key;
      return this;
    }

    /**
     * Sets the retry policy; the scheduler's default if not set.
     *
     * @param policy the policy
     * @return this submission
     * @throws NullPointerException if {@code policy} is null
     */
    public Submission<T> retry(RetryPolicy policy) {
      this.retry = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets a per-attempt timeout, measured on the scheduler's ticker from the attempt's start, in
     * place of the scheduler's {@link Builder#defaultTimeout default} if it has one.
     *
     * @param timeout positive
     * @return this submission
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Submission<T> timeout(Duration timeout) {
      this.timeoutNanos = Checks.positiveNanos(timeout, "timeout");
      return this;
    }

    /**
     * Sets the job's type, for the concurrency limits set with {@link
     * Builder#concurrencyLimit(String, int)}: at most that many jobs of the type run at once, and
     * the others wait, queued, while jobs of other types pass them. A type without a limit is only
     * a label. Jobs run by the caller ({@link FullQueuePolicy#CALLER_RUNS}) count towards the limit
     * but are not held back by it; a timed-out attempt frees its slot even if its thread has not
     * stopped yet.
     *
     * @param type a non-empty name
     * @return this submission
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code type} is empty
     */
    public Submission<T> type(String type) {
      Objects.requireNonNull(type, "type");
      if (type.isEmpty()) {
        throw new IllegalArgumentException("type must not be empty");
      }
      this.type = type;
      return this;
    }

    /**
     * Sets the tenant (or group) the job belongs to. If the scheduler was built with {@link
     * Builder#tenantWeight(String, int) tenant weights}, tenants with queued jobs share the
     * dispatches in proportion to their weights (a tenant without a weight has weight 1, and jobs
     * without a tenant form one tenant of weight 1), and priorities order jobs within a tenant
     * only. Otherwise the tenant is only a label.
     *
     * @param tenant a non-empty name
     * @return this submission
     * @throws NullPointerException if {@code tenant} is null
     * @throws IllegalArgumentException if {@code tenant} is empty
     */
    public Submission<T> tenant(String tenant) {
      Objects.requireNonNull(tenant, "tenant");
      if (tenant.isEmpty()) {
        throw new IllegalArgumentException("tenant must not be empty");
      }
      this.tenant = tenant;
      return this;
    }

    /**
     * Makes the job recurring at a fixed rate: occurrence k (from 0) is due at {@code first + k *
     * period}, where {@code first} is the run-at time (now, or after the {@link #delay}). An
     * occurrence that runs past later grid points skips them rather than running them in a burst. A
     * recurring job never succeeds: it runs until cancelled, until an occurrence fails for good
     * ({@link JobStatus#FAILED} or {@link JobStatus#DEAD_LETTERED}, after the retry policy's
     * attempts within that occurrence), or until the scheduler shuts down ({@link
     * JobStatus#CANCELLED}); its future completes only then.
     *
     * @param period the interval between due times, positive
     * @return this submission
     * @throws NullPointerException if {@code period} is null
     * @throws IllegalArgumentException if {@code period} is not positive
     * @throws IllegalStateException if a repetition was already set
     */
    public Submission<T> repeatAtFixedRate(Duration period) {
      return repeat(Checks.positiveNanos(period, "period"), true);
    }

    /**
     * Makes the job recurring with a fixed delay: each occurrence is due {@code delay} after the
     * previous one ended. Otherwise as {@link #repeatAtFixedRate}.
     *
     * @param delay the pause between the end of one occurrence and the next, positive
     * @return this submission
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if {@code delay} is not positive
     * @throws IllegalStateException if a repetition was already set
     */
    public Submission<T> repeatWithFixedDelay(Duration delay) {
      return repeat(Checks.positiveNanos(delay, "delay"), false);
    }

    /**
     * Makes the job recurring at the times of a cron expression in a time zone: each occurrence is
     * due at the expression's first time after the previous one ended (the first: after the
     * submission), so times missed while an occurrence overran are skipped, not run in a burst.
     * Times are wall-clock times, read from the {@link Builder#clock(Clock) scheduler's clock} when
     * each occurrence is placed and turned into a wait on the ticker; a step of the wall clock is
     * therefore noticed when the next occurrence is placed, and the occurrence already waiting
     * keeps its ticker reading. Daylight saving time is no step (see {@link CronExpression} for the
     * skipped and the repeated hour). Otherwise as {@link #repeatAtFixedRate}; if the next time
     * cannot be computed (the clock throws), the job ends {@link JobStatus#FAILED} with that
     * exception.
     *
     * <pre>{@code
     * scheduler
     *     .newJob(context -> exportYesterday())
     *     .repeatOn(CronExpression.parse("30 2 * * *"), ZoneId.of("Europe/Berlin"))
     *     .submit();
     * }</pre>
     *
     * @param cron the times the job is due at
     * @param zone the zone the expression's fields are read in
     * @return this submission
     * @throws NullPointerException if {@code cron} or {@code zone} is null
     * @throws IllegalStateException if a repetition, a delay or a run-at time was already set
     */
    public Submission<T> repeatOn(CronExpression cron, ZoneId zone) {
      Objects.requireNonNull(cron, "cron");
      Objects.requireNonNull(zone, "zone");
      checkNoRepetition();
      if (delaySet || runAtSet) {
        throw new IllegalStateException(CRON_HAS_ITS_OWN_TIMES);
      }
      this.cron = cron;
      this.zone = zone;
      return this;
    }

    private void checkNoRepetition() {
      if (periodNanos != 0 || cron != null) {
        throw new IllegalStateException("repetition already set");
      }
    }

    private TaskOptions options() {
      TaskOptions defaults = scheduler.defaultOptions[priority];
      boolean none =
          key == null
              && retry == defaults.retry
              && timeoutNanos == defaults.timeoutNanos
              && periodNanos == 0
              && cron == null
              && type == null
              && tenant == null;
      if (none) {
        return defaults;
      }
      // Made per submission: a cron job's recurrence holds the job's own state.
      Recurrence recurrence =
          cron != null
              ? Recurrence.cron(cron, zone)
              : periodNanos != 0 ? Recurrence.periodic(periodNanos, fixedRate) : null;
      return new TaskOptions(
          scheduler, priority, key, retry, timeoutNanos, recurrence, type, tenant);
    }

    private Submission<T> repeat(long nanos, boolean atFixedRate) {
      checkNoRepetition();
      this.periodNanos = nanos;
      this.fixedRate = atFixedRate;
      return this;
    }

    /**
     * Submits the job.
     *
     * @return its handle, or the pending job's handle if the idempotency key is in use
     * @throws RejectedExecutionException if the scheduler is shut down or the queue is full (see
     *     {@link FullQueuePolicy})
     * @throws IllegalArgumentException if the delay reaches beyond about 146 years of ticker time
     */
    public JobHandle<T> submit() {
      // Only fields are passed on, never this builder: once inlined, the JIT drops it.
      return scheduler.submit(
          new Task<>(job, options()), runAtSet, runAtSet ? runAtNanos : delayNanos);
    }
  }

  /** Configures a {@link JobScheduler}. Each setting may be made once. */
  public static final class Builder {
    private Ticker ticker;
    private Clock clock;
    private Integer workersSet;
    private int workers = Runtime.getRuntime().availableProcessors();
    private boolean manual;
    private int capacity = Integer.MAX_VALUE;
    private boolean capacitySet;
    private FullQueuePolicy fullPolicy = FullQueuePolicy.REJECT;
    private boolean fullPolicySet;
    private long blockTimeoutNanos;
    private long agingStepNanos = DEFAULT_AGING_STEP_NANOS;
    private long timingMask = -1; // unset: every job
    private long tickerPollNanos = TICKER_POLL_NANOS;
    private boolean agingSet;
    private RetryPolicy retry = RetryPolicy.none();
    private boolean retrySet;
    private long timeoutNanos; // 0 = no default per-attempt timeout
    private RandomGenerator random;
    private JobListener listener;
    private DeadLetterHandler deadLetters;
    private JobStore store;
    private ThreadFactory threadFactory;
    private final Map<String, Integer> typeLimits = new HashMap<>();
    private final Map<String, Integer> tenantWeights = new HashMap<>();

    private Builder() {}

    /**
     * Gives a tenant a weight and turns on weighted fair sharing between tenants: while several
     * tenants have eligible jobs, each gets a share of the dispatches proportional to its weight
     * (within one job per tenant), whatever the priorities and volume of the others, so one noisy
     * tenant cannot starve the rest. Priorities and aging then order jobs within a tenant.
     *
     * @param tenant the tenant, as given to {@link Submission#tenant(String)}
     * @param weight positive; tenants without a weight have 1
     * @return this builder
     * @throws NullPointerException if {@code tenant} is null
     * @throws IllegalArgumentException if {@code weight} is not positive or above 1,000,000
     * @throws IllegalStateException if a weight for this tenant was already set
     */
    public Builder tenantWeight(String tenant, int weight) {
      Objects.requireNonNull(tenant, "tenant");
      if (weight < 1 || weight > 1_000_000) {
        throw new IllegalArgumentException("weight must be between 1 and 1000000: " + weight);
      }
      checkState(!tenantWeights.containsKey(tenant), "weight for " + tenant + " already set");
      tenantWeights.put(tenant, weight);
      return this;
    }

    /**
     * Lets at most {@code maxRunning} jobs of one {@link Submission#type(String) type} run at once,
     * e.g. to protect a database from more than 2 concurrent report jobs while other jobs use the
     * remaining workers.
     *
     * @param type the job type
     * @param maxRunning positive
     * @return this builder
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code maxRunning} is not positive
     * @throws IllegalStateException if a limit for this type was already set
     */
    public Builder concurrencyLimit(String type, int maxRunning) {
      Objects.requireNonNull(type, "type");
      if (maxRunning < 1) {
        throw new IllegalArgumentException("maxRunning must be positive: " + maxRunning);
      }
      checkState(!typeLimits.containsKey(type), "concurrency limit for " + type + " already set");
      typeLimits.put(type, maxRunning);
      return this;
    }

    /**
     * Sets the number of worker threads; the number of processors if not set.
     *
     * @param workers positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set, or {@link #manualDispatch()} was chosen
     */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be positive: " + workers);
      }
      checkState(workersSet == null && !manual, "workers already set or manual dispatch chosen");
      this.workersSet = workers;
      this.workers = workers;
      return this;
    }

    /**
     * Starts no worker threads: jobs run only when the caller calls {@link #runPending()} or {@link
     * #runNext()}, on the caller's thread. For deterministic tests with a fake ticker, and for
     * callers that want to run jobs in a loop of their own.
     *
     * @return this builder
     * @throws IllegalStateException if already set, or workers were set
     */
    public Builder manualDispatch() {
      checkState(workersSet == null && !manual, "workers already set or manual dispatch chosen");
      this.manual = true;
      return this;
    }

    /**
     * For tests only: how long a waiting thread sleeps at most before it reads the ticker again (20
     * ms by default). Set to hours, it leaves only wake-ups to start a delayed job on time, so a
     * test can tell a missed wake-up from a slow one.
     */
    Builder tickerPoll(Duration poll) {
      this.tickerPollNanos = Checks.positiveNanos(poll, "poll");
      return this;
    }

    /**
     * Bounds the number of queued jobs (delayed and retry-waiting ones included); unbounded if not
     * set. Retries may exceed it, never new submissions.
     *
     * @param capacity positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      checkState(!capacitySet, "queue capacity already set");
      this.capacity = capacity;
      this.capacitySet = true;
      return this;
    }

    /**
     * Refuses submissions to a full queue with a {@link RejectedExecutionException} (the default).
     *
     * @return this builder
     * @throws IllegalStateException if a full-queue policy was already set
     */
    public Builder rejectWhenFull() {
      return fullPolicy(FullQueuePolicy.REJECT, 0L);
    }

    /**
     * Makes submitters wait up to {@code timeout} (real time) for space in a full queue.
     *
     * @param timeout how long to wait, positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws IllegalStateException if a full-queue policy was already set
     */
    public Builder blockWhenFull(Duration timeout) {
      return fullPolicy(FullQueuePolicy.BLOCK, Checks.positiveNanos(timeout, "timeout"));
    }

    /**
     * Runs the first attempt of a job submitted to a full queue in the submitting thread.
     *
     * @return this builder
     * @throws IllegalStateException if a full-queue policy was already set
     */
    public Builder runInCallerWhenFull() {
      return fullPolicy(FullQueuePolicy.CALLER_RUNS, 0L);
    }

    private Builder fullPolicy(FullQueuePolicy policy, long timeoutNanos) {
      checkState(!fullPolicySet, "full-queue policy already set");
      this.fullPolicy = policy;
      this.blockTimeoutNanos = timeoutNanos;
      this.fullPolicySet = true;
      return this;
    }

    /**
     * Sets the time source for delays, aging and timeouts; {@link Ticker#system()} if not set.
     *
     * @param ticker the ticker
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     * @throws IllegalStateException if already set
     */
    public Builder ticker(Ticker ticker) {
      Objects.requireNonNull(ticker, "ticker");
      checkState(this.ticker == null, "ticker already set");
      this.ticker = ticker;
      return this;
    }

    /**
     * Sets the wall clock that {@link Submission#repeatOn cron jobs} read their times from; the
     * system clock if not set. Only its {@link Clock#instant()} is used (the zone comes with each
     * job), once each time a cron occurrence is placed, under the scheduler's lock, so it must be
     * fast and must not block. Everything else, the wait for a cron time included, runs on the
     * {@link #ticker ticker}. A test derives both from one fake ticker.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     * @throws IllegalStateException if already set
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      checkState(this.clock == null, "clock already set");
      this.clock = clock;
      return this;
    }

    /**
     * Sets the aging step: a waiting job gains one priority level per {@code step} waited. One
     * second if not set.
     *
     * @param step positive, at most 365 days
     * @return this builder
     * @throws NullPointerException if {@code step} is null
     * @throws IllegalArgumentException if {@code step} is not positive or too long
     * @throws IllegalStateException if aging was already set
     */
    public Builder aging(Duration step) {
      long nanos = Checks.positiveNanos(step, "step");
      if (nanos > MAX_AGING_STEP_NANOS) {
        throw new IllegalArgumentException("step must be at most 365 days: " + step);
      }
      checkState(!agingSet, "aging already set");
      this.agingStepNanos = nanos;
      this.agingSet = true;
      return this;
    }

    /**
     * Turns aging off: strict priorities, first in first out within one. A continuous flood of
     * higher priorities then starves lower ones.
     *
     * @return this builder
     * @throws IllegalStateException if aging was already set
     */
    public Builder noAging() {
      checkState(!agingSet, "aging already set");
      this.agingStepNanos = 0L;
      this.agingSet = true;
      return this;
    }

    /**
     * Records the wait and run times of one job in {@code oneIn} instead of every job (the
     * default), chosen by job id. Each record takes ticker readings at submission, start and end
     * (about 25 ns each with the system ticker on Linux), so a scheduler that needs no reading
     * otherwise (see the package documentation, "Clock readings") runs an unsampled job without
     * any. The percentiles then describe the sample, which at 1 in 16 of a busy scheduler is still
     * thousands of jobs a second.
     *
     * @param oneIn a power of two from 1 (every job) to 2^20
     * @return this builder
     * @throws IllegalArgumentException if {@code oneIn} is not such a power of two
     * @throws IllegalStateException if already set
     */
    public Builder sampleTimings(int oneIn) {
      if (oneIn < 1 || oneIn > 1 << 20 || Integer.bitCount(oneIn) != 1) {
        throw new IllegalArgumentException("oneIn must be a power of two from 1 to 2^20: " + oneIn);
      }
      checkState(timingMask < 0, "sampleTimings already set");
      this.timingMask = oneIn - 1L;
      return this;
    }

    /**
     * Sets the retry policy of jobs submitted without one; {@link RetryPolicy#none()} if not set.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     * @throws IllegalStateException if already set
     */
    public Builder defaultRetryPolicy(RetryPolicy policy) {
      Objects.requireNonNull(policy, "policy");
      checkState(!retrySet, "default retry policy already set");
      this.retry = policy;
      this.retrySet = true;
      return this;
    }

    /**
     * Sets the per-attempt timeout of jobs submitted without one ({@link Submission#timeout}); none
     * if not set. Jobs that use the defaults share one options object, so a timeout set here costs
     * no allocation per job, where one set per job costs 48 B.
     *
     * @param timeout positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     * @throws IllegalStateException if already set
     */
    public Builder defaultTimeout(Duration timeout) {
      long nanos = Checks.positiveNanos(timeout, "timeout");
      checkState(timeoutNanos == 0, "default timeout already set");
      this.timeoutNanos = nanos;
      return this;
    }

    /**
     * Sets the source of jitter for retry delays; {@link ThreadLocalRandom} if not set. It is
     * called under the scheduler's lock, so it need not be thread-safe. Tests pass a fixed one.
     *
     * @param random the generator; its {@code nextDouble()} is used
     * @return this builder
     * @throws NullPointerException if {@code random} is null
     * @throws IllegalStateException if already set
     */
    public Builder random(RandomGenerator random) {
      Objects.requireNonNull(random, "random");
      checkState(this.random == null, "random already set");
      this.random = random;
      return this;
    }

    /**
     * Sets the listener for job events.
     *
     * @param listener the listener
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    public Builder listener(JobListener listener) {
      Objects.requireNonNull(listener, "listener");
      checkState(this.listener == null, "listener already set");
      this.listener = listener;
      return this;
    }

    /**
     * Sets the handler for jobs out of attempts.
     *
     * @param handler the handler
     * @return this builder
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalStateException if already set
     */
    public Builder deadLetterHandler(DeadLetterHandler handler) {
      Objects.requireNonNull(handler, "handler");
      checkState(this.deadLetters == null, "dead-letter handler already set");
      this.deadLetters = handler;
      return this;
    }

    /**
     * Sets the store of pending jobs; {@link JobStore#inMemory()} if not set. The store must be
     * empty and used by this scheduler only.
     *
     * @param store the store
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     * @throws IllegalStateException if already set
     */
    public Builder store(JobStore store) {
      Objects.requireNonNull(store, "store");
      checkState(this.store == null, "store already set");
      this.store = store;
      return this;
    }

    /**
     * Sets the factory of worker threads; named non-daemon threads if not set (a JVM does not exit
     * with accepted jobs still queued).
     *
     * @param factory the factory
     * @return this builder
     * @throws NullPointerException if {@code factory} is null
     * @throws IllegalStateException if already set
     */
    public Builder threadFactory(ThreadFactory factory) {
      Objects.requireNonNull(factory, "factory");
      checkState(this.threadFactory == null, "thread factory already set");
      this.threadFactory = factory;
      return this;
    }

    /**
     * Builds the scheduler and starts its workers.
     *
     * @return a running scheduler
     */
    public JobScheduler build() {
      if (ticker == null) {
        ticker = Ticker.system();
      }
      if (clock == null) {
        clock = WallClock.system();
      }
      JobScheduler scheduler = new JobScheduler(this);
      scheduler.start();
      return scheduler;
    }

    private static void checkState(boolean ok, String message) {
      if (!ok) {
        throw new IllegalStateException(message);
      }
    }
  }
}
