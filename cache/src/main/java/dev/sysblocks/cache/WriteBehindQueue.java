package dev.sysblocks.cache;

import dev.sysblocks.core.Sleeper;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue and the flusher behind {@link WriteBehindCache}: acknowledged writes, coalesced per
 * key, sent to the store in batches by size or age, retried with backoff, dead-lettered after the
 * budget, drained on close.
 */
final class WriteBehindQueue<K, V> {

  /*
   * Write-behind: acknowledge now, store later, lose nothing you acknowledged
   * =========================================================================
   * Problem. A database write costs a round trip (0.2 to 2 ms); write-through makes every caller
   * pay it and the database execute one statement per write. Write-behind acknowledges a write
   * once it is in memory and lets the store catch up in batches. Done naively it goes wrong in
   * four ways: (1) a failed batch is dropped (Ehcache 3) or logged and lost (Caffeine's example),
   * so an acknowledged write vanishes; (2) retries, or two batches in flight, let an older value
   * of a key land after a newer one, and the store ends up with the old value; (3) a store that
   * stays down makes the queue grow without bound (Hazelcast re-queues failures forever, past its
   * queue's capacity), until the heap is gone; (4) an entry evicted before its write is flushed
   * is reloaded from the store, and the reader gets the value from before its own write.
   *
   * Idea. Keep per key at most two versions: one in flight (inside a store call) and one queued.
   * A write of a key whose version is queued replaces that version's value in place (coalescing:
   * it takes no room and keeps its place in line); otherwise it creates a new version, and that
   * needs room in a bounded queue (back-pressure). Versions wait in line by the age of their
   * oldest write; a batch is the oldest `batchSize` of them, sent when that many wait, or when the
   * oldest is `maxWriteDelay` old, or when flush or close asks. Exactly one batch is in flight at
   * a time, so a key's newer version can only be sent after the store call carrying its older
   * one has returned: versions reach the store in acknowledgement order (2).
   *
   *               write (coalesce if queued)
   *                 |
   *                 v            batch taken              store call ok
   *   [queued] --------------------------------> [in flight] ------------> (stored, forgotten)
   *      ^  ^                                        |  |
   *      |  |   fail, budget left: wait U[0,cap)     |  |  fail, budget spent or not retryable
   *      |  +----------- [backoff] <-----------------+  +-------------------> dead letter
   *      |
   *      +-- a newer write of a key in flight queues here, and if the flight fails it inherits
   *          the failure count and backoff (the old value is obsolete, never retried over it)
   *
   * A failed version is retried (1) with exponential backoff and full jitter [1], one draw per
   * failed batch so that the batch retries together; after `maxAttempts` store calls it goes to
   * the dead-letter handler, newest value per key, and is counted before the handler runs, so a
   * throwing handler cannot lose the accounting. A key written again while its write waits for a
   * retry keeps the retry count: the budget bounds how long a key can stay unwritten, not how many
   * values it sees (3). Readers consult `newest`, a concurrent map from key to its newest held
   * version, before the store (4); a version leaves it only after the store call that wrote it
   * returned, or when it is dead-lettered.
   *
   * Worked example. 500 active users, their last-seen time updated 2,000 times a second in total.
   * Write-through: 2,000 statements a second. Here, with batchSize 100 and maxWriteDelay 1 s: each
   * user's updates within a flush coalesce, the queue never holds more than about 500 versions,
   * and the store sees a few writeAll calls of up to 100 rows a second -- hundreds of times fewer
   * statements. If the store is down for 30 s, the queue still holds about 500 versions (every
   * new update coalesces into its user's waiting version); the batches back off (caps 0.1, 0.2,
   * 0.4 ... 10 s with the defaults); the next attempt after the store returns (at most one cap,
   * 10 s, later) writes each user's newest time once -- not 60,000 stale updates -- and nothing is
   * dead-lettered, because the default budget covers about 31 s on average (WriteBehindBuilder).
   * A crash during those 30 s loses the 500 waiting versions: that is write-behind's price.
   *
   * Invariant. Per key: at most one version in flight and one queued, the queued one newer; a
   * version is in exactly one of `ready`, `backoff` or the batch in flight, and in `held` (keyed
   * by its first write's sequence number) until it is stored, dead-lettered or replaced. Every
   * acknowledged write is stored, coalesced into a newer write, dead-lettered, or held:
   * acknowledged = stored + coalesced + deadLettered + depth. `newest` maps a key to its newest
   * held version exactly while it has one. At most one batch is in flight.
   *
   * Cost. A write: the key's guard (GuardedCache), then under the queue lock a HashMap lookup and,
   * for a new version, two TreeMap inserts (O(log n), n = queue depth) and a ConcurrentHashMap
   * put; a coalescing write is a lookup and a field write. A batch of b versions: O(b log n) under
   * the lock to take it and to settle it, and the store call outside the lock. A read that misses
   * the cache adds one ConcurrentHashMap lookup before the store. Not benchmarked: the store's
   * round trip, which this saves, dominates by orders of magnitude. The single queue lock is held
   * for a few map operations per write, so it serializes writers only briefly; a store that
   * absorbs fewer writes than they make is the limit, and back-pressure is how it shows.
   *
   * Concurrency. One ReentrantLock guards the queue; `newest`, the version values (volatile) and
   * the counters are read without it. Lock order: a writer holds its key's guard, then the queue
   * lock; the flusher takes only the queue lock, so they cannot deadlock. A writer waits for room
   * before taking its key's guard, so readers of that key are never stuck behind a full queue.
   * User code -- the store, the retry predicate, the dead-letter handler -- never runs under
   * either lock. Waits are Condition.awaitNanos, re-reading the ticker at least every 20 ms so a
   * fake ticker moved by a test is noticed; with manualFlushing (tests) no thread runs at all:
   * runOnce() is one flush cycle at the ticker's reading, and flush/close run cycles on the
   * caller, sleeping out backoff with an injected Sleeper.
   *
   * Alternatives. Write-through (StrategyCache) loses nothing on a crash and costs a round trip
   * per write; write-around the same without caching. Several batches in flight would raise
   * throughput against a slow store, at the price of a per-key in-flight set to keep (2); one is
   * enough for a store that takes batches. Versioned writes in the store (UPDATE ... WHERE
   * version < ?) would enforce (2) even across processes but need a column the DataStore SPI does
   * not have. A durable queue (a Kafka topic, an outbox table) removes the crash loss and costs
   * the round trip write-behind exists to avoid. Ehcache 3 [2] drops a failed batch and evicts
   * its keys; Caffeine's RxJava example [3] buffers without a bound and loses a failing batch;
   * Hazelcast [4] re-adds failed entries at the head of the queue on every run, without a limit.
   *
   * References.
   *  [1] M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015,
   *      https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
   *  [2] Ehcache 3, BatchingLocalHeapWriteBehindQueue, https://github.com/ehcache/ehcache3/blob/
   *      master/ehcache-impl/src/main/java/org/ehcache/impl/internal/loaderwriter/writebehind/
   *      BatchingLocalHeapWriteBehindQueue.java
   *  [3] Caffeine, write-behind example, https://github.com/ben-manes/caffeine/tree/master/
   *      examples/write-behind-rxjava
   *  [4] Hazelcast, StoreWorker (reAddFailedStoreOperationsToQueues), https://github.com/
   *      hazelcast/hazelcast/blob/master/hazelcast/src/main/java/com/hazelcast/map/impl/
   *      mapstore/writebehind/StoreWorker.java
   */

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindQueue.class);

  /**
   * Longest a wait for a ticker reading (a batch's age, a retry's time, a deadline) lasts before
   * the ticker is read again: 20 ms, as in the scheduler. With the system ticker waits are woken by
   * signals and end on time, so this only bounds a missed wake-up; with a fake ticker moved by a
   * test it is the latency of noticing the move.
   */
  static final long TICKER_POLL_NANOS = 20_000_000L;

  private static final AtomicInteger THREAD_SERIAL = new AtomicInteger();

  // --- settings ----------------------------------------------------------------------------------

  private final DataStore<K, V> store;
  private final Ticker ticker;
  private final long origin; // ticker reading at construction: times below are nanos since it
  private final int capacity;
  private final int batchSize;
  private final long maxDelayNanos;
  private final long blockNanos;
  private final int maxAttempts;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final Predicate<? super Throwable> retryOn;
  private final DoubleSupplier jitter; // uniform in [0, 1); drawn on the flushing thread
  private final DeadLetterHandler<K, V> deadLetterHandler;
  private final Sleeper manualSleeper; // null: a flusher thread runs the batches

  // --- state guarded by lock -----------------------------------------------------------------

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workArrived = lock.newCondition(); // the flusher waits here
  private final Condition progress = lock.newCondition(); // writers, flush and close wait here
  private final ReentrantLock closeLock = new ReentrantLock(); // one close at a time
  private final HashMap<K, KeyState<K, V>> keys = new HashMap<>();
  private final TreeMap<Long, Version<K, V>> ready = new TreeMap<>(); // by first sequence number
  private final PriorityQueue<Version<K, V>> backoff =
      new PriorityQueue<>(WriteBehindQueue::byRetryTime);
  private final TreeMap<Long, Version<K, V>> held = new TreeMap<>(); // every version not settled
  private long lastSeq; // sequence number of the last acknowledged write
  private long flushUpTo; // versions whose first write is at or below this are due now
  private Batch<K, V> inFlight;
  private int undelivered; // dead-lettered writes not yet handed to the handler
  private boolean closed; // writes are refused
  private boolean terminated; // closed and settled: the flusher ends

  // --- read without the lock -----------------------------------------------------------------

  private final ConcurrentHashMap<K, Version<K, V>> newest = new ConcurrentHashMap<>();
  private final AtomicInteger depth = new AtomicInteger(); // == held.size(), for stats
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  WriteBehindQueue(
      DataStore<K, V> store,
      Ticker ticker,
      int capacity,
      int batchSize,
      long maxDelayNanos,
      long blockNanos,
      int maxAttempts,
      long initialBackoffNanos,
      long maxBackoffNanos,
      Predicate<? super Throwable> retryOn,
      DoubleSupplier jitter,
      DeadLetterHandler<K, V> deadLetterHandler,
      Sleeper manualSleeper) {
    this.store = store;
    this.ticker = ticker;
    this.origin = ticker.read();
    this.capacity = capacity;
    this.batchSize = batchSize;
    this.maxDelayNanos = maxDelayNanos;
    this.blockNanos = blockNanos;
    this.maxAttempts = maxAttempts;
    this.initialBackoffNanos = initialBackoffNanos;
    this.maxBackoffNanos = maxBackoffNanos;
    this.retryOn = retryOn;
    this.jitter = jitter;
    this.deadLetterHandler = deadLetterHandler;
    this.manualSleeper = manualSleeper;
  }

  /** A key's write not yet stored: the newest value of one or more acknowledged writes. */
  static final class Version<K, V> {
    final K key;
    private volatile V value; // null: a delete; written under the lock, read by readers without
    long firstSeq; // sequence number of the oldest write merged into this version
    long enqueuedAt; // when that write was acknowledged
    int failures; // failed store calls of the key's pending write so far
    long retryAt; // in backoff: not sent before this
    Throwable lastFailure;

    Version(K key, V value, long seq, long now) {
      this.key = key;
      this.value = value;
      this.firstSeq = seq;
      this.enqueuedAt = now;
    }

    /** The value to store, or null for a delete. */
    V value() {
      return value;
    }
  }

  /**
   * A key's versions: the one inside a store call, and the newer one waiting (either may be null).
   */
  private static final class KeyState<K, V> {
    Version<K, V> inFlight;
    Version<K, V> queued;
  }

  /** The versions of one flush cycle, split into one writeAll and single deletes. */
  private static final class Batch<K, V> {
    final List<Version<K, V>> puts = new ArrayList<>();
    final List<Version<K, V>> deletes = new ArrayList<>();
    final Map<K, V> putMap = new LinkedHashMap<>();
    boolean abandoned; // close gave up on it; its outcome is ignored

    int size() {
      return puts.size() + deletes.size();
    }
  }

  private static int byRetryTime(Version<?, ?> a, Version<?, ?> b) {
    int c = Long.compare(a.retryAt, b.retryAt);
    return c != 0 ? c : Long.compare(a.firstSeq, b.firstSeq);
  }

  /** The handler used when none is set: logs a count and the cause at ERROR. */
  static <K, V> DeadLetterHandler<K, V> loggingHandler() {
    return (writes, cause) ->
        LOG.error(
            "write-behind gave up on {} writes and no dead-letter handler is set: they are lost",
            writes.size(),
            cause);
  }

  // --- the flusher ---------------------------------------------------------------------------

  /** Starts the flusher on {@code executor}, or on a new daemon thread if it is null. */
  void start(Executor executor) {
    Runnable flusher = this::runFlusher;
    if (executor == null) {
      Thread t = new Thread(flusher, "sysblocks-write-behind-" + THREAD_SERIAL.incrementAndGet());
      t.setDaemon(true); // a JVM exiting without close() loses the queue, as a crash would
      t.start();
    } else {
      executor.execute(flusher);
    }
  }

  private void runFlusher() {
    boolean interruptLogged = false;
    while (true) {
      try {
        if (runOnce()) {
          continue;
        }
        lock.lock();
        try {
          if (terminated) {
            return;
          }
          long now = now();
          promoteDueRetries(now);
          if (inFlight == null && due(now)) {
            continue;
          }
          long wake = nextWake(now);
          if (wake == Long.MAX_VALUE) {
            workArrived.await(); // nothing held: only a write, flush or close can make work
          } else {
            workArrived.awaitNanos(Math.min(wake - now, TICKER_POLL_NANOS));
          }
        } finally {
          lock.unlock();
        }
      } catch (InterruptedException e) {
        if (!interruptLogged) {
          LOG.warn("write-behind flusher interrupted; it keeps running until the cache is closed");
          interruptLogged = true;
        }
      } catch (RuntimeException e) {
        LOG.error("write-behind flusher failed a cycle; it keeps running", e);
      }
    }
  }

  /**
   * Runs one flush cycle at the ticker's current reading: if a batch is due (full, old enough, or
   * asked for by flush or close) and none is in flight, takes it, writes it on the calling thread,
   * settles the outcome and hands any dead letters over.
   *
   * @return whether a batch ran
   */
  boolean runOnce() {
    Batch<K, V> batch;
    lock.lock();
    try {
      if (inFlight != null || terminated) {
        return false;
      }
      long now = now();
      promoteDueRetries(now);
      if (!due(now)) {
        return false;
      }
      batch = takeBatch();
    } finally {
      lock.unlock();
    }
    Throwable putFailure = null;
    if (!batch.putMap.isEmpty()) {
      try {
        store.writeAll(Collections.unmodifiableMap(batch.putMap));
      } catch (RuntimeException | Error e) { // an Error too: the accounting must survive it
        putFailure = e;
      }
    }
    Throwable[] deleteFailures = new Throwable[batch.deletes.size()];
    for (int i = 0; i < deleteFailures.length; i++) {
      try {
        store.delete(batch.deletes.get(i).key);
      } catch (RuntimeException | Error e) {
        deleteFailures[i] = e;
      }
    }
    // User code (the retry predicate, the jitter source) runs here, outside the lock.
    boolean putRetryable = putFailure != null && retryable(putFailure);
    boolean[] deleteRetryable = new boolean[deleteFailures.length];
    boolean anyFailure = putFailure != null;
    for (int i = 0; i < deleteFailures.length; i++) {
      if (deleteFailures[i] != null) {
        anyFailure = true;
        deleteRetryable[i] = retryable(deleteFailures[i]);
      }
    }
    double draw = anyFailure ? jitter.getAsDouble() : 0.0;
    Map<Throwable, List<PendingWrite<K, V>>> dead;
    lock.lock();
    try {
      dead = settle(batch, putFailure, putRetryable, deleteFailures, deleteRetryable, draw);
    } finally {
      lock.unlock();
    }
    deliver(dead);
    return true;
  }

  private boolean retryable(Throwable failure) {
    try {
      return retryOn.test(failure);
    } catch (RuntimeException e) {
      LOG.warn("write-behind retryOn predicate threw; treating {} as not retryable", failure, e);
      return false;
    }
  }

  // --- under the lock: the state machine -----------------------------------------------------

  private long now() {
    return ticker.read() - origin; // non-negative for 292 years, so plain comparisons work
  }

  private static long plus(long a, long b) { // a, b >= 0
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private void promoteDueRetries(long now) {
    while (!backoff.isEmpty() && backoff.peek().retryAt <= now) {
      Version<K, V> v = backoff.poll();
      ready.put(v.firstSeq, v);
    }
  }

  private boolean due(long now) {
    if (ready.isEmpty()) {
      return false;
    }
    Map.Entry<Long, Version<K, V>> oldest = ready.firstEntry();
    return ready.size() >= batchSize
        || oldest.getKey() <= flushUpTo
        || now - oldest.getValue().enqueuedAt >= maxDelayNanos;
  }

  /** When a batch may next become due by time alone, or Long.MAX_VALUE if none can. */
  private long nextWake(long now) {
    long wake = Long.MAX_VALUE;
    if (!ready.isEmpty()) {
      wake = plus(ready.firstEntry().getValue().enqueuedAt, maxDelayNanos);
    }
    if (!backoff.isEmpty()) {
      wake = Math.min(wake, backoff.peek().retryAt);
    }
    return Math.max(wake, now + 1);
  }

  private Batch<K, V> takeBatch() {
    Batch<K, V> b = new Batch<>();
    while (b.size() < batchSize && !ready.isEmpty()) {
      Version<K, V> v = ready.pollFirstEntry().getValue();
      KeyState<K, V> s = keys.get(v.key);
      s.queued = null;
      s.inFlight = v; // from here on its value is fixed: a new write makes a new version
      V value = v.value;
      if (value == null) {
        b.deletes.add(v);
      } else {
        b.puts.add(v);
        b.putMap.put(v.key, value);
      }
    }
    batches.incrementAndGet();
    inFlight = b;
    return b;
  }

  private Map<Throwable, List<PendingWrite<K, V>>> settle(
      Batch<K, V> b,
      Throwable putFailure,
      boolean putRetryable,
      Throwable[] deleteFailures,
      boolean[] deleteRetryable,
      double draw) {
    if (b.abandoned) {
      return Map.of(); // close handed these writes to the dead letter when its deadline passed
    }
    inFlight = null;
    long now = now();
    Map<Throwable, List<PendingWrite<K, V>>> dead = new LinkedHashMap<>();
    for (Version<K, V> v : b.puts) {
      settle(v, putFailure, putRetryable, now, draw, dead);
    }
    for (int i = 0; i < deleteFailures.length; i++) {
      settle(b.deletes.get(i), deleteFailures[i], deleteRetryable[i], now, draw, dead);
    }
    progress.signalAll();
    return dead;
  }

  private void settle(
      Version<K, V> v,
      Throwable failure,
      boolean retryable,
      long now,
      double draw,
      Map<Throwable, List<PendingWrite<K, V>>> dead) {
    KeyState<K, V> s = keys.get(v.key);
    s.inFlight = null;
    if (failure == null) {
      stored.incrementAndGet();
      release(v);
    } else {
      int failures = v.failures + 1;
      Version<K, V> newer = s.queued; // written while v was in flight: always in `ready`
      if (newer != null) {
        // v is obsolete: never retry it over a newer value. The newer write takes v's place in
        // line (its first write's age and sequence, which flush() waits on) and its retry state.
        release(v);
        coalesced.incrementAndGet();
        ready.remove(newer.firstSeq);
        held.remove(newer.firstSeq);
        newer.firstSeq = v.firstSeq;
        newer.enqueuedAt = v.enqueuedAt;
        newer.failures = failures;
        newer.lastFailure = failure;
        held.put(newer.firstSeq, newer);
        if (retryable) {
          newer.retryAt = plus(now, backoffNanos(failures, draw));
          backoff.add(newer);
          retries.incrementAndGet();
        } else {
          ready.put(newer.firstSeq, newer); // v's error need not apply to the newer value
        }
      } else if (!retryable || failures >= maxAttempts) {
        deadLetter(v, failure, dead);
      } else {
        v.failures = failures;
        v.lastFailure = failure;
        v.retryAt = plus(now, backoffNanos(failures, draw));
        s.queued = v;
        backoff.add(v);
        retries.incrementAndGet();
      }
    }
    if (s.inFlight == null && s.queued == null) {
      keys.remove(v.key);
    }
  }

  /** The wait before the next attempt after {@code failures} failed ones: U[0,1) x the cap. */
  private long backoffNanos(int failures, double draw) {
    int shift = failures - 1;
    long cap;
    if (shift >= Long.SIZE - 2 || initialBackoffNanos > (maxBackoffNanos >> shift)) {
      cap = maxBackoffNanos; // the doubling has passed the cap (and would overflow soon)
    } else {
      cap = Math.min(maxBackoffNanos, initialBackoffNanos << shift);
    }
    return (long) (draw * cap);
  }

  /** Forgets a version that was stored, replaced or dead-lettered. */
  private void release(Version<K, V> v) {
    held.remove(v.firstSeq);
    depth.decrementAndGet();
    newest.remove(v.key, v); // only if no newer version of the key took its place
  }

  private void deadLetter(
      Version<K, V> v, Throwable cause, Map<Throwable, List<PendingWrite<K, V>>> dead) {
    release(v);
    deadLettered.incrementAndGet(); // counted before the handler runs: it may throw
    undelivered++;
    dead.computeIfAbsent(cause, c -> new ArrayList<>()).add(new PendingWrite<>(v.key, v.value));
  }

  /** Dead-letters everything still held (close's deadline passed); returns it grouped by cause. */
  private Map<Throwable, List<PendingWrite<K, V>>> abandonAll(long timeoutNanos) {
    TimeoutException late =
        new TimeoutException(
            "not written before the close deadline of " + Duration.ofNanos(timeoutNanos));
    Map<Throwable, List<PendingWrite<K, V>>> dead = new LinkedHashMap<>();
    for (KeyState<K, V> s : keys.values()) {
      Version<K, V> last = s.queued;
      if (last == null) {
        last = s.inFlight;
      } else if (s.inFlight != null) {
        release(s.inFlight); // replaced by the queued one: only the newest is dead-lettered
        coalesced.incrementAndGet();
      }
      deadLetter(last, last.lastFailure != null ? last.lastFailure : late, dead);
    }
    keys.clear();
    ready.clear();
    backoff.clear();
    if (inFlight != null) {
      inFlight.abandoned = true; // a store call still running: its outcome will be ignored
      inFlight = null;
    }
    return dead;
  }

  /** Hands dead letters to the handler, outside the lock; a throwing handler is logged, counted. */
  private void deliver(Map<Throwable, List<PendingWrite<K, V>>> dead) {
    if (dead.isEmpty()) {
      return;
    }
    int total = 0;
    for (List<PendingWrite<K, V>> writes : dead.values()) {
      total += writes.size();
    }
    try {
      for (Map.Entry<Throwable, List<PendingWrite<K, V>>> group : dead.entrySet()) {
        List<PendingWrite<K, V>> writes = Collections.unmodifiableList(group.getValue());
        try {
          deadLetterHandler.deadLettered(writes, group.getKey());
        } catch (RuntimeException | Error e) {
          handlerFailures.incrementAndGet();
          LOG.error(
              "write-behind dead-letter handler threw; the {} writes it was given still count as"
                  + " dead-lettered",
              writes.size(),
              e);
        }
      }
    } finally {
      lock.lock();
      try {
        undelivered -= total;
        progress.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  // --- writers -------------------------------------------------------------------------------

  /** The ticker reading (as nanos since construction) until which a writer may wait for room. */
  long writeDeadline() {
    return plus(now(), blockNanos);
  }

  /**
   * Returns once a write of {@code key} would be accepted: there is room, or the key has a version
   * waiting that the write would replace. Holds no key lock while waiting.
   *
   * @throws WriteQueueFullException at the deadline, or if interrupted
   * @throws IllegalStateException if the queue is closed
   */
  void awaitRoom(K key, long deadline) {
    lock.lock();
    try {
      while (true) {
        checkOpen();
        if (hasRoomFor(key)) {
          return;
        }
        long now = now();
        if (now >= deadline) {
          rejected.incrementAndGet();
          throw new WriteQueueFullException(
              String.format(
                  "write-behind queue full: %d writes queued (maxQueueSize %d) for the whole %s;"
                      + " the write was not acknowledged",
                  depth.get(), capacity, Duration.ofNanos(blockNanos)),
              null);
        }
        try {
          pause(progress, deadline - now);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          rejected.incrementAndGet();
          throw new WriteQueueFullException(
              "interrupted while waiting for room in the write-behind queue; the write was not"
                  + " acknowledged",
              e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Acknowledges a write of {@code key} ({@code value} null: a delete) if it fits: it replaces the
   * key's waiting version, or becomes a new one if there is room. Called under the key's guard.
   *
   * @return false, changing nothing, if the queue is full (another writer took the room)
   * @throws IllegalStateException if the queue is closed
   */
  boolean offer(K key, V value) {
    lock.lock();
    try {
      checkOpen();
      KeyState<K, V> s = keys.get(key);
      if (s != null && s.queued != null) {
        s.queued.value = value; // coalesce: same place in line, same retry state
        coalesced.incrementAndGet();
      } else {
        if (depth.get() >= capacity) {
          return false;
        }
        long seq = lastSeq + 1;
        Version<K, V> v = new Version<>(key, value, seq, now());
        if (s == null) {
          s = new KeyState<>();
          keys.put(key, s);
        }
        s.queued = v;
        ready.put(seq, v);
        held.put(seq, v);
        depth.incrementAndGet();
        newest.put(key, v);
        if (ready.size() == 1 || ready.size() >= batchSize) {
          workArrived.signal(); // a first write starts the age clock; a full batch is due now
        }
      }
      lastSeq++;
      acknowledged.incrementAndGet();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean hasRoomFor(K key) {
    if (depth.get() < capacity) {
      return true;
    }
    KeyState<K, V> s = keys.get(key);
    return s != null && s.queued != null;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "write-behind cache is closed; the write was not acknowledged");
    }
  }

  // --- readers -------------------------------------------------------------------------------

  /** The newest write of {@code key} not yet stored, or null: read without a lock. */
  Version<K, V> pending(K key) {
    return newest.get(key);
  }

  WriteBehindStats stats() {
    return new WriteBehindStats(
        depth.get(),
        acknowledged.get(),
        coalesced.get(),
        stored.get(),
        batches.get(),
        retries.get(),
        deadLettered.get(),
        handlerFailures.get(),
        rejected.get());
  }

  // --- flush and close -----------------------------------------------------------------------

  void flush(long timeoutNanos) throws InterruptedException, TimeoutException {
    long target;
    long deadline;
    lock.lock();
    try {
      target = lastSeq;
      flushUpTo = Math.max(flushUpTo, target);
      deadline = plus(now(), timeoutNanos);
      workArrived.signalAll();
    } finally {
      lock.unlock();
    }
    if (!awaitSettled(target, deadline)) {
      int left;
      lock.lock();
      try {
        left = held.headMap(target, true).size();
      } finally {
        lock.unlock();
      }
      throw new TimeoutException(
          "flush: "
              + left
              + " queued writes acknowledged before the call were neither stored nor dead-lettered"
              + " within "
              + Duration.ofNanos(timeoutNanos)
              + "; they stay queued");
    }
  }

  List<PendingWrite<K, V>> close(long timeoutNanos) throws InterruptedException {
    closeLock.lockInterruptibly();
    try {
      long deadline;
      lock.lock();
      try {
        if (terminated) {
          return List.of();
        }
        closed = true;
        flushUpTo = Long.MAX_VALUE;
        deadline = plus(now(), timeoutNanos);
        workArrived.signalAll();
        progress.signalAll(); // writers waiting for room now fail: the queue is closed
      } finally {
        lock.unlock();
      }
      boolean drained = awaitSettled(Long.MAX_VALUE, deadline);
      Map<Throwable, List<PendingWrite<K, V>>> left;
      lock.lock();
      try {
        left = drained ? Map.of() : abandonAll(timeoutNanos);
        terminated = true;
        workArrived.signalAll();
        progress.signalAll();
      } finally {
        lock.unlock();
      }
      deliver(left);
      List<PendingWrite<K, V>> unwritten = new ArrayList<>();
      for (List<PendingWrite<K, V>> writes : left.values()) {
        unwritten.addAll(writes);
      }
      return Collections.unmodifiableList(unwritten);
    } finally {
      closeLock.unlock();
    }
  }

  /**
   * Waits until every version whose first write is at or below {@code target} is settled and every
   * dead letter delivered; without a flusher thread, runs the batches itself.
   *
   * @return false if {@code deadline} passed first
   */
  private boolean awaitSettled(long target, long deadline) throws InterruptedException {
    while (true) {
      if (manualSleeper != null && runOnce()) {
        continue;
      }
      lock.lock();
      try {
        if (undelivered == 0 && (held.isEmpty() || held.firstKey() > target)) {
          return true;
        }
        long now = now();
        if (now >= deadline) {
          return false;
        }
        long wait = deadline - now;
        if (manualSleeper != null) {
          promoteDueRetries(now);
          if (inFlight == null && due(now)) {
            continue;
          }
          wait = Math.min(wait, nextWake(now) - now);
        }
        pause(progress, wait);
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Waits on {@code condition} (holding the lock on entry and return). Without a flusher thread and
   * with nothing in progress on another thread, sleeps with the injected sleeper instead: a fake
   * ticker jumps to the next event instead of a test waiting for it. Every caller re-checks its
   * condition in a loop around this call, so a spurious or early return is harmless.
   */
  @SuppressWarnings("WaitNotInLoop") // the loops are in the callers, see above
  private void pause(Condition condition, long nanos) throws InterruptedException {
    if (manualSleeper == null || inFlight != null || undelivered > 0) {
      condition.awaitNanos(Math.min(nanos, TICKER_POLL_NANOS));
      return;
    }
    lock.unlock();
    try {
      manualSleeper.sleepNanos(nanos);
    } finally {
      lock.lock();
    }
  }
}
