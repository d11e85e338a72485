package dev.sysblocks.benchmarks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The adapters of ArbitraryRemovalLookupBenchmark answer what they claim to: the two stateful
 * hashers never answer a removed node and reach every survivor; the stateless ones every bucket.
 * (The stateful two place keys differently, so they are checked for validity, not agreement.)
 */
class ArbitraryRemovalLookupBenchmarkTest {

  private static final long[] KEYS = new SplittableRandom(7).longs(100_000).toArray();

  private static Set<Integer> answers(String impl, int nodes) {
    ArbitraryRemovalLookupBenchmark.Lookup lookup =
        ArbitraryRemovalLookupBenchmark.lookupFor(impl, nodes);
    Set<Integer> answers = new HashSet<>();
    for (long key : KEYS) {
      answers.add(lookup.owner(key));
    }
    return answers;
  }

  @Test
  void statefulAdaptersAnswerExactlyTheSurvivingHalf() {
    for (int nodes : new int[] {10, 100, 1000}) {
      List<Integer> removed = ArbitraryRemovalLookupBenchmark.removedNodes(nodes);
      assertThat(removed).hasSize(nodes / 2).doesNotHaveDuplicates();
      Set<Integer> survivors = new HashSet<>();
      for (int i = 0; i < nodes; i++) {
        survivors.add(i);
      }
      survivors.removeAll(removed);
      for (String impl : List.of("sysblocks-memento", "hash4j-jumpBackAnchor")) {
        assertThat(answers(impl, nodes)).as("%s, n = %s", impl, nodes).isEqualTo(survivors);
      }
    }
  }

  @Test
  void statelessAdaptersAnswerEveryBucket() {
    for (String impl : List.of("sysblocks-jumpBack", "hash4j-jumpBack")) {
      assertThat(answers(impl, 100)).hasSize(100).allSatisfy(b -> assertThat(b).isBetween(0, 99));
    }
  }
}
