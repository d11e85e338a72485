package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the shared real traces through our policies and compares the hit ratios with the
 * deterministic columns of {@code reference-hit-ratios.csv} (exact LRU, SIEVE pseudo code). Skipped
 * with a message when the traces are absent.
 *
 * <p>Tolerance: 0.006 percentage points, that is, our ratio rounded to two decimals equals the
 * reference (which is rounded to two decimals), with room for the rounding of the reference.
 */
class TraceHitRatioTest {

  static final double TOLERANCE_POINTS = 0.006;

  @TestFactory
  Stream<DynamicTest> singleThreadedLruReproducesExactLru() {
    return everyRow(EvictionPolicy.LRU, "lru");
  }

  @TestFactory
  Stream<DynamicTest> sieveReproducesTheSievePseudoCode() {
    return everyRow(EvictionPolicy.SIEVE, "sieve");
  }

  @TestFactory
  Stream<DynamicTest> s3FifoReproducesTheReferenceS3Fifo() {
    return everyRow(EvictionPolicy.S3_FIFO, "s3fifo");
  }

  /**
   * Caffeine is not deterministic (its admission adds random jitter; the reference says about 0.1
   * point between runs), and the reference column came from another replay of it (its maintenance
   * runs at other moments than in our synchronous replay): measured differences reach 1.7 points
   * (zigzag at 1,500 entries: 69.83 against 68.17), so the adapter's mean over a few replays is
   * held to 3 points of Caffeine's own column. Our own policies are deterministic and held to the
   * second decimal.
   */
  @TestFactory
  Stream<DynamicTest> theCaffeineAdapterMatchesCaffeineItself() {
    return everyRow(EvictionPolicy.CAFFEINE, "caffeine_3_2_3", CAFFEINE_TOLERANCE_POINTS);
  }

  static final double CAFFEINE_TOLERANCE_POINTS = 3.0;

  /**
   * Replays averaged for Caffeine: one replay of sprite at 100 entries once gave 30.08 against the
   * table's 26.49, so a single replay can fall outside the band by chance alone.
   */
  static final int CAFFEINE_REPLAYS = 3;

  private static Stream<DynamicTest> everyRow(EvictionPolicy policy, String column) {
    return everyRow(policy, column, TOLERANCE_POINTS);
  }

  private static Stream<DynamicTest> everyRow(
      EvictionPolicy policy, String column, double tolerance) {
    if (!Traces.available()) {
      // One visible skipped test carrying the reason (a skipped factory would report nothing).
      return Stream.of(
          DynamicTest.dynamicTest(
              "traces absent", () -> assumeTrue(false, Traces.unavailableMessage())));
    }
    List<Traces.Reference> rows = Traces.references();
    return rows.stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.trace() + " @ " + row.cacheSize(),
                    () -> {
                      // Caffeine's admission draws random numbers: average a few replays.
                      int replays = policy == EvictionPolicy.CAFFEINE ? CAFFEINE_REPLAYS : 1;
                      double sum = 0;
                      for (int r = 0; r < replays; r++) {
                        Cache<Long, Long> cache =
                            CacheBuilder.newBuilder()
                                .maximumSize(row.cacheSize())
                                .policy(policy)
                                .build();
                        sum += Traces.replay(cache, Traces.keys(row.trace()));
                      }
                      double ours = sum / replays;
                      System.out.printf(
                          "%s %s@%d ours=%.2f reference=%.2f%n",
                          column, row.trace(), row.cacheSize(), ours, row.percent(column));
                      assertThat(ours)
                          .as("%s hit ratio on %s at %d", column, row.trace(), row.cacheSize())
                          .isCloseTo(row.percent(column), within(tolerance));
                    }));
  }
}
