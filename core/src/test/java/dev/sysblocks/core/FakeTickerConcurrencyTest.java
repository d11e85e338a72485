package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many threads hammering one fake ticker: no advance is lost, no reading is handed out twice. */
class FakeTickerConcurrencyTest {

  private static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 20_000;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void concurrentAdvancesAndSleepsAllCount() throws Exception {
    FakeTicker time = FakeTicker.create();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < OPS_PER_THREAD; i++) {
                  time.advanceNanos(3);
                  time.sleepNanos(2);
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(time.read()).isEqualTo(5L * THREADS * OPS_PER_THREAD);
    assertThat(time.sleptNanos()).isEqualTo(2L * THREADS * OPS_PER_THREAD);
  }

  @Test
  void withAutoIncrementEveryConcurrentReadIsDistinct() throws Exception {
    FakeTicker time = FakeTicker.create().setAutoIncrement(Duration.ofNanos(1));
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<long[]>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(
          pool.submit(
              () -> {
                long[] seen = new long[OPS_PER_THREAD];
                start.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < OPS_PER_THREAD; i++) {
                  seen[i] = time.read();
                }
                return seen;
              }));
    }
    Set<Long> all = new HashSet<>();
    for (Future<long[]> f : futures) {
      long[] seen = f.get(30, TimeUnit.SECONDS);
      for (int i = 0; i < seen.length; i++) {
        assertThat(all.add(seen[i])).as("reading %s handed out twice", seen[i]).isTrue();
        if (i > 0) {
          assertThat(seen[i]).isGreaterThan(seen[i - 1]);
        }
      }
    }
    // Exactly the readings 0 .. N-1 were handed out: none lost, none skipped.
    assertThat(all).hasSize(THREADS * OPS_PER_THREAD);
    assertThat(time.read()).isEqualTo((long) THREADS * OPS_PER_THREAD);
  }
}
