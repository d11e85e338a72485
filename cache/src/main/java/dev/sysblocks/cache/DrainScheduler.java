package dev.sysblocks.cache;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Decides when a buffered cache replays its buffers into its policy, and makes sure that exactly
 * one thread does it at a time without any other thread waiting for it. Shared by {@link LruCache},
 * {@link SieveCache} and {@link S3FifoCache}: the cache records events in its buffers, then calls
 * {@link #scheduleAfterWrite()} (a write was buffered) or {@link #schedule()} (a read buffer is
 * full); the scheduler runs the cache's {@code drainOnce} under the eviction lock, on the calling
 * thread or on the executor given.
 */
final class DrainScheduler extends DrainStatusField {

  /*
   * Problem. Many threads record events; one structure (a recency list, FIFO queues) must replay
   * them, under a lock. If every writer took that lock with lock(), writers would park behind one
   * another (a park and unpark cost microseconds, the replay itself a few hundred nanoseconds);
   * if nobody took it after the last event, that event would wait in the buffer forever.
   *
   * Idea. A status word says whether a drain is needed or under way, so that only one is
   * scheduled, and the drain takes the lock with tryLock -- never waiting for it:
   *
   *   IDLE --write, or a full stripe--> PROCESSING_TO_IDLE (task submitted) --drained--> IDLE
   *                                        | a write meanwhile                    ^
   *                                        v                                     | next round
   *                                  PROCESSING_TO_REQUIRED ------ closing CAS fails
   *
   * Invariant. Every event buffered before a status change is seen by the drain that change
   * covers: every transition into PROCESSING_TO_IDLE is a CAS, and the drain opens each round with
   * a getAndSet (a full fence that reads the writer's CAS), so the writer's buffered event is
   * visible to the polls of that round. A drain that loses tryLock leaves REQUIRED: whoever holds
   * the lock is in (or just leaving) a drain of its own, whose closing CAS then fails and which
   * goes round again -- or, if it had already closed, the next read or write that sees REQUIRED
   * schedules a new drain. After MAX_DRAIN_ROUNDS a drainer leaves REQUIRED as well, so that one
   * unlucky caller does not drain for others for ever while writers keep arriving.
   *
   * Worked example (two writers, same-thread executor). A buffers its add, CASes IDLE ->
   * PROCESSING_TO_IDLE, wins tryLock and starts round 1. B buffers its add and finds
   * PROCESSING_TO_IDLE: it CASes it to PROCESSING_TO_REQUIRED and returns at once, without the
   * lock. A's closing CAS (PROCESSING_TO_IDLE -> IDLE) fails, so A goes round again and replays
   * B's add; round 2 closes. Nobody parked.
   *
   * Cost. A write: one volatile read and one CAS on the status (none if a drain is already told to
   * go round again). A read: one opaque read of the status. Status and lock are in this padded
   * object, away from the fields every hit loads, because every drain writes the status.
   *
   * Source. The state machine is the one Caffeine's BoundedLocalCache documents [1], written here
   * from its description.
   *
   * References.
   *  [1] B. Manes, "Design of a modern cache",
   *      http://highscalability.com/blog/2016/1/25/design-of-a-modern-cache.html
   */

  /** Nothing to do, or nothing anyone has asked to be done. */
  static final int IDLE = 0;

  /** Events wait in the buffers and no drain is scheduled: the next read or write schedules one. */
  static final int REQUIRED = 1;

  /** A drain is scheduled or running and has seen every event recorded so far. */
  static final int PROCESSING_TO_IDLE = 2;

  /** A drain is scheduled or running, and a write came after it started: it must go round again. */
  static final int PROCESSING_TO_REQUIRED = 3;

  /**
   * Replays per drain before the drainer leaves the rest to the next caller: bounds the time one
   * unlucky caller spends draining for others when writers keep arriving.
   */
  static final int MAX_DRAIN_ROUNDS = 4;

  /** Right padding of the status, against whatever the JVM allocates next (S8). */
  @SuppressWarnings("unused")
  private long q01, q02, q03, q04, q05, q06, q07, q08;

  /** The eviction lock: whoever holds it owns the cache's policy structures. */
  private final ReentrantLock lock = new ReentrantLock();

  /** One round of the cache's replay: buffers into the policy, then evictions. Lock held. */
  private final Runnable drainOnce;

  /** Runs the drains; Runnable::run runs them on the thread that schedules them. */
  private final Executor executor;

  /** Submitted again and again: preallocated, and a ForkJoinTask so a pool does not wrap it. */
  private final DrainTask task = new DrainTask(this);

  /**
   * @param drainOnce replays the cache's buffers and evicts; called with the lock held
   * @param executor runs drains; {@code Runnable::run} for the calling thread
   */
  DrainScheduler(Runnable drainOnce, Executor executor) {
    this.drainOnce = drainOnce;
    this.executor = executor;
  }

  /** The eviction lock, for work that must wait for it (cleanUp, back-pressure, test hooks). */
  ReentrantLock lock() {
    return lock;
  }

