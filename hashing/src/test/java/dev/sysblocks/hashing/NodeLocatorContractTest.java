package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What every {@link NodeLocator} must do; each implementation's test extends this suite. */
abstract class NodeLocatorContractTest {

  /** A locator over exactly these string nodes (their own ids), added in the given order. */
  abstract NodeLocator<String> locatorOf(List<String> nodes);

  private static List<String> nodes(int n) {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add("node-" + i);
    }
    return nodes;
  }

  @Test
  void theOwnerIsTheFirstElementOfEveryPreferenceList() {
    NodeLocator<String> locator = locatorOf(nodes(7));
    SplittableRandom random = new SplittableRandom(11);
    String[] out = new String[7];
    for (int i = 0; i < 2_000; i++) {
      long key = random.nextLong();
      String owner = locator.ownerOf(key);
      for (int r = 1; r <= 7; r++) {
        assertThat(locator.preferenceList(key, r).get(0)).isEqualTo(owner);
      }
      locator.preferenceList(key, out);
      assertThat(out[0]).isEqualTo(owner);
    }
  }

  @Test
  void preferenceListsHoldDistinctNodesAndExtendEachOther() {
    NodeLocator<String> locator = locatorOf(nodes(9));
    SplittableRandom random = new SplittableRandom(12);
    for (int i = 0; i < 2_000; i++) {
      long key = random.nextLong();
      List<String> all = locator.preferenceList(key, 9);
      assertThat(new HashSet<>(all)).hasSize(9);
      for (int r = 1; r < 9; r++) {
        assertThat(locator.preferenceList(key, r)).isEqualTo(all.subList(0, r));
      }
      String[] out = new String[4];
      locator.preferenceList(key, out);
      assertThat(out).containsExactlyElementsOf(all.subList(0, 4));
    }
  }

  @Test
  void answersDoNotDependOnTheOrderNodesWereAdded() {
    List<String> ordered = nodes(20);
    List<String> shuffled = new ArrayList<>(ordered);
    Collections.shuffle(shuffled, new Random(13));
    NodeLocator<String> a = locatorOf(ordered);
    NodeLocator<String> b = locatorOf(shuffled);
    SplittableRandom random = new SplittableRandom(14);
    for (int i = 0; i < 5_000; i++) {
      long key = random.nextLong();
      assertThat(b.ownerOf(key)).isEqualTo(a.ownerOf(key));
      assertThat(b.preferenceList(key, 3)).isEqualTo(a.preferenceList(key, 3));
    }
    assertThat(b.nodes()).isEqualTo(a.nodes());
  }

  @Test
  void stringAndByteKeysAreHashedWithTheLocatorsHasher() {
    NodeLocator<String> locator = locatorOf(nodes(5));
    long h = locator.keyHasher().hash("user:42");
    assertThat(locator.ownerOf("user:42")).isEqualTo(locator.ownerOf(h));
    byte[] bytes = {1, 2, 3};
    assertThat(locator.ownerOf(bytes)).isEqualTo(locator.ownerOf(locator.keyHasher().hash(bytes)));
    assertThat(locator.preferenceList("user:42", 2)).isEqualTo(locator.preferenceList(h, 2));
  }

  @Test
  void badArgumentsAreRejectedNamingThem() {
    NodeLocator<String> locator = locatorOf(nodes(3));
    assertThatThrownBy(() -> locator.ownerOf((CharSequence) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> locator.ownerOf((byte[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> locator.preferenceList(1L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replicas must be between 1 and the number of nodes (3): 0");
    assertThatThrownBy(() -> locator.preferenceList(1L, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replicas must be between 1 and the number of nodes (3): 4");
    assertThatThrownBy(() -> locator.preferenceList(1L, new String[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("replicas must be between 1");
    assertThatThrownBy(() -> locator.preferenceList(1L, (String[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("out");
  }

  @Test
  void anEmptyLocatorSaysItHasNoNodes() {
    NodeLocator<String> locator = locatorOf(List.of());
    assertThatThrownBy(() -> locator.ownerOf(1L))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no nodes");
    assertThatThrownBy(() -> locator.preferenceList(1L, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no nodes");
  }

  @Test
  void keysSpreadOverAllNodes() {
    NodeLocator<String> locator = locatorOf(nodes(10));
    SplittableRandom random = new SplittableRandom(15);
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      counts.merge(locator.ownerOf(random.nextLong()), 1, Integer::sum);
    }
    assertThat(counts).hasSize(10);
    // Loose: every node within 30% of the mean; each algorithm's own test pins its real balance.
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(7_000, 13_000));
  }
}
