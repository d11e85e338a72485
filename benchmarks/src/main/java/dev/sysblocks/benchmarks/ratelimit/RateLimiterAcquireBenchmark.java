package dev.sysblocks.benchmarks.ratelimit;

import dev.sysblocks.core.Ticker;
import dev.sysblocks.ratelimit.GcraLimiter;
import dev.sysblocks.ratelimit.Limit;
import dev.sysblocks.ratelimit.TokenBucketLimiter;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What does one "may this request pass?" cost, when permits are plentiful and when the limiter is
 * saturated, on one thread and with two threads sharing one limiter?
 *
 * <p><b>Measures</b>: average time of {@code tryAcquire()} for one permit, for our token bucket and
 * GCRA.{@code plentiful}: 5 * 10^8 per second with a burst as large, so every call passes (the pure
 * overhead of the bookkeeping). {@code saturated}: 1 per second, burst 1, so nearly every call is
 * refused. Ours against Guava's {@code RateLimiter} ({@code tryAcquire()}, a lock), Bucket4j's
 * default local bucket (lock-free, greedy refill, millisecond clock) and Resilience4j's {@code
 * AtomicRateLimiter} ({@code acquirePermission()} with a zero timeout; it refills a whole period's
 * permits at once). {@code baseline-ticker} only reads our clock: every limiter here reads a clock
 * once per call, so this is the floor. With {@code -prof gc}: bytes allocated per call.
 *
 * <p><b>Pitfalls avoided</b>: every result is returned; the two-thread variants share one limiter
 * instance (one {@code Scope.Benchmark} state), which is the contended case users hit; each impl
 * runs in its own fork so every call site is monomorphic.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar RateLimiterAcquire -prof gc}, or
 * {@code ./bench quick RateLimiterAcquire} for the ratio table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimiterAcquireBenchmark {

  @Param({
    "sysblocks-tokenBucket",
    "sysblocks-gcra",
    "guava-rateLimiter",
    "bucket4j-bucket",
    "resilience4j-atomic",
    "baseline-ticker"
  })
  public String impl;

  @Param({"plentiful", "saturated"})
  public String load;

  private Acquirer limiter;

  /** The one operation every implementation is measured on. */
  interface Acquirer {
    boolean tryAcquire();
  }

  @Setup
  public void setUp() {
    limiter = acquirerFor(impl, load);
  }

  /** One thread: the uncontended cost. */
  @Benchmark
  @Threads(1)
  public boolean oneThread() {
    return limiter.tryAcquire();
  }

  /**
   * Two threads on one limiter (the machine has two cores): the time per call of each thread, so
   * total throughput holds when this equals {@code oneThread}.
   */
  @Benchmark
  @Threads(2)
  public boolean twoThreads() {
    return limiter.tryAcquire();
  }

  static Acquirer acquirerFor(String impl, String load) {
    boolean plentiful =
        switch (load) {
          case "plentiful" -> true;
          case "saturated" -> false;
          default -> throw new IllegalArgumentException("unknown load: " + load);
        };
    // 5 * 10^8 per second rather than 10^9: one permit per nanosecond would take a shortcut in
    // our refill arithmetic that real rates do not (and GCRA needs a whole-nanosecond interval).
    long permits = plentiful ? 500_000_000L : 1;
    Duration period = Duration.ofSeconds(1);
    return switch (impl) {
      case "sysblocks-tokenBucket" -> {
        TokenBucketLimiter ours = TokenBucketLimiter.of(Limit.of(permits, period));
        yield ours::tryAcquire;
      }
      case "sysblocks-gcra" -> {
        GcraLimiter ours = GcraLimiter.of(Limit.of(permits, period));
        yield ours::tryAcquire;
      }
      case "guava-rateLimiter" -> {
        com.google.common.util.concurrent.RateLimiter guava =
            com.google.common.util.concurrent.RateLimiter.create((double) permits);
        yield guava::tryAcquire;
      }
      case "bucket4j-bucket" -> {
        Bucket bucket =
            Bucket.builder()
                .addLimit(limit -> limit.capacity(permits).refillGreedy(permits, period))
                .build();
        yield () -> bucket.tryConsume(1);
      }
      case "resilience4j-atomic" -> {
        AtomicRateLimiter r4j =
            new AtomicRateLimiter(
                "benchmark",
                RateLimiterConfig.custom()
                    .limitForPeriod((int) permits)
                    .limitRefreshPeriod(period)
                    .timeoutDuration(Duration.ZERO)
                    .build());
        yield r4j::acquirePermission;
      }
      case "baseline-ticker" -> {
        Ticker ticker = Ticker.system();
        yield () -> ticker.read() != 42;
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
