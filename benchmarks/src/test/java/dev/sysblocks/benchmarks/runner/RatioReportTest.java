package dev.sysblocks.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RatioReportTest {

  private static Row time(String impl, double nsPerOp, double bytes) {
    return new Row(
        "a.b.FooBenchmark.op", Map.of("size", "21"), impl, nsPerOp, 0.5, "ns/op", false, bytes);
  }

  private static Row throughput(String impl, double opsPerSec) {
    return new Row("a.b.FooBenchmark.op", Map.of(), impl, opsPerSec, 1, "ops/s", true, Double.NaN);
  }

  @Test
  void theBestPeerOfATimeScoreIsTheFastestNonSysblocksRow() {
    List<Row> rows =
        List.of(time("sysblocks", 5, 0), time("guava", 20, 100), time("caffeine", 10, 0));
    assertThat(RatioReport.bestPeer(rows)).map(Row::impl).hasValue("caffeine");
  }

  @Test
  void aBaselineIsShownButNeverTheBestPeer() {
    List<Row> rows =
        List.of(time("sysblocks", 5, 0), time("baseline-remainder", 2, 0), time("guava", 10, 0));
    assertThat(RatioReport.bestPeer(rows)).map(Row::impl).hasValue("guava");
    assertThat(RatioReport.table(rows))
        .contains("| **sysblocks** | 5.00 | 0.50 | 0 | **2.00×** |")
        .contains("| baseline-remainder | 2.00 | 0.50 | 0 | 5.00× |");
  }

  @Test
  void theBestPeerOfAThroughputScoreIsTheHighestNonSysblocksRow() {
    List<Row> rows = List.of(throughput("sysblocks", 50), throughput("a", 10), throughput("b", 30));
    assertThat(RatioReport.bestPeer(rows)).map(Row::impl).hasValue("b");
  }

  @Test
  void speedupIsAboveOneWhenFasterWhateverTheScoreDirection() {
    assertThat(time("sysblocks", 5, 0).speedupOver(time("peer", 20, 0))).isEqualTo(4.0);
    assertThat(throughput("sysblocks", 50).speedupOver(throughput("peer", 25))).isEqualTo(2.0);
  }

  @Test
  void tableShowsEveryRowWithItsRatioToTheBestPeerAndOursInBold() {
    String table =
        RatioReport.table(
            List.of(time("sysblocks-x", 5, 0.00001), time("guava", 20, 288), time("farm", 10, 40)));
    assertThat(table)
        .contains("| implementation | ns/op | ± (99.9%) | B/op | speed vs best peer |")
        .contains("| **sysblocks-x** | 5.00 | 0.50 | 0 | **2.00×** |")
        .contains("| guava | 20.0 | 0.50 | 288 | 0.50× |")
        .contains("| farm | 10.0 | 0.50 | 40 | 1.00× |");
  }

  @Test
  void withoutPeersTheRatioColumnSaysSo() {
    String table = RatioReport.table(List.of(time("sysblocks-a", 5, 0), time("sysblocks-b", 6, 0)));
    assertThat(table).contains("| **sysblocks-a** | 5.00 | 0.50 | 0 | — |");
  }

  @Test
  void aReferenceImplGetsAColumnNamedAfterIt() {
    String table =
        RatioReport.table(
            List.of(time("sysblocks-lru", 10, 0), time("caffeine", 8, 0), time("jdk-map", 40, 0)),
            Optional.of("jdk-map"));
    assertThat(table)
        .contains(
            "| implementation | ns/op | ± (99.9%) | B/op | speed vs best peer | speed vs jdk-map |")
        .contains("| --- | ---: | ---: | ---: | ---: | ---: |")
        .contains("| **sysblocks-lru** | 10.0 | 0.50 | 0 | **0.80×** | **4.00×** |")
        .contains("| caffeine | 8.00 | 0.50 | 0 | 1.00× | 5.00× |")
        .contains("| jdk-map | 40.0 | 0.50 | 0 | 0.20× | 1.00× |");
  }

  @Test
  void aReferenceImplAbsentFromTheGroupAddsNoColumn() {
    String table =
        RatioReport.table(
            List.of(time("sysblocks-lru", 10, 0), time("caffeine", 8, 0)), Optional.of("jdk-map"));
    assertThat(table)
        .contains("| implementation | ns/op | ± (99.9%) | B/op | speed vs best peer |\n")
        .contains("| **sysblocks-lru** | 10.0 | 0.50 | 0 | **0.80×** |\n");
  }

  @Test
  void tablesAreGroupedByMethodAndNonImplParameters() {
    Row a8 =
        new Row("p.KeyBenchmark.hash", Map.of("length", "8"), "sysblocks", 1, 0, "ns/op", false, 0);
    Row b8 =
        new Row("p.KeyBenchmark.hash", Map.of("length", "8"), "guava", 2, 0, "ns/op", false, 0);
    Row a64 =
        new Row(
            "p.KeyBenchmark.hash", Map.of("length", "64"), "sysblocks", 3, 0, "ns/op", false, 0);
    String report = RatioReport.tables(List.of(a8, b8, a64));
    assertThat(report)
        .containsSubsequence(
            "#### KeyBenchmark.hash (length=8)", "#### KeyBenchmark.hash (length=64)");
    assertThat(report.split("#### ", -1)).hasSize(3);
  }

  @Test
  void numbersAreShortAndMissingValuesAreDashes() {
    assertThat(RatioReport.number(1234.5)).isEqualTo("1,235");
    assertThat(RatioReport.number(12.34)).isEqualTo("12.3");
    assertThat(RatioReport.number(1.234)).isEqualTo("1.23");
    assertThat(RatioReport.number(Double.NaN)).isEqualTo("—");
    assertThat(RatioReport.bytes(Double.NaN)).isEqualTo("—");
    assertThat(RatioReport.bytes(1e-5)).isEqualTo("0");
    assertThat(RatioReport.bytes(4096)).isEqualTo("4,096");
  }
}
