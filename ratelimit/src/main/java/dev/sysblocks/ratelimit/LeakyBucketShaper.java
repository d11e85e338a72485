package dev.sysblocks.ratelimit;

import dev.sysblocks.core.Sleeper;
import dev.sysblocks.core.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A leaky bucket used as a queue: tasks go in at any pace, up to a queue capacity, and come out one
 * per emission interval, evenly spaced, never in a burst. For outbound traffic that a partner
 * limits ("at most 10 calls per second, and do not burst"): the limiters of this package decide
 * whether a request may pass; this one makes it pass later, at a constant rate.
 *
 * <pre>{@code
 * try (LeakyBucketShaper shaper =
 *     LeakyBucketShaper.builder(Limit.of(10, Duration.ofSeconds(1))).queueCapacity(100).build()) {
 *   CompletableFuture<Void> sent = shaper.submit(() -> partner.call(request));
 *   // completes when the task has run; fails with RejectedExecutionException if the queue is full
 * }
 * }</pre>
 *
 * <p>Tasks run one at a time on the shaper's own thread, in submission order, each at its slot: a
 * task that takes longer than the interval delays the ones behind it (hand long work to an executor
 * from the task). A task's exception fails its future and nothing else. Thread-safe: submission
 * takes a short lock.
 */
public final class LeakyBucketShaper implements AutoCloseable {

  /*
   * Problem. A token bucket admits bursts: ten permits saved up leave at once. A downstream that
   * wants evenly spaced requests (a partner API's "10 per second", a network link, a printer)
   * needs the burst spread out instead: traffic shaping rather than policing.
   *
   * Idea. The leaky bucket as a queue (Turner 1986): requests enter a bucket of capacity Q and
   * leak out at a constant rate, one every T = P / N. Each task is given its departure time when
   * it enters:
   *
   *     departure = max(now, previous departure + T)
   *
   * and the bucket is full when that departure is Q slots or more away. This is GCRA with a burst
   * of one, applied to departures instead of admissions.
   *
   *   submitted:  |||||        |                     (a burst of 5, then one)
   *   departs:    |  |  |  |  |  |                   (one every T, in order)
   *               0  T  2T 3T 4T 5T
   *
   * Worked example. 10 per second (T = 100 ms), queue capacity 3: five tasks at t = 0 get slots 0,
   * 100 and 200 ms; the fourth would leave at 300 ms, 3 slots away, and is refused, as is the fifth.
   * A task submitted at t = 1 s leaves at once: the bucket drained meanwhile.
   *
   * Invariant. Departures are at least T apart and in submission order; at most Q tasks are
   * waiting at any time; every accepted task runs (or, after shutdownNow, is returned).
   *
   * Cost. submit: a lock, O(1). A dedicated thread sleeps until each departure through the
   * injected Sleeper. Memory: the queue, at most Q entries. Not benchmarked: the cost that matters
   * is the spacing, which LeakyBucketShaperTest checks under a fake clock.
   *
   * Concurrency. Submitters serialize on one lock for the few instructions that compute a
   * departure and enqueue; the worker takes the lock only to peek and remove, and runs tasks and
   * completes futures outside it.
   *
   * Alternatives. TokenBucketLimiter.acquire (callers wait on their own threads, bursts up to the
   * capacity allowed), GcraLimiter with capacity 1 and reserve(1, Q * T) (the same schedule,
   * without a thread: the caller sleeps), Guava's RateLimiter.acquire (callers sleep, one stored
   * second of burst by default).
   *
   * References.
   *  [1] J. Turner, "New directions in communications (or which way to the information age?)",
   *      IEEE Communications Magazine 24(10), 1986.
   *  [2] A. Tanenbaum, "Computer Networks", 5th ed., section 5.4.2, "Traffic shaping".
   */

  private final Ticker ticker;
  private final Sleeper sleeper;
  private final long interval;
  private final int queueCapacity;
  private final long horizon;
  private final Thread worker;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private long lastDeparture; // guarded by lock; meaningful once `started`
  private boolean started; // guarded by lock
  private boolean closed; // guarded by lock
  private long lastStart = Long.MIN_VALUE; // the worker thread's own: when the last task started

  /** A task with its departure time (ticker reading) and its future. */
  private record Pending(Runnable task, long departure, CompletableFuture<Void> done) {}

  private LeakyBucketShaper(Builder b) {
    this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
    this.sleeper =
        b.sleeper != null ? b.sleeper : ticker instanceof Sleeper s ? s : Sleeper.system();
    this.interval = GcraLimiter.intervalOf(b.rate);
    this.queueCapacity = b.queueCapacity;
    // How far ahead the last queued departure may be; saturated (a 100-year interval times 2^31).
    this.horizon =
        queueCapacity > Long.MAX_VALUE / interval ? Long.MAX_VALUE : queueCapacity * interval;
    ThreadFactory factory =
        b.threadFactory != null
            ? b.threadFactory
            : r -> {
              Thread t = new Thread(r, "sysblocks-leaky-bucket");
              t.setDaemon(true);
              return t;
            };
    this.worker = factory.newThread(this::drain);
    worker.start();
  }

  /**
   * Starts building a shaper that lets tasks out at {@code rate}'s permits per period (its capacity
   * is ignored: a shaper never bursts).
   *
   * @param rate the outflow
   * @return a builder
   * @throws NullPointerException if {@code rate} is null
   */
  public static Builder builder(Limit rate) {
    return new Builder(Objects.requireNonNull(rate, "rate"));
  }

