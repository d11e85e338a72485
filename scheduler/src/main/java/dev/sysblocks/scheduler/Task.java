package dev.sysblocks.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted job: the scheduler's record of it, its store entry and the user's {@link JobHandle},
 * in one object of 56 B (JDK 17, compressed oops). Its status and attempts are written under the
 * scheduler's lock and read without it, hence volatile; the PendingJob numbers are written under
 * it, or before the task is shared (the inbox's push publishes them).
 */
final class Task<T> extends PendingJob implements JobHandle<T> {

  /*
   * Problem. Every submission allocates its Task, so its size is the scheduler's allocation per
   * job: 104 B per plain submit, plus a 64 B Attempt per run (SchedulerSubmitAllocationTest and
   * SchedulerThroughputBenchmark -prof gc, JDK 17, 168 B per job in all against a
   * ThreadPoolExecutor's 32 B). The target: at most 64 B per submit, less per run; at
   * exactly 64 B, the benchmark's share of the pool's own allocations (a parked worker's queue
   * node) still showed 65 B per job.
   *
   * Idea. Keep in the Task only what every job needs, and move what some jobs need to objects
   * that exist only for them. The layout that results (JOL, compressed oops, 8 B alignment):
   *
   *   offset  size  field                       offset  size  field
   *        0    12  object header                   40     4  options (priority, scheduler...)
   *       12     4  progress (status, attempts)     44     4  result (future, or outcome)
   *       16     8  id (PendingJob)                 48     4  job
   *       24     8  runAtNanos (PendingJob)         52     4  nextInInbox
   *       32     8  sequence (PendingJob)                     = 56 B
   *
   * What went, 48 B in all:
   *   - the scheduler: into TaskOptions, one per scheduler for the jobs that set no option (a job
   *     that sets one pays 48 B for its own); the occurrence, its attempts and the fixed-rate grid
   *     time (16 B) into the Recurrence that only a recurring job has. 20 B.
   *   - the dispatch key: with aging it is runAt - origin - priority * step, without it 9 -
   *     priority, so key() computes it when a store asks (in memory: a few times per job, as it
   *     joins and heads its priority's queue). 8 B.
   *   - the value and the failure: the future is made by the first result(), and until then its
   *     field holds the outcome of a job that has already ended (the value, boxed only if it is
   *     itself a CompletableFuture; the failure; NO_VALUE for null, cancelled, returned). 8 B.
   *   - the running attempt: a pool worker reuses one Attempt for every job it runs, so nothing
   *     points from the task to it; cancelling a running job finds it by walking the scheduler's
   *     list of unsettled attempts, at most one per worker and per caller running a job. 4 B,
   *     and the 64 B Attempt per run.
   *   - the priority: into TaskOptions, whose shared instances are one per priority. 4 B.
   *   - the status and the attempts: one int, the status's ordinal in its low 3 bits, attempts
   *     above (progress). One-shot jobs count at most maxAttempts, which RetryPolicy keeps below
   *     2^29; a recurring job's count, unbounded, is kept in its Recurrence. 4 B. As a bonus, 0
   *     means queued with no attempt, so the constructor writes no volatile field (no fence).
   * Worked example, one plain job through a pool worker: submit allocates the 56 B Task and
   * nothing else; the worker takes it, fills its own Attempt, runs the job, settles; the task's
   * result field gets the value. A later result() allocates the 24 B future, already completed.
   *
   * Invariant. result is written only by compare-and-exchange; it holds a CompletableFuture only
   * if result() installed it (an outcome is never a bare CompletableFuture), and only
   * completeFuture, called once per task after the final status is written, installs anything
   * else.
   *
   * Concurrency. Two parties, one field, one rule: whoever comes second does the completing.
   * completeFuture exchanges null for the outcome: if it finds a future instead, a caller came
   * first, and it completes that future. result() exchanges what it saw for a new future; if it saw
   * an outcome it first completes the new future from it, reading the status after the outcome
   * (the status was written before the outcome's exchange, so it is final). A failed exchange
   * means the other party, or another caller, came in between, and the loop looks again. So a
   * future handed out is completed exactly once, with the job's outcome, whether it was asked for
   * before, during or after the end (JobResultTest, JobResultRaceStressTest).
   *
   * Cost. Allocation per plain job: 56 B at submit, 0 B per run on a pool worker
   * (SchedulerSubmitAllocationTest; a job run by a caller still gets a 64 B Attempt). Reads: the
   * dispatch key and the priority are two dependent loads instead of one; the status and the
   * attempts a mask or a shift; cancelling a running job walks the running attempts instead of
   * following one pointer.
   *
   * Alternatives. A union field for the inbox link and the running attempt: saves 4 B, at the
   * price of casts on every use. A 32-bit sequence compared with wrap-around: 4 B, but a job
   * delayed past 2^31 later submissions would sort as new. Recycling tasks: a handle outlives its
   * job, so a task cannot be reused safely.
   *
   * References.
   *  [1] JOL, Java Object Layout, https://github.com/openjdk/jol
   *  [2] CompletableFuture, https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/concurrent/CompletableFuture.html
   */

  final Job<T> job;
  final TaskOptions options; // shared with every job of its scheduler that sets none

  /**
   * One field for the future and the outcome, written only by compare-and-exchange ({@link
   * #RESULT}): null while nobody asked and the job has not ended; a {@link CompletableFuture}, the
   * one {@link #result()} handed out; otherwise the outcome of a job that ended before anyone asked
   * ({@link #encode}), from which a completed future is made on demand. Most submitters never ask,
   * and a future made up for a tenth of the bytes a submission allocated (24 of 272 B); the outcome
   * shares the field so that the value and the failure need none of their own (8 B).
   */
  private volatile Object result;

  /**
   * The status's ordinal in the low {@value #STATUS_BITS} bits, the attempts started above them (a
   * recurring job's are counted in its Recurrence instead: see beginAttempt). 0 is QUEUED before
   * any attempt, so a new task leaves it unwritten. Written under the lock: plain read, then a
   * release write ({@link #PROGRESS}), read anywhere with volatile reads. Release is all a reader
   * needs (seeing a status, it sees what was written before it), and on x86 it is a plain store,
   * where a volatile write adds a fence: three to four fewer fences per job inside the lock.
   */
  private volatile int progress;

  static final int STATUS_BITS = 3;
  private static final int STATUS_MASK = (1 << STATUS_BITS) - 1;

  /** The most attempts a one-shot job's count can hold; RetryPolicy allows no more. */
  static final int MAX_ATTEMPTS = (1 << (Integer.SIZE - STATUS_BITS)) - 1; // read with >>>

  private static final JobStatus[] STATUSES = JobStatus.values();

  Task<?> nextInInbox; // the scheduler's lock-free inbox; see JobScheduler.submitToInbox

  /** The outcome of a job that succeeded with null, or that was cancelled or returned. */
  private static final Object NO_VALUE = new Object();

  private static final VarHandle RESULT;
  private static final VarHandle PROGRESS;

  static {
    try {
      RESULT = MethodHandles.lookup().findVarHandle(Task.class, "result", Object.class);
      PROGRESS = MethodHandles.lookup().findVarHandle(Task.class, "progress", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  Task(Job<T> job, TaskOptions options) {
    this.job = job;
    this.options = options;
  }

  /** With aging a function of the run-at reading, so the task need not store it. */
  @Override
  long key() {
    return options.owner.dispatchKey(options.priority, runAtNanos);
  }

  @Override
  public int priority() {
    return options.priority;
  }

  /** Sets the status, keeping the attempts. Under the scheduler's lock. */
  @SuppressWarnings("EnumOrdinal") // an in-memory encoding only, decoded by STATUSES just below
  void setStatus(JobStatus status) {
    int p = (int) PROGRESS.get(this); // plain: only lock holders write it
    int next = (p & ~STATUS_MASK) | status.ordinal();
    if (next != p) { // a new task is QUEUED already: the inbox's drain writes nothing
      PROGRESS.setRelease(this, next);
    }
  }

  /**
   * Counts an attempt as started. Under the scheduler's lock.
   *
   * @return its number within the occurrence, from 1 (a one-shot job has one occurrence)
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // written only under the scheduler's lock
  int beginAttempt() {
    Recurrence r = options.recurrence;
    if (r != null) {
      r.attempts++;
      return ++r.occurrenceAttempts;
    }
    int p = (int) PROGRESS.get(this) + (1 << STATUS_BITS); // at most MAX_ATTEMPTS: RetryPolicy
    PROGRESS.setRelease(this, p);
    return p >>> STATUS_BITS;
  }

  /** Which occurrence is current: always 1 for a job that runs once. Guarded. */
  int occurrence() {
    Recurrence r = options.recurrence;
    return r == null ? 1 : r.occurrence;
  }

  /** Attempts of the current occurrence: all of them for a job that runs once. Guarded. */
  int occurrenceAttempts() {
    Recurrence r = options.recurrence;
    return r == null ? progress >>> STATUS_BITS : r.occurrenceAttempts;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public String idempotencyKey() {
    return options.key;
  }

  @Override
  public String tenant() {
    return options.tenant;
  }

  @Override
  public String type() {
    return options.type;
  }

  @Override
  public JobStatus status() {
    return STATUSES[progress & STATUS_MASK];
  }

  @Override
  public int attempts() {
    Recurrence r = options.recurrence;
    return r == null ? progress >>> STATUS_BITS : r.attempts;
  }

  @Override
  public CompletableFuture<T> result() {
    Object seen = result;
    while (true) {
      if (seen instanceof CompletableFuture) {
        @SuppressWarnings("unchecked") // only result() installs a future, a CompletableFuture<T>
        CompletableFuture<T> asked = (CompletableFuture<T>) seen;
        return asked;
      }
      CompletableFuture<T> created = new CompletableFuture<>();
      if (seen != null) {
        // An outcome: completeFuture wrote the final status before it, and we read that after.
        complete(created, status(), decodeValue(seen), seen);
      }
      Object witness = RESULT.compareAndExchange(this, seen, created);
      if (witness == seen) {
        return created;
      }
      seen = witness; // another caller created it first, or the job ended meanwhile
    }
  }

  @Override
  public boolean cancel() {
    return options.owner.cancel(this);
  }

  /**
   * Completes the future handed out, if any, to match the final status; otherwise records the
   * outcome for a future made later. Called once, outside the lock, after the status became final.
   * The one compare-and-exchange from null decides: either a caller's future was installed first
   * (this completes it) or the outcome was (a later caller completes its own from it), so a future
   * is completed exactly once, and never missed.
   */
  void completeFuture(JobStatus finalStatus, Object value, Throwable failure) {
    Object witness = RESULT.compareAndExchange(this, null, encode(finalStatus, value, failure));
    if (witness != null) {
      @SuppressWarnings("unchecked") // nothing but result()'s future is there before the outcome
      CompletableFuture<T> asked = (CompletableFuture<T>) witness;
      complete(asked, finalStatus, value, failure);
    }
  }

  /**
   * The outcome as stored in {@link #result}: the value of a success, the failure of a failed or
   * dead-lettered job, {@link #NO_VALUE} otherwise. Never a bare {@code CompletableFuture}, the
   * mark of a future handed out: a value that is one (a job's result may be) is boxed, which
   * allocates, in that case only.
   */
  private static Object encode(JobStatus finalStatus, Object value, Throwable failure) {
    return switch (finalStatus) {
      case SUCCEEDED ->
          value == null ? NO_VALUE : value instanceof CompletableFuture ? new Boxed(value) : value;
      case FAILED, DEAD_LETTERED -> failure;
      default -> NO_VALUE;
    };
  }

  /** The value of a success from its stored outcome (the status says what the outcome is). */
  private static Object decodeValue(Object outcome) {
    return outcome == NO_VALUE ? null : outcome instanceof Boxed b ? b.value : outcome;
  }

  @SuppressWarnings("unchecked") // the value is the job's own result, a T
  private void complete(
      CompletableFuture<T> future, JobStatus finalStatus, Object value, Object failure) {
    switch (finalStatus) {
      case SUCCEEDED -> future.complete((T) value);
      case FAILED, DEAD_LETTERED -> future.completeExceptionally((Throwable) failure);
      case CANCELLED -> future.cancel(false);
      case RETURNED ->
          future.completeExceptionally(
              new CancellationException("job " + id + " returned unstarted by shutdownNow"));
      default -> throw new AssertionError("not a final status: " + finalStatus);
    }
  }

  /** A successful value that is itself a CompletableFuture, kept apart from a future handed out. */
  private record Boxed(Object value) {}

  @Override
  public String toString() {
    return "Job{id="
        + id
        + ", priority="
        + options.priority
        + (options.key == null ? "" : ", key=" + options.key)
        + ", status="
        + status()
        + ", attempts="
        + attempts()
        + "}";
  }
}
