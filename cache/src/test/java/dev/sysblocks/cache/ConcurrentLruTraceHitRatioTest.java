package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * What "approximately LRU" costs: the shared traces replayed by two threads at once through {@link
 * LruCache}, compared with exact LRU replaying the same interleaving. Skipped with a message when
 * the traces are absent.
 *
 * <p>Thread t replays requests t, t + 2, t + 4, ... of the trace; the threads meet at a barrier
 * every {@link #LOCKSTEP} requests each, so they never drift far apart. Each request takes a ticket
 * from a shared counter just before its lookup, which records the order in which the two threads
 * interleaved. Exact LRU (an access-ordered {@code LinkedHashMap}) replaying that recorded order is
 * the yardstick: the difference is what our buffers cost (reads dropped from full or contended
 * stripes, reads replayed after a later write), plus noise where a thread is descheduled between
 * its ticket and its lookup.
 *
 * <p>Why not the reference's {@code lru} column: interleaving alone moves exact LRU by up to 9
 * points on these traces (web12 at 137 entries: 39.70 % in trace order, 30.85 % in a two-thread
 * order), which no concurrent cache can avoid and which says nothing about the policy. Both
 * differences are printed.
 *
 * <p>Bounds. The mean difference over all rows must be above -{@link #MEAN_LOSS_POINTS}: dropping
 * every read (LRU degenerating into FIFO) would cost several points on average. Each row must lose
 * at most {@link #ROW_LOSS_POINTS} and gain at most {@link #SLACK_POINTS}. Measured while writing
 * the test: on a quiet machine every row within 0.25 points; on a machine loaded by other builds
 * single rows moved by up to -0.67 (2_pools at 500) and +0.76 (multi2 at 4,000).
 *
 * <p>Left out: {@code ps} and {@code gli}, whose LRU hit ratios sit on cliffs (ps at 250 entries:
 * 13 % for LRU, 51 % for S3-FIFO; gli at 1,250: 21 % for LRU, 31 % for CLOCK), where the gap
 * between ticket order and the order our drains applied moved the ratio by 0.6 to 1.4 points in
 * either direction from run to run; and the pure loop and scan traces (0 % for any LRU).
 */
class ConcurrentLruTraceHitRatioTest {

  /** The most our buffers may lose on average over the rows, against the same interleaving. */
  static final double MEAN_LOSS_POINTS = 0.25;

  /** The most one row may lose; scheduling noise on a loaded machine reached 0.67. */
  static final double ROW_LOSS_POINTS = 1.5;

  /**
   * How far our hit ratio may exceed the yardstick. It can: while one thread holds the eviction
   * lock (or is descheduled holding it), the other's adds wait in the write buffer and the map
   * briefly holds more than the maximum, so a few lookups hit entries exact LRU had evicted. On a
   * quiet machine this stayed below 0.25 points; on a loaded one multi2 at 4,000 reached +0.76
   * once. The bound only catches a cache that stops evicting.
   */
  static final double SLACK_POINTS = 3.0;

  static final int THREADS = 2;
  static final int LOCKSTEP = 256;

  /** The real-world traces (web, database and program traces); loops and scans stay at 0 %. */
  private static final List<String> TRACES =
      List.of("web07", "web12", "multi2", "sprite", "2_pools", "cpp");

  @TestFactory
  Stream<DynamicTest> twoThreadsLoseAlmostNothingAgainstExactLruOnTheSameInterleaving() {
    if (!Traces.available()) {
      return Stream.of(
          DynamicTest.dynamicTest(
              "traces absent", () -> assumeTrue(false, Traces.unavailableMessage())));
    }
    List<Double> differences = new ArrayList<>();
    Stream<DynamicTest> rows =
        Traces.references().stream()
            .filter(row -> TRACES.contains(row.trace()))
            .map(
                row ->
                    DynamicTest.dynamicTest(
                        row.trace() + " @ " + row.cacheSize(),
                        () -> {
                          long[] order = new long[Traces.keys(row.trace()).length];
                          double ours = replayConcurrently(row.trace(), row.cacheSize(), order);
                          double exact = row.percent("lru");
                          double exactInterleaved = exactLru(order, row.cacheSize());
                          System.out.printf(
                              "lru-2-threads %s@%d ours=%.2f exact=%.2f diff=%+.2f"
                                  + " exactOnInterleaving=%.2f diff=%+.2f%n",
                              row.trace(),
                              row.cacheSize(),
                              ours,
                              exact,
                              ours - exact,
                              exactInterleaved,
                              ours - exactInterleaved);
                          differences.add(ours - exactInterleaved);
                          assertThat(ours)
                              .as("2-thread LRU on %s at %d", row.trace(), row.cacheSize())
                              .isGreaterThanOrEqualTo(exactInterleaved - ROW_LOSS_POINTS)
                              .isLessThanOrEqualTo(exactInterleaved + SLACK_POINTS);
                        }));
    DynamicTest mean =
        DynamicTest.dynamicTest(
            "mean over the rows",
            () -> {
              double sum = 0;
              for (double d : differences) {
                sum += d;
              }
              double meanDifference = sum / differences.size();
              System.out.printf("lru-2-threads mean difference %+.3f%n", meanDifference);
              assertThat(differences).hasSize(24);
              assertThat(meanDifference).isGreaterThanOrEqualTo(-MEAN_LOSS_POINTS);
            });
    return Stream.concat(rows, Stream.of(mean));
  }

  static double exactLru(long[] keys, int cacheSize) {
    LinkedHashMap<Long, Long> map =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, Long> e) {
            return size() > cacheSize;
          }
        };
    long hits = 0;
    for (long k : keys) {
      if (map.get(k) == null) {
        map.put(k, k);
      } else {
        hits++;
      }
    }
    return 100.0 * hits / keys.length;
  }

  private static double replayConcurrently(String trace, int cacheSize, long[] order)
      throws Exception {
    java.util.concurrent.atomic.AtomicInteger ticket =
        new java.util.concurrent.atomic.AtomicInteger();
    long[] keys = Traces.keys(trace);
    Cache<Long, Long> cache = CacheBuilder.newBuilder().maximumSize(cacheSize).build();
    int rounds = (keys.length + THREADS * LOCKSTEP - 1) / (THREADS * LOCKSTEP);
    CyclicBarrier barrier = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Long>> hits = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        hits.add(
            pool.submit(
                () -> {
                  long h = 0;
                  for (int round = 0; round < rounds; round++) {
                    barrier.await();
                    int from = round * THREADS * LOCKSTEP + thread;
                    int to = Math.min(keys.length, (round + 1) * THREADS * LOCKSTEP);
                    for (int i = from; i < to; i += THREADS) {
                      Long key = keys[i];
                      order[ticket.getAndIncrement()] = keys[i];
                      if (cache.getIfPresent(key) == null) {
                        cache.put(key, key);
                      } else {
                        h++;
                      }
                    }
                  }
                  return h;
                }));
      }
      long total = 0;
      for (Future<Long> f : hits) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      return 100.0 * total / keys.length;
    } finally {
      pool.shutdownNow();
    }
  }
}