  /** Settings of a {@link LeakyBucketShaper}. */
  public static final class Builder {
    private final Limit rate;
    private int queueCapacity = 1_000;
    private Ticker ticker;
    private Sleeper sleeper;
    private ThreadFactory threadFactory;

    private Builder(Limit rate) {
      this.rate = rate;
    }

    /**
     * Sets how many tasks may wait (default 1,000); a task that would make more is refused.
     *
     * @param queueCapacity at least 1
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /**
     * Sets the clock (default {@link Ticker#system()}) and, if it is also a {@link Sleeper} (as a
     * {@code FakeTicker} is), the way the shaper's thread waits.
     *
     * @param ticker the time source
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     * @throws IllegalStateException if already set
     */
    public Builder ticker(Ticker ticker) {
      if (this.ticker != null) {
        throw new IllegalStateException("ticker already set");
      }
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets how the shaper's thread waits for a departure (default: see {@link #ticker}).
     *
     * @param sleeper the sleeper
     * @return this builder
     * @throws NullPointerException if {@code sleeper} is null
     * @throws IllegalStateException if already set
     */
    public Builder sleeper(Sleeper sleeper) {
      if (this.sleeper != null) {
        throw new IllegalStateException("sleeper already set");
      }
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets the factory of the shaper's one thread (default: a daemon thread named {@code
     * sysblocks-leaky-bucket}).
     *
     * @param threadFactory the factory
     * @return this builder
     * @throws NullPointerException if {@code threadFactory} is null
     * @throws IllegalStateException if already set
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      if (this.threadFactory != null) {
        throw new IllegalStateException("threadFactory already set");
      }
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
      return this;
    }

    /**
     * Builds the shaper and starts its thread.
     *
     * @return a new shaper
     * @throws IllegalArgumentException if the rate has no usable emission interval (see {@link
     *     GcraLimiter})
     */
    public LeakyBucketShaper build() {
      return new LeakyBucketShaper(this);
    }
  }

  /**
   * Queues {@code task} to run at the next free slot.
   *
   * @param task the task
   * @return a future completed when the task has run (exceptionally if it threw); already failed
   *     with {@link RejectedExecutionException} if the queue is full or the shaper closed
   * @throws NullPointerException if {@code task} is null
   */
  public CompletableFuture<Void> submit(Runnable task) {
    Objects.requireNonNull(task, "task");
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new RejectedExecutionException("shaper closed"));
      }
      long now = ticker.read();
      long departure =
          started && lastDeparture + interval - now > 0 ? lastDeparture + interval : now;
      if (departure - now >= horizon || queue.size() >= queueCapacity) {
        return CompletableFuture.failedFuture(
            new RejectedExecutionException(
                "queue full: "
                    + queue.size()
                    + " tasks wait (capacity "
                    + queueCapacity
                    + "), next slot in "
                    + (departure - now)
                    + " ns"));
      }
      Pending p = new Pending(task, departure, new CompletableFuture<>());
      lastDeparture = departure;
      started = true;
      queue.addLast(p);
      changed.signalAll();
      return p.done;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the tasks waiting now.
   *
   * @return the queue length
   */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting tasks, lets every queued task leave at its slot, and waits for the last one to
   * run. Must not be called from a task: the shaper's thread would wait for itself.
   *
   * @throws IllegalStateException if interrupted while waiting (the interrupt flag is set again)
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while draining the shaper", e);
    }
  }

  /**
   * Stops accepting tasks, cancels the futures of the queued ones and returns them, unrun. A task
   * running at that moment is interrupted, as {@code ExecutorService.shutdownNow} does.
   *
   * @return the tasks that had not started, in queue order
   */
  public List<Runnable> shutdownNow() {
    List<Runnable> unrun = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      for (Pending p : queue) {
        unrun.add(p.task);
        p.done.cancel(false);
      }
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    worker.interrupt(); // wakes a sleep until the next departure
    return unrun;
  }

  /** The shaper's thread: waits for each task's slot, runs it, completes its future. */
  @SuppressWarnings("ReferenceEquality") // the very entry taken before sleeping, not an equal one
  private void drain() {
    for (; ; ) {
      Pending next;
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          changed.awaitUninterruptibly();
        }
        next = queue.peekFirst();
        if (next == null) {
          return; // closed and drained
        }
      } finally {
        lock.unlock();
      }
      // Its slot, and never sooner than one interval after the previous start: a task that overran
      // its interval delays the ones behind it instead of letting them leave in a burst.
      long start =
          lastStart != Long.MIN_VALUE && lastStart + interval - next.departure > 0
              ? lastStart + interval
              : next.departure;
      try {
        for (long wait = start - ticker.read(); wait > 0; ) {
          sleeper.sleepNanos(wait);
          wait = start - ticker.read();
        }
      } catch (InterruptedException e) {
        continue; // shutdownNow emptied the queue; look again
      }
      lock.lock();
      try {
        if (queue.peekFirst() != next) {
          continue; // removed by shutdownNow while sleeping
        }
        queue.removeFirst();
      } finally {
        lock.unlock();
      }
      if (next.done.isCancelled()) {
        continue; // its caller cancelled the future: the slot goes unused
      }
      lastStart = ticker.read();
      try {
        next.task.run();
        next.done.complete(null);
      } catch (RuntimeException | Error e) {
        next.done.completeExceptionally(e);
      }
    }
  }

  @Override
  public String toString() {
    return "LeakyBucketShaper[one per " + interval + " ns, " + queued() + " queued]";
  }
}
