package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many threads hammer one limiter through a series of simulated intervals. Time stands still within
 * an interval (the main thread advances the fake clock between barriers), and every thread keeps
 * asking until refused, so the permits admitted per interval must be exactly what the textbook
 * model holds at that instant: no permit lost, none spent twice.
 */
class TokenBucketConcurrencyTest {

  private static final int THREADS = 8;
  private static final int INTERVALS = 300;

  @Test
  void concurrentCallersAdmitExactlyWhatTheModelAllowsWithOneLimit() throws Exception {
    hammer(List.of(Limit.of(40, Duration.ofSeconds(1)).withCapacity(25)), 1);
  }

  @Test
  void concurrentCallersOnAStripedLimiterAdmitExactlyWhatTheModelAllows() throws Exception {
    // Split before the first interval, so the striped path is hammered whatever the scheduling.
    // Each interval refills a few permits into empty stripes: none is wasted on a full stripe.
    hammer(List.of(Limit.of(40, Duration.ofSeconds(1)).withCapacity(25)), 1, true);
  }

  @Test
  void callersOfDecideAdmitExactlyWhatTheModelAllowsWhileTheLimiterSplits() throws Exception {
    // decide splits the limit after a lost race, as tryAcquire does, at whatever moment that is.
    hammer(List.of(Limit.of(40, Duration.ofSeconds(1)).withCapacity(25)), 1, false, true);
  }

  @Test
  void requestsThatNeedSeveralStripesMergeThemAndStillAdmitExactly() throws Exception {
    hammer(List.of(Limit.of(40, Duration.ofSeconds(1)).withCapacity(25)), 2, true);
  }

  @Test
  void concurrentCallersAdmitExactlyWhatTheModelAllowsWithSeveralLimits() throws Exception {
    hammer(
        List.of(
            Limit.of(40, Duration.ofSeconds(1)).withCapacity(25),
            Limit.of(600, Duration.ofMinutes(1)).withCapacity(100)),
        2);
  }

  private static void hammer(List<Limit> limits, int permitsPerRequest) throws Exception {
    hammer(limits, permitsPerRequest, false);
  }

  private static void hammer(List<Limit> limits, int permitsPerRequest, boolean striped)
      throws Exception {
    hammer(limits, permitsPerRequest, striped, false);
  }

  private static void hammer(
      List<Limit> limits, int permitsPerRequest, boolean striped, boolean decide) throws Exception {
    FakeTicker ticker = FakeTicker.create();
    TokenBucketLimiter.Builder builder = TokenBucketLimiter.builder().ticker(ticker);
    limits.forEach(builder::limit);
    TokenBucketLimiter limiter = builder.build();
    if (striped) {
      limiter.stripeNow();
    }
    List<TokenBucketModel> models = new ArrayList<>();
    limits.forEach(l -> models.add(new TokenBucketModel(l)));

    AtomicLong[] admittedPerInterval = new AtomicLong[INTERVALS];
    for (int i = 0; i < INTERVALS; i++) {
      admittedPerInterval[i] = new AtomicLong();
    }
    CyclicBarrier start = new CyclicBarrier(THREADS + 1);
    CyclicBarrier done = new CyclicBarrier(THREADS + 1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < INTERVALS; i++) {
                    start.await(10, TimeUnit.SECONDS);
                    while (decide
                        ? limiter.decide(permitsPerRequest).allowed()
                        : limiter.tryAcquire(permitsPerRequest)) {
                      admittedPerInterval[i].addAndGet(permitsPerRequest);
                    }
                    done.await(10, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      long elapsed = 0;
      for (int i = 0; i < INTERVALS; i++) {
        long step = Duration.ofMillis(7 + (i * 37) % 50).toNanos();
        ticker.advanceNanos(step);
        elapsed += step;
        start.await(10, TimeUnit.SECONDS);
        done.await(10, TimeUnit.SECONDS);
        long expected = takeAllFromModels(models, elapsed, permitsPerRequest);
        assertThat(admittedPerInterval[i].get()).as("interval %s", i).isEqualTo(expected);
      }
      for (Future<?> w : workers) {
        w.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Takes requests from the models, all or none, until one model refuses; returns permits. */
  private static long takeAllFromModels(List<TokenBucketModel> models, long elapsed, int n) {
    models.forEach(m -> m.advanceTo(elapsed));
    long taken = 0;
    while (models.stream().allMatch(m -> m.tokens() >= n)) {
      models.forEach(m -> m.tryAcquire(n));
      taken += n;
    }
    return taken;
  }
}
