package dev.sysblocks.cache;

import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The one way to create a {@link Cache}: choose a maximum size, and optionally a policy, a
 * time-to-live and a clock.
 *
 * <pre>{@code
 * Cache<Long, String> cache =
 *     CacheBuilder.newBuilder()
 *         .maximumSize(1_000)
 *         .policy(EvictionPolicy.SIEVE)
 *         .expireAfterWrite(Duration.ofMinutes(5))
 *         .build();
 * }</pre>
 *
 * <p>Each setting may be made once; a second call throws {@link IllegalStateException}. Bad values
 * fail at once, naming the setting: {@code maximumSize(0)} throws {@code IllegalArgumentException:
 * maximumSize must be positive: 0}. A builder is not thread-safe; the caches it builds are, and it
 * may build several independent caches.
 */
public final class CacheBuilder {

  private static final long UNSET = -1;

  private long maximumSize = UNSET;
  private EvictionPolicy policy;
  private Duration expireAfterWrite;
  private Ticker ticker;
  private boolean recordStats;
  private Executor executor;

  private CacheBuilder() {}

  /**
   * Starts a builder with no settings made.
   *
   * @return a new builder
   */
  public static CacheBuilder newBuilder() {
    return new CacheBuilder();
  }

  /**
   * Sets the maximum number of entries (required). Once pending bookkeeping is applied the cache
   * holds at most this many.
   *
   * @param maximumSize the bound, positive
   * @return this builder
   * @throws IllegalArgumentException if {@code maximumSize} is zero or negative
   * @throws IllegalStateException if already set
   */
  public CacheBuilder maximumSize(long maximumSize) {
    if (this.maximumSize != UNSET) {
      throw new IllegalStateException("maximumSize already set: " + this.maximumSize);
    }
    if (maximumSize <= 0) {
      throw new IllegalArgumentException("maximumSize must be positive: " + maximumSize);
    }
    this.maximumSize = maximumSize;
    return this;
  }

  /**
   * Sets the eviction policy (default {@link EvictionPolicy#LRU}).
   *
   * @param policy the policy
   * @return this builder
   * @throws NullPointerException if {@code policy} is null
   * @throws IllegalStateException if already set
   */
  public CacheBuilder policy(EvictionPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    if (this.policy != null) {
      throw new IllegalStateException("policy already set: " + this.policy);
    }
    this.policy = policy;
    return this;
  }

  /**
   * Makes entries expire a fixed time after they were last written (put or loaded). An expired
   * entry is never returned; it is removed when it is next read or when the policy evicts it, and
   * counts as an eviction then. Without this setting entries never expire, and the cache never
   * reads the clock on a hit.
   *
   * @param timeToLive how long an entry lives after its last write, positive
   * @return this builder
   * @throws NullPointerException if {@code timeToLive} is null
   * @throws IllegalArgumentException if {@code timeToLive} is zero or negative
   * @throws IllegalStateException if already set
   */
  public CacheBuilder expireAfterWrite(Duration timeToLive) {
    Objects.requireNonNull(timeToLive, "timeToLive");
    if (this.expireAfterWrite != null) {
      throw new IllegalStateException("expireAfterWrite already set: " + this.expireAfterWrite);
    }
    if (timeToLive.isNegative() || timeToLive.isZero()) {
      throw new IllegalArgumentException("timeToLive must be positive: " + timeToLive);
    }
    this.expireAfterWrite = timeToLive;
    return this;
  }

  /**
   * Sets the clock that expiry and load times are measured with (default {@link Ticker#system()});
   * tests pass a {@link dev.sysblocks.core.FakeTicker}.
   *
   * @param ticker the time source
   * @return this builder
   * @throws NullPointerException if {@code ticker} is null
   * @throws IllegalStateException if already set
   */
  public CacheBuilder ticker(Ticker ticker) {
    Objects.requireNonNull(ticker, "ticker");
    if (this.ticker != null) {
      throw new IllegalStateException("ticker already set");
    }
    this.ticker = ticker;
    return this;
  }

