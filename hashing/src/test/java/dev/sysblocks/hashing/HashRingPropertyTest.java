package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.KeyHasher;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random membership changes against a reference model: a TreeMap from point position to node id,
 * looked up with ceiling (the textbook ring). After every change the ring must agree with the
 * model, and the keys that moved must be exactly the ones the change had to move.
 */
class HashRingPropertyTest {

  private static final int VIRTUAL_NODES = 20;
  private static final KeyHasher HASHER = KeyHasher.xxh3();

  /** An operation: a node id from a small pool; toggled in or out of the ring. */
  @Provide
  Arbitrary<List<Integer>> operations() {
    return Arbitraries.integers().between(0, 11).list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 60)
  void ringMatchesTheReferenceModelAndMovesOnlyWhatItMust(
      @ForAll("operations") List<Integer> operations) {
    HashRing<String> ring =
        HashRing.<String>builder(id -> id).virtualNodes(VIRTUAL_NODES).keyHasher(HASHER).build();
    TreeSet<String> members = new TreeSet<>();
    long[] keys = new SplittableRandom(operations.hashCode()).longs(2_000).toArray();
    String[] before = new String[keys.length];

    for (int op : operations) {
      String id = "n" + op;
      boolean adding = !members.contains(id);
      if (adding) {
        ring.add(id);
        members.add(id);
      } else {
        assertThat(ring.remove(id)).isTrue();
        members.remove(id);
      }
      assertThat(ring.nodes()).containsExactlyElementsOf(members);
      if (members.isEmpty()) {
        java.util.Arrays.fill(before, null);
        continue;
      }
      NavigableMap<Long, String> model = model(members);
      for (int i = 0; i < keys.length; i++) {
        String owner = ring.ownerOf(keys[i]);
        assertThat(owner).isEqualTo(modelOwner(model, keys[i]));
        if (before[i] != null && !owner.equals(before[i])) {
          // Minimal disruption: a key moves only onto an added node, or off a removed one.
          if (adding) {
            assertThat(owner).isEqualTo(id);
          } else {
            assertThat(before[i]).isEqualTo(id);
          }
        }
        before[i] = owner;
      }
    }
  }

  /** The textbook ring: unsigned position (44 bits kept, as in the ring) to node id. */
  private static NavigableMap<Long, String> model(Set<String> members) {
    TreeMap<Long, String> model = new TreeMap<>();
    for (String id : members) {
      for (long p : HashRing.pointPositions(HASHER, id, VIRTUAL_NODES)) {
        model.put((p & ~HashRing.OWNER_MASK) ^ Long.MIN_VALUE, id);
      }
    }
    return model;
  }

  private static String modelOwner(NavigableMap<Long, String> model, long keyHash) {
    Map.Entry<Long, String> e = model.ceilingEntry(keyHash ^ Long.MIN_VALUE);
    return e != null ? e.getValue() : model.firstEntry().getValue();
  }
}
