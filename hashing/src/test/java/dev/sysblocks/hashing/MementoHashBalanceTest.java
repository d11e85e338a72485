package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The balance promised in MementoHash's docs: after arbitrary removals, keys are spread like a
 * perfectly random assignment of the same sample, with no extra skew from the replacement chains.
 */
class MementoHashBalanceTest {

  private static final long[] SAMPLE = new SplittableRandom(101).longs(1_000_000).toArray();

  /** A perfectly random assignment of the sample to the nodes: an independent uniform pick each. */
  private static Balance randomAssignment(List<String> nodes) {
    return PlacementAnalysis.balance(
        nodes,
        h -> nodes.get((int) ((((h * 0x9E3779B97F4A7C15L) >>> 33) * nodes.size()) >>> 31)),
        SAMPLE);
  }

  private static void assertBalancedLikeRandom(Balance memento, Balance random) {
    assertThat(memento.peakToMean()).isCloseTo(random.peakToMean(), offset(0.01));
    assertThat(memento.minToMean()).isCloseTo(random.minToMean(), offset(0.01));
    assertThat(memento.coefficientOfVariation())
        .isCloseTo(random.coefficientOfVariation(), offset(0.002));
  }

  @Test
  void afterRemovingHalfOfOneHundredNodesInRandomOrderBalanceIsThatOfARandomAssignment() {
    MementoHash<String> memento = MementoHash.<String>builder(id -> id).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add("node-" + i);
    }
    memento.addAll(ids);
    Collections.shuffle(ids, new Random(102));
    for (String id : ids.subList(0, 50)) {
      memento.remove(id);
    }
    Balance b = PlacementAnalysis.balance(memento, SAMPLE);
    Balance random = randomAssignment(memento.nodes());
    assertThat(b.nodes()).isEqualTo(50);
    assertBalancedLikeRandom(b, random);
  }

  @Test
  void afterRemovingTenOfOneHundredNodesBalanceIsThatOfARandomAssignment() {
    MementoHash<String> memento = MementoHash.<String>builder(id -> id).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add("node-" + i);
    }
    memento.addAll(ids);
    Collections.shuffle(ids, new Random(103));
    for (String id : ids.subList(0, 10)) {
      memento.remove(id);
    }
    Balance b = PlacementAnalysis.balance(memento, SAMPLE);
    assertBalancedLikeRandom(b, randomAssignment(memento.nodes()));
  }
}
