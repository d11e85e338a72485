package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RendezvousHashTest extends NodeLocatorContractTest {

  @Override
  NodeLocator<String> locatorOf(List<String> nodes) {
    RendezvousHash<String> hrw = RendezvousHash.<String>builder(id -> id).build();
    for (String node : nodes) {
      hrw.add(node);
    }
    return hrw;
  }

  @Test
  void javadocExampleWorks() {
    RendezvousHash<String> hrw = RendezvousHash.<String>builder(id -> id).build();
    hrw.addAll(List.of("a", "b", "c"));
    hrw.add("d", 3.0); // three times the share of a, b or c
    String owner = hrw.ownerOf("user:42");
    assertThat(hrw.nodes()).containsExactly("a", "b", "c", "d").contains(owner);
  }

  @Test
  void removingANodeMovesOnlyItsKeysEachToItsRunnerUp() {
    RendezvousHash<String> hrw = RendezvousHash.<String>builder(id -> id).build();
    for (int i = 0; i < 12; i++) {
      hrw.add("node-" + i);
    }
    long[] keys = new SplittableRandom(51).longs(50_000).toArray();
    List<List<String>> before = new java.util.ArrayList<>();
    for (long k : keys) {
      before.add(hrw.preferenceList(k, 2));
    }
    hrw.remove("node-4");
    for (int i = 0; i < keys.length; i++) {
      String expected =
          before.get(i).get(0).equals("node-4") ? before.get(i).get(1) : before.get(i).get(0);
      assertThat(hrw.ownerOf(keys[i])).isEqualTo(expected);
    }
  }

  @Test
  void weightsGiveSharesWithinOnePercentagePoint() {
    RendezvousHash<String> hrw = RendezvousHash.<String>builder(id -> id).build();
    Map<String, Double> weights = new HashMap<>();
    double total = 0;
    for (int i = 0; i < 100; i++) {
      double w = 1 + (i % 4);
      weights.put("node-" + i, w);
      hrw.add("node-" + i, w);
      total += w;
    }
    Map<String, Integer> counts = new HashMap<>();
    SplittableRandom random = new SplittableRandom(52);
    int keys = 1_000_000;
    for (int i = 0; i < keys; i++) {
      counts.merge(hrw.ownerOf(random.nextLong()), 1, Integer::sum);
    }
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      double expected = e.getValue() / total;
      double actual = counts.getOrDefault(e.getKey(), 0) / (double) keys;
      assertThat(actual).as("share of %s", e.getKey()).isCloseTo(expected, Offset.offset(0.01));
    }
  }

  @Test
  void equalWeightsRankExactlyAsTheWeightedFormulaWould() {
    // The fast path (rank by u) must agree with w / -ln(u) when all weights are equal.
    RendezvousHash<String> plain = RendezvousHash.<String>builder(id -> id).build();
    RendezvousHash<String> scaled = RendezvousHash.<String>builder(id -> id).build();
    for (int i = 0; i < 20; i++) {
      plain.add("node-" + i);
      scaled.add("node-" + i, i == 0 ? 2.0 : 1.0);
    }
    scaled.remove("node-0");
    scaled.add("node-0", 1.0);
    SplittableRandom random = new SplittableRandom(53);
    for (int i = 0; i < 10_000; i++) {
      long key = random.nextLong();
      assertThat(scaled.preferenceList(key, 3)).isEqualTo(plain.preferenceList(key, 3));
    }
  }

  @Test
  void badWeightsAndDuplicatesAreRejected() {
    RendezvousHash<String> hrw = RendezvousHash.<String>builder(id -> id).build();
    assertThatThrownBy(() -> hrw.add("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be positive and finite: 0.0");
    hrw.add("a");
    assertThatThrownBy(() -> hrw.add("a", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node id already present: a");
    assertThatThrownBy(() -> RendezvousHash.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("nodeId");
  }
}
