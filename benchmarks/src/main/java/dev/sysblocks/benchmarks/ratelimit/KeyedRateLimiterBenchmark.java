package dev.sysblocks.benchmarks.ratelimit;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.sysblocks.benchmarks.runner.ThreadCursor;
import dev.sysblocks.ratelimit.KeyedRateLimiter;
import dev.sysblocks.ratelimit.Limit;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
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
 * What does a per-client limit cost when clients are many and a few are hot?
 *
 * <p><b>Measures</b>: average time of one {@code tryAcquire(clientId)} with a limit of 100 per
 * second per client, for client ids ({@code String}s like {@code "client-4711"}) drawn from a
 * Zipf(1) distribution over {@code keys} = 10^5 and 10^6 distinct clients, on one thread and on two
 * threads sharing the limiter. The hottest clients are refused most of the time, most clients are
 * seen once or twice, so the run mixes admissions, refusals and first sightings. Peer: what one
 * assembles today, a Caffeine {@code LoadingCache} (maximum size {@code keys}, entries expiring one
 * minute after their last access) of Bucket4j buckets, each built with the same limit. {@code
 * sysblocks-keyed-tiers} is ours with a limit per key: clients whose id ends in 0 (one in ten) get
 * 1,000 per second, the others 100, through {@code limitPerKey}, asked once per key.
 *
 * <p><b>Pitfalls avoided</b>: the client ids are built and drawn once in {@code @Setup} (2^20
 * draws, already in random Zipf order), and each thread walks them from its own offset (a {@code
 * Scope.Thread} cursor; the second thread starts 47 % into the draws), so the request itself costs
 * a sequential, prefetched array read and no shared cursor. Until 2026-12-07 a request picked a
 * random index from {@code ThreadLocalRandom} instead: a cache miss into the 4 MB array on every
 * call, the same for both implementations but about 75 ns of the harness's own in each score, which
 * pulled every ratio towards 1 (ours measured 204 ns at 10^5 keys that way, 129 ns with the cursor,
 * in quick runs). The limiter is shared ({@code Scope.Benchmark}) so that two threads contend on it
 * as request threads would; the decision is returned.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar KeyedRateLimiter -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyedRateLimiterBenchmark {

  /** Pre-drawn requests: a power of two, so an index is one mask. */
  private static final int DRAWS = 1 << 20;

  @Param({"sysblocks-keyed", "sysblocks-keyed-tiers", "caffeine-bucket4j"})
  public String impl;

  @Param({"100000", "1000000"})
  public int keys;

  private String[] requests;
  private Acquirer limiter;

  /** One request of one client. */
  interface Acquirer {
    boolean tryAcquire(String clientId);
  }

  @Setup
  public void setUp() {
    String[] clients = new String[keys];
    for (int i = 0; i < keys; i++) {
      clients[i] = "client-" + i;
    }
    double[] cumulative = zipfCumulative(keys);
    SplittableRandom random = new SplittableRandom(0x5eed);
    requests = new String[DRAWS];
    for (int i = 0; i < DRAWS; i++) {
      int rank = Arrays.binarySearch(cumulative, random.nextDouble());
      requests[i] = clients[Math.min(rank < 0 ? -rank - 1 : rank, keys - 1)];
    }
    limiter = acquirerFor(impl, keys);
  }

  @Benchmark
  @Threads(1)
  public boolean oneThread(ThreadCursor cursor) {
    return limiter.tryAcquire(requests[cursor.next() & (DRAWS - 1)]);
  }

  @Benchmark
  @Threads(2)
  public boolean twoThreads(ThreadCursor cursor) {
    return limiter.tryAcquire(requests[cursor.next() & (DRAWS - 1)]);
  }

  /** P(rank <= i) for ranks weighted 1 / (i + 1). */
  private static double[] zipfCumulative(int n) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    return cumulative;
  }

  static Acquirer acquirerFor(String impl, int keys) {
    long permits = 100;
    Duration period = Duration.ofSeconds(1);
    return switch (impl) {
      case "sysblocks-keyed" -> {
        KeyedRateLimiter<String> ours =
            KeyedRateLimiter.<String>builder(Limit.of(permits, period)).maximumKeys(keys).build();
        yield ours::tryAcquire;
      }
      case "sysblocks-keyed-tiers" -> {
        Limit free = Limit.of(permits, period);
        Limit paid = Limit.of(10 * permits, period);
        KeyedRateLimiter<String> ours =
            KeyedRateLimiter.<String>builder(free)
                .limitPerKey(id -> id.endsWith("0") ? paid : free)
                .maximumKeys(keys)
                .build();
        yield ours::tryAcquire;
      }
      case "caffeine-bucket4j" -> {
        LoadingCache<String, Bucket> buckets =
            Caffeine.newBuilder()
                .maximumSize(keys)
                .expireAfterAccess(Duration.ofMinutes(1))
                .build(
                    clientId ->
                        Bucket.builder()
                            .addLimit(
                                limit -> limit.capacity(permits).refillGreedy(permits, period))
                            .build());
        yield clientId -> buckets.get(clientId).tryConsume(1);
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