  /** Schedules a drain if one was left REQUIRED; one opaque read otherwise. */
  void scheduleIfRequired() {
    if (getStatusOpaque() == REQUIRED) {
      schedule(); // opaque: a stale IDLE only delays the drain to a later read or write
    }
  }

  /** True if a drain was left REQUIRED; opaque, for readers that decide whether to schedule. */
  boolean isRequired() {
    return getStatusOpaque() == REQUIRED;
  }

  /**
   * After a write was buffered: makes sure a drain will see it. A drain already scheduled or
   * running is told to go round once more (PROCESSING_TO_REQUIRED) instead of scheduling another.
   */
  void scheduleAfterWrite() {
    for (; ; ) {
      int status = getStatusVolatile();
      if (status == PROCESSING_TO_REQUIRED) {
        return;
      }
      if (status == PROCESSING_TO_IDLE) {
        if (compareAndSetStatus(PROCESSING_TO_IDLE, PROCESSING_TO_REQUIRED)) {
          return; // the drain's closing CAS fails and it drains again, this write included
        }
      } else if (compareAndSetStatus(status, PROCESSING_TO_IDLE)) {
        submit();
        return;
      }
    }
  }

  /**
   * Buffers a write and makes sure a drain will see it (scheduleAfterWrite). A full buffer means
   * writers are outrunning the drains: the writer then waits for the lock, drains, and applies its
   * own write with {@code applyLocked} -- back-pressure; a write is never dropped, or the policy's
   * queue would lose a node. Offering again a few times first, pausing between tries as Caffeine's
   * writers do, made S3-FIFO's slow spells on two threads longer here (2026-12-07), so it waits at
   * once.
   */
  <E> void afterWrite(WriteBuffer<E> buffer, E write, Consumer<? super E> applyLocked) {
    if (buffer.offer(write)) {
      scheduleAfterWrite();
      return;
    }
    lock.lock();
    try {
      drainLocked();
      applyLocked.accept(write);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drains everything buffered, under the lock, and returns what {@code read} finds in the policy's
   * state while the lock is still held: the caches' test hooks and snapshots.
   */
  <T> T drainedRead(Supplier<T> read) {
    lock.lock();
    try {
      drainLocked();
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  /** Schedules a drain unless one is scheduled or running (it will see what is buffered now). */
  void schedule() {
    for (; ; ) {
      int status = getStatusVolatile();
      if (status >= PROCESSING_TO_IDLE) {
        return;
      }
      // A CAS, not a plain store: it orders this transition after a writer's IDLE -> REQUIRED, so
      // the drain that follows sees that writer's buffered event.
      if (compareAndSetStatus(status, PROCESSING_TO_IDLE)) {
        submit();
        return;
      }
    }
  }

  private void submit() {
    try {
      executor.execute(task);
    } catch (RuntimeException rejected) {
      // RejectedExecutionException, or any failure of a user's executor: drain here instead, so
      // the status cannot stay PROCESSING with nobody processing.
      run();
    }
  }

  /**
   * The drain as the executor runs it. With tryLock, never waiting: see the Invariant above for why
   * leaving REQUIRED is enough when the lock is taken.
   */
  void run() {
    if (lock.tryLock()) {
      try {
        drainLocked();
      } finally {
        lock.unlock();
      }
    } else {
      setStatusVolatile(REQUIRED);
    }
  }

  /** Waits for the lock and drains: for cleanUp, where the caller wants the exact state. */
  void drainNow() {
    lock.lock();
    try {
      drainLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Drains round after round until no write arrived during a round. Lock held. */
  void drainLocked() {
    for (int round = 1; ; round++) {
      // getAndSet, a full fence: it reads a writer's CAS of the status, so that writer's buffered
      // event is visible to the polls that drainOnce makes.
      getAndSetStatus(PROCESSING_TO_IDLE);
      drainOnce.run();
      if (compareAndSetStatus(PROCESSING_TO_IDLE, IDLE)) {
        return;
      }
      if (round == MAX_DRAIN_ROUNDS) {
        // Writers keep coming: leave the rest to the next read or write, which schedules a drain.
        setStatusVolatile(REQUIRED);
        return;
      }
    }
  }

  /**
   * The drain, as a task that can be submitted any number of times without allocating: a
   * ForkJoinPool runs a ForkJoinTask as it is (a plain Runnable would be wrapped in a new task on
   * every submission, bytes on the read path), and exec() reports "not completed" so the same
   * instance stays runnable. Other executors run it as a Runnable.
   */
  static final class DrainTask extends ForkJoinTask<Void> implements Runnable {
    private static final long serialVersionUID = 1L;

    private final transient DrainScheduler scheduler;

    DrainTask(DrainScheduler scheduler) {
      this.scheduler = scheduler;
    }

    @Override
    public void run() {
      scheduler.run();
    }

    @Override
    protected boolean exec() {
      run();
      return false; // never completes, so that it can be executed again
    }

    @Override
    public Void getRawResult() {
      return null;
    }

    @Override
    protected void setRawResult(Void value) {}
  }
}
