package dev.sysblocks.benchmarks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hit-ratio report runs end to end at smoke size, and its replay is the reference table's: on a
 * real trace, our LRU and the synchronized LinkedHashMap reproduce the exact-LRU column.
 */
class CacheHitRatioTest {

  @Test
  void withoutTracesTheReportHasTheZipfTableForEveryImplAndSaysWhyTracesAreMissing(
      @TempDir Path empty) throws IOException {
    String report = CacheHitRatio.report(true, empty);

    assertThat(report)
        .startsWith("### CacheHitRatio\n\n")
        .contains("#### Zipf(0.99) over 4,096 keys, 16,384 requests")
        .contains("| 409 (10 %) |", "| 40 (1 %) |")
        .contains("Skipped: no reference-hit-ratios.csv in " + empty.toAbsolutePath())
        .doesNotContain("NaN");
    for (String impl : CacheAdapter.IMPLS) {
      assertThat(report).contains(" " + impl + " |");
    }
  }

  @Test
  void oneThreadOurLruIsExactLruOnTheZipfStream() {
    ZipfKeys stream = ZipfKeys.generate(1 << 12, 1 << 15, 0.99, 7);
    for (int capacity : new int[] {40, 409}) {
      double exact = CacheHitRatio.hitPercent("jdk-syncLinkedHashMap", capacity, stream.requests());
      assertThat(CacheHitRatio.hitPercent("sysblocks-lru", capacity, stream.requests()))
          .as("capacity %d", capacity)
          .isEqualTo(exact);
      assertThat(exact).isBetween(1.0, 99.0);
    }
  }

  @Test
  void theReplayReproducesTheReferenceExactLruColumnOnARealTrace() throws IOException {
    Path traces = sharedTraces();
    assumeTrue(TraceFiles.available(traces), "shared traces absent at " + traces);
    Long[] gli = TraceFiles.requests(traces, "gli");
    for (TraceFiles.Reference row : TraceFiles.references(traces)) {
      if (row.trace().equals("gli")) {
        for (String impl : new String[] {"jdk-syncLinkedHashMap", "sysblocks-lru"}) {
          assertThat(CacheHitRatio.hitPercent(impl, row.cacheSize(), gli))
              .as("%s on gli @ %d", impl, row.cacheSize())
              .isCloseTo(row.percent("lru"), within(0.006));
        }
      }
    }
  }

  @Test
  void smokeReportWithTracesHasOnlyTheFirstTrace() throws IOException {
    Path traces = sharedTraces();
    assumeTrue(TraceFiles.available(traces), "shared traces absent at " + traces);

    List<TraceFiles.Reference> rows = TraceFiles.references(traces);
    String first = rows.get(0).trace();

    String report = CacheHitRatio.report(true, traces);

    for (TraceFiles.Reference row : rows) {
      String line = String.format(Locale.ROOT, "| %s @ %,d |", row.trace(), row.cacheSize());
      if (row.trace().equals(first)) {
        assertThat(report).contains(line);
      } else {
        assertThat(report).doesNotContain(line);
      }
    }
  }

  /** {@code shared/traces} beside the project's root, found from wherever the test runs. */
  private static Path sharedTraces() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("bom/pom.xml"))) {
      dir = dir.getParent();
    }
    return dir == null ? Path.of("absent") : dir.resolveSibling("shared").resolve("traces");
  }
}
