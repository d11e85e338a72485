package dev.sysblocks.cache;

import dev.sysblocks.core.Sleeper;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Settings of a {@link WriteBehindCache}, obtained from {@link
 * StoreBackedCacheBuilder#writeBehind()} (which carries the store, the cache settings, negative
 * caching and refresh-ahead).
 *
 * <pre>{@code
 * WriteBehindCache<Long, Order> orders =
 *     StoreBackedCacheBuilder.newBuilder(orderStore, CacheBuilder.newBuilder().maximumSize(50_000))
 *         .writeBehind()
 *         .maxQueueSize(100_000)
 *         .batchSize(1_000)
 *         .maxWriteDelay(Duration.ofMillis(500))
 *         .retry(12, Duration.ofMillis(100), Duration.ofSeconds(10))
 *         .retryOn(e -> !(e instanceof IllegalArgumentException)) // bad data: dead-letter at once
 *         .deadLetterHandler((writes, cause) -> parkForReplay(writes, cause))
 *         .build();
 * }</pre>
 *
 * <p>Every setting has a default: a queue of 10,000 writes, batches of 100 keys flushed when full
 * or when their oldest write is 1 s old, writers blocking up to 1 s on a full queue, 12 attempts
 * with backoff from 100 ms to 10 s (on average about 30 s of store outage before a write is
 * dead-lettered), a dead-letter handler that logs at ERROR, and a daemon flusher thread owned by
 * the cache. Each setting may be made once; a second call throws {@link IllegalStateException}. Not
 * thread-safe; the caches it builds are.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class WriteBehindBuilder<K, V> {

  /*
   * Defaults, and why.
   * - 10,000 queued writes: a bound on the memory a dead store can pin (10,000 keys and values)
   *   and on what a crash loses, large enough that a store pausing for a second under 5,000
   *   writes a second does not block writers.
   * - Batches of 100 keys: a JDBC batch of 100 upserts costs a few ms, about the round trip of one
   *   statement over a network, so per-write cost falls ~100x; larger batches hold row locks
   *   longer.
   * - 1 s maximum write delay: the staleness other readers of the store accept by default, and
   *   the size of the window a crash loses in a healthy system.
   * - 12 attempts, 100 ms doubling to a 10 s cap: caps 0.1, 0.2, ... 6.4 s then 10 s, summing to
   *   62.7 s over the 11 waits; full jitter draws each wait uniformly below its cap, so the budget
   *   covers about 31 s of outage on average (the "store down for 30 s" of the tests).
   */

  static final int DEFAULT_MAX_QUEUE_SIZE = 10_000;
  static final int DEFAULT_BATCH_SIZE = 100;
  static final Duration DEFAULT_MAX_WRITE_DELAY = Duration.ofSeconds(1);
  static final Duration DEFAULT_BLOCK_WHEN_FULL = Duration.ofSeconds(1);
  static final int DEFAULT_MAX_ATTEMPTS = 12;
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  private final StoreBackedCacheBuilder<K, V> parent;
  int maxQueueSize;
  int batchSize;
  Duration maxWriteDelay;
  Duration blockWhenFull;
  int maxAttempts;
  Duration initialBackoff;
  Duration maxBackoff;
  Predicate<? super Throwable> retryOn;
  DeadLetterHandler<K, V> deadLetterHandler;
  Executor flushExecutor;
  Sleeper manualSleeper; // set: no flusher; flush() and close() run batches on the caller
  DoubleSupplier jitter;

  WriteBehindBuilder(StoreBackedCacheBuilder<K, V> parent) {
    this.parent = parent;
  }

  /**
   * Sets the most writes the queue holds (default 10,000); a writer that finds it full blocks (see
   * {@link #blockWhenFull}). A write of a key that already waits in the queue replaces it and takes
   * no room. Also the most a crash can lose.
   *
   * @param maxQueueSize the bound, positive
   * @return this builder
   * @throws IllegalArgumentException if {@code maxQueueSize} is zero or negative
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> maxQueueSize(int maxQueueSize) {
    if (this.maxQueueSize != 0) {
      throw new IllegalStateException("maxQueueSize already set: " + this.maxQueueSize);
    }
    if (maxQueueSize <= 0) {
      throw new IllegalArgumentException("maxQueueSize must be positive: " + maxQueueSize);
    }
    this.maxQueueSize = maxQueueSize;
    return this;
  }

  /**
   * Sets the most keys per batch (default 100, or the maximum queue size if that is smaller): as
   * soon as this many writes wait, they are sent in one batch, without waiting for {@link
   * #maxWriteDelay}. At most {@link #maxQueueSize}.
   *
   * @param batchSize keys per batch, positive
   * @return this builder
   * @throws IllegalArgumentException if {@code batchSize} is zero or negative
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> batchSize(int batchSize) {
    if (this.batchSize != 0) {
      throw new IllegalStateException("batchSize already set: " + this.batchSize);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /**
   * Sets how long a write may wait for its batch to fill (default 1 s): a batch is sent when its
   * oldest write is this old, however few writes it holds. Measured with the cache settings'
   * ticker.
   *
   * @param maxWriteDelay the delay, positive
   * @return this builder
   * @throws NullPointerException if {@code maxWriteDelay} is null
   * @throws IllegalArgumentException if {@code maxWriteDelay} is zero or negative
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> maxWriteDelay(Duration maxWriteDelay) {
    checkPositive(maxWriteDelay, "maxWriteDelay");
    if (this.maxWriteDelay != null) {
      throw new IllegalStateException("maxWriteDelay already set: " + this.maxWriteDelay);
    }
    this.maxWriteDelay = maxWriteDelay;
    return this;
  }

  /**
   * Sets how long a writer waits for room in a full queue before {@link WriteQueueFullException}
   * (default 1 s).
   *
   * @param timeout the longest wait, positive
   * @return this builder
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> blockWhenFull(Duration timeout) {
    checkPositive(timeout, "timeout");
    if (this.blockWhenFull != null) {
      throw new IllegalStateException("blockWhenFull already set: " + this.blockWhenFull);
    }
    this.blockWhenFull = timeout;
    return this;
  }

  /**
   * Sets the retry budget of a failed write: at most {@code maxAttempts} store calls in all, the
   * n-th retry waiting a random time below {@code min(maxBackoff, initialBackoff * 2^(n-1))} (full
   * jitter). A write of the key that arrives meanwhile inherits the count: writing a key again does
   * not buy it a new budget. Defaults: 12, 100 ms, 10 s.
   *
   * <p>Full jitter makes the outage a budget survives random: on average half the sum of the caps.
   * Worked example with the defaults: the 11 waits are capped at 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4,
   * 10, 10, 10 and 10 s (62.7 s), so a write is dead-lettered after about 31 s of failures on
   * average. Raise {@code maxAttempts} for a longer outage: each extra attempt adds about {@code
   * maxBackoff / 2}.
   *
   * @param maxAttempts store calls per write, the first included; at least 1 (1: never retry)
   * @param initialBackoff the cap on the first wait, positive
   * @param maxBackoff the cap on every wait, at least {@code initialBackoff}
   * @return this builder
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException if {@code maxAttempts} or a duration is not positive, or
   *     {@code maxBackoff < initialBackoff}
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> retry(
      int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    checkPositive(initialBackoff, "initialBackoff");
    checkPositive(maxBackoff, "maxBackoff");
    if (this.maxAttempts != 0) {
      throw new IllegalStateException("retry already set: " + this.maxAttempts + " attempts");
    }
    if (maxAttempts <= 0) {
      throw new IllegalArgumentException("maxAttempts must be positive: " + maxAttempts);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff must not be less than initialBackoff: "
              + maxBackoff
              + " < "
              + initialBackoff);
    }
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    return this;
  }

  /**
   * Sets which store errors are worth another attempt (default: every {@link Exception}, no {@link
   * Error}). A write whose store call fails with an error the predicate rejects is dead-lettered at
   * once, unless a newer write of its key already waits (that one is tried instead). The predicate
   * runs on the flushing thread outside every lock; keep it cheap. If it throws, the error counts
   * as not retryable.
   *
   * @param predicate true for an error worth another attempt
   * @return this builder
   * @throws NullPointerException if {@code predicate} is null
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> retryOn(Predicate<? super Throwable> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    if (this.retryOn != null) {
      throw new IllegalStateException("retryOn already set");
    }
    this.retryOn = predicate;
    return this;
  }

  /**
   * Sets who receives the writes that are given up on (default: log them at ERROR through SLF4J,
   * which keeps only a count and the cause: set a handler to keep the data).
   *
   * @param handler receives dead-lettered writes
   * @return this builder
   * @throws NullPointerException if {@code handler} is null
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> deadLetterHandler(DeadLetterHandler<K, V> handler) {
    Objects.requireNonNull(handler, "handler");
    if (this.deadLetterHandler != null) {
      throw new IllegalStateException("deadLetterHandler already set");
    }
    this.deadLetterHandler = handler;
    return this;
  }

  /**
   * Runs the flusher on {@code executor} instead of a daemon thread owned by the cache. The flusher
   * is one long-running task that ends when {@link WriteBehindCache#close} returns: it occupies one
   * thread of the executor for the cache's lifetime (a virtual-thread executor costs nothing here).
   * It ignores interrupts, so shut such an executor down only after closing the cache.
   *
   * @param executor runs the flusher task once, at {@link #build()}
   * @return this builder
   * @throws NullPointerException if {@code executor} is null
   * @throws IllegalStateException if already set
   */
  public WriteBehindBuilder<K, V> flushExecutor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    if (this.flushExecutor != null) {
      throw new IllegalStateException("flushExecutor already set");
    }
    this.flushExecutor = executor;
    return this;
  }

  /**
   * No flusher at all: batches run only when a test calls {@link WriteBehindQueue#runOnce()}, or
   * inside {@link WriteBehindCache#flush} and {@link WriteBehindCache#close} on the caller's
   * thread, which wait out backoff with {@code sleeper} (a {@code FakeTicker}: time jumps instead
   * of passing). For deterministic tests.
   */
  WriteBehindBuilder<K, V> manualFlushing(Sleeper sleeper) {
    this.manualSleeper = Objects.requireNonNull(sleeper, "sleeper");
    return this;
  }

  /** The source of the uniform [0, 1) draws behind full jitter (tests pin it). */
  WriteBehindBuilder<K, V> jitter(DoubleSupplier source) {
    this.jitter = Objects.requireNonNull(source, "source");
    return this;
  }

  /**
   * Builds the cache and starts its flusher.
   *
   * @return a new write-behind cache over the store
   * @throws IllegalArgumentException if the batch size exceeds the maximum queue size, or as {@link
   *     StoreBackedCacheBuilder#build()}
   * @throws IllegalStateException as {@link StoreBackedCacheBuilder#build()}
   * @throws java.util.concurrent.RejectedExecutionException if the {@link #flushExecutor} refuses
   *     the flusher (nothing is started then)
   */
  public WriteBehindCache<K, V> build() {
    int queueSize = maxQueueSize == 0 ? DEFAULT_MAX_QUEUE_SIZE : maxQueueSize;
    int batch = batchSize == 0 ? Math.min(DEFAULT_BATCH_SIZE, queueSize) : batchSize;
    if (batch > queueSize) {
      throw new IllegalArgumentException(
          "batchSize must not exceed maxQueueSize: " + batch + " > " + queueSize);
    }
    GuardedCache<K, V> engine = parent.buildEngine();
    WriteBehindQueue<K, V> queue =
        new WriteBehindQueue<>(
            parent.store(),
            parent.cacheSettings().tickerOrSystem(),
            queueSize,
            batch,
            nanos(maxWriteDelay == null ? DEFAULT_MAX_WRITE_DELAY : maxWriteDelay),
            nanos(blockWhenFull == null ? DEFAULT_BLOCK_WHEN_FULL : blockWhenFull),
            maxAttempts == 0 ? DEFAULT_MAX_ATTEMPTS : maxAttempts,
            nanos(initialBackoff == null ? DEFAULT_INITIAL_BACKOFF : initialBackoff),
            nanos(maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff),
            retryOn == null ? WriteBehindBuilder::isException : retryOn,
            jitter == null ? () -> ThreadLocalRandom.current().nextDouble() : jitter,
            deadLetterHandler == null ? WriteBehindQueue.loggingHandler() : deadLetterHandler,
            manualSleeper);
    if (manualSleeper == null) {
      queue.start(flushExecutor);
    }
    return new WriteBehindStrategyCache<>(parent.store(), engine, queue);
  }

  private static boolean isException(Throwable failure) {
    return failure instanceof Exception;
  }

  static void checkPositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  /** Durations beyond about 292 years mean "never" and are capped rather than overflowing. */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
