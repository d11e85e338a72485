package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The balance figure promised in HashRing's docs, with the default settings. */
class HashRingBalanceTest {

  static double peakToMean(int nodes, int virtualNodes, int keys, long seed) {
    HashRing<String> ring = HashRing.<String>builder(id -> id).virtualNodes(virtualNodes).build();
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ids.add("node-" + i);
    }
    ring.addAll(ids);
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < keys; i++) {
      counts.merge(ring.ownerOf(random.nextLong()), 1, Integer::sum);
    }
    int peak = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    return peak / ((double) keys / nodes);
  }

  @Test
  void withDefaultSettingsTheBusiestOfOneHundredNodesIsWithinTenPercentOfTheMean() {
    assertThat(peakToMean(100, HashRing.DEFAULT_VIRTUAL_NODES, 1_000_000, 31))
        .isLessThanOrEqualTo(1.10);
  }
}
