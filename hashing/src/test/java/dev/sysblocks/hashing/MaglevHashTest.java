package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MaglevHashTest extends NodeLocatorContractTest {

  private static final long[] SAMPLE = new SplittableRandom(71).longs(300_000).toArray();

  @Override
  NodeLocator<String> locatorOf(List<String> nodes) {
    MaglevHash<String> maglev = MaglevHash.<String>builder(id -> id).build();
    for (String node : nodes) {
      maglev.add(node);
    }
    return maglev;
  }

  private static MaglevHash<Integer> maglevOf(int n) {
    MaglevHash<Integer> maglev = MaglevHash.<Integer>builder(String::valueOf).build();
    maglev.addAll(IntStream.range(0, n).boxed().toList());
    return maglev;
  }

  @Test
  void javadocExampleWorks() {
    MaglevHash<String> maglev = MaglevHash.<String>builder(id -> id).build();
    maglev.addAll(List.of("backend-1", "backend-2", "backend-3"));
    String backend = maglev.ownerOf("flow:10.0.0.1:443");
    assertThat(maglev.nodes()).contains(backend);
  }

  @Test
  void theTableIsTheSmallestPrimeAtLeastOneHundredSlotsPerNodeRoundedUpToAPowerOfTwo() {
    assertThat(maglevOf(1).tableSize()).isEqualTo(101);
    assertThat(maglevOf(9).tableSize()).isEqualTo(1601);
    assertThat(maglevOf(10).tableSize()).isEqualTo(1601);
    assertThat(maglevOf(16).tableSize()).isEqualTo(1601);
    assertThat(maglevOf(17).tableSize()).isEqualTo(3203);
    assertThat(MaglevHash.smallestPrimeAtLeast(65_536)).isEqualTo(65_537);
  }

  @Test
  void aFixedTableSizeIsKept() {
    MaglevHash<String> maglev = MaglevHash.<String>builder(id -> id).tableSize(65_537).build();
    maglev.add("a");
    assertThat(maglev.tableSize()).isEqualTo(65_537);
    assertThatThrownBy(() -> MaglevHash.<String>builder(id -> id).tableSize(65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize must be a prime from 3 to 2^24: 65536");
  }

  @Test
  void equalWeightsGiveSlotCountsWithinOneOfEachOther() {
    MaglevHash<Integer> maglev = maglevOf(37);
    // Keys spread over the table's slots: a node's share of keys follows its slot count.
    Balance b = PlacementAnalysis.balance(maglev, SAMPLE);
    assertThat(b.peakToMean()).isLessThan(1.05);
    assertThat(b.minToMean()).isGreaterThan(0.95);
  }

  @Test
  void weightsGiveSharesWithinOnePercentagePoint() {
    MaglevHash<String> maglev = MaglevHash.<String>builder(id -> id).build();
    Map<String, Double> weights = new HashMap<>();
    double total = 0;
    for (int i = 0; i < 100; i++) {
      double w = 1 + (i % 4);
      weights.put("node-" + i, w);
      maglev.add("node-" + i, w);
      total += w;
    }
    Map<String, Integer> counts = new HashMap<>();
    SplittableRandom random = new SplittableRandom(72);
    int keys = 1_000_000;
    for (int i = 0; i < keys; i++) {
      counts.merge(maglev.ownerOf(random.nextLong()), 1, Integer::sum);
    }
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      double actual = counts.getOrDefault(e.getKey(), 0) / (double) keys;
      assertThat(actual)
          .as("share of %s", e.getKey())
          .isCloseTo(e.getValue() / total, offset(0.01));
    }
  }

  /**
   * Maglev trades minimal disruption for balance and speed: removing 1 of 10 nodes must move its
   * own keys and may move a few others. Measured here, and bounded so a regression shows.
   */
  @Test
  void disruptionOnRemovalIsMeasuredAndSmall() {
    MaglevHash<Integer> before = maglevOf(10);
    MaglevHash<Integer> after = maglevOf(10);
    after.remove(4);
    Movement m = PlacementAnalysis.movement(before, after, SAMPLE);
    assertThat(m.idealFraction()).isCloseTo(0.1, offset(1e-12));
    assertThat(m.movedFraction()).isGreaterThanOrEqualTo(m.idealFraction() - 0.01);
    // Collateral (keys moving between surviving nodes) exists but stays a small fraction.
    assertThat(m.collateralFraction()).isLessThan(0.05);
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> MaglevHash.<String>builder(id -> id).slotsPerNode(9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slotsPerNode must be between 10 and 10000: 9");
    assertThatThrownBy(() -> MaglevHash.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("nodeId");
  }
}