  /**
   * Sets the executor that runs the cache's maintenance: replaying buffered reads and writes into
   * the eviction order, and evicting (LRU and CAFFEINE policies; SIEVE and S3_FIFO, whose writes
   * are buffered and replayed the same way). By default the thread that fills a buffer or writes
   * does it, and on one thread the LRU order and the SIEVE and S3-FIFO queues are then exact.
   *
   * <p>With a pool ({@code ForkJoinPool.commonPool()} is Caffeine's own default), readers hand that
   * work off and return at once, which can make hits faster where cores are left over for the pool;
   * on the 2-core machine here it did not (CacheGetPutBenchmark, two threads, all hits: 134 ns
   * against 91 with the default). Reads recorded while a drain is pending are dropped, so the order
   * is less exact under load: replaying the shared traces on 2 threads, LRU moved by -4.4 to +23.7
   * points against exact LRU (evictions lag behind writes), where same-thread maintenance stays
   * within about 0.25 (ConcurrentLruTraceHitRatioTest).
   *
   * @param executor runs maintenance tasks; if it rejects one, the caller does the work
   * @return this builder
   * @throws NullPointerException if {@code executor} is null
   * @throws IllegalStateException if already set
   */
  public CacheBuilder executor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    if (this.executor != null) {
      throw new IllegalStateException("executor already set");
    }
    this.executor = executor;
    return this;
  }

  /**
   * Counts hits, misses, evictions and loads for {@link Cache#stats()}. Off by default, as in
   * Caffeine and Guava: counting costs every read an atomic increment (a {@link
   * java.util.concurrent.atomic.LongAdder} cell), which caches that nobody monitors should not pay.
   *
   * @return this builder
   * @throws IllegalStateException if already called
   */
  public CacheBuilder recordStats() {
    if (recordStats) {
      throw new IllegalStateException("recordStats already set");
    }
    recordStats = true;
    return this;
  }

  /**
   * Builds a new, empty cache with these settings.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return a new cache
   * @throws IllegalStateException if {@link #maximumSize(long)} was not set
   */
  public <K, V> Cache<K, V> build() {
    return buildCache();
  }

  /** Builds the cache as its base class, for this package's strategies (same checks). */
  <K, V> AbstractCache<K, V> buildCache() {
    if (maximumSize == UNSET) {
      throw new IllegalStateException("maximumSize is required");
    }
    Ticker clock = tickerOrSystem();
    long ttlNanos = timeToLiveNanos();
    EvictionPolicy chosen = policy == null ? EvictionPolicy.LRU : policy;
    return switch (chosen) {
      case LRU -> new LruCache<>(maximumSize, ttlNanos, clock, recordStats, executorOrDefault());
      case SIEVE ->
          new SieveCache<>(maximumSize, ttlNanos, clock, recordStats, executorOrDefault());
      case S3_FIFO ->
          new S3FifoCache<>(maximumSize, ttlNanos, clock, recordStats, executorOrDefault());
      case CAFFEINE ->
          new CaffeineCache<>(maximumSize, ttlNanos, clock, recordStats, executorOrDefault());
    };
  }

  /** Runs a task at once on the calling thread: the default executor. */
  private static final Executor SAME_THREAD = Runnable::run;

  /** The executor set, or the calling thread. */
  Executor executorOrDefault() {
    return executor == null ? SAME_THREAD : executor;
  }

  /** The clock the built caches read: the one set, or the system's. */
  Ticker tickerOrSystem() {
    return ticker == null ? Ticker.system() : ticker;
  }

  /** The time-to-live in nanoseconds, or 0 when entries never expire. */
  long timeToLiveNanos() {
    return expireAfterWrite == null ? 0 : saturatedNanos(expireAfterWrite);
  }

  /** Durations beyond about 292 years mean "never" and are capped rather than overflowing. */
  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
