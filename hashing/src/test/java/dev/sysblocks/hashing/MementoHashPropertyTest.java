package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random membership changes against a reference model that recomputes every owner from scratch, the
 * slow and obvious way: it replays the removals on an explicit array of working buckets (a removed
 * bucket's slot is taken by the last one, as in AnchorHash) and moves each key of a removed bucket
 * to the bucket now in the slot it draws. After every change MementoHash must agree with the model,
 * and the keys that moved must be exactly the ones the change had to move.
 */
class MementoHashPropertyTest {

  /** Operations 0..11 toggle node "n<op>" in or out; 12 adds every absent node in one addAll. */
  private static final int ADD_ALL = 12;

  private static final int REPLICAS = 3;

  @Provide
  Arbitrary<List<Integer>> operations() {
    return Arbitraries.integers().between(0, ADD_ALL).list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 60)
  void mementoMatchesTheReferenceModelAndMovesOnlyWhatItMust(
      @ForAll("operations") List<Integer> operations) {
    MementoHash<String> memento = MementoHash.<String>builder(id -> id).build();
    Model model = new Model();
    long[] keys = new SplittableRandom(operations.hashCode()).longs(1_500).toArray();
    String[] before = new String[keys.length];
    List<List<String>> listsBefore = new ArrayList<>(Collections.nCopies(keys.length, null));
    Random shuffler = new Random(operations.hashCode());

    for (int op : operations) {
      Set<String> added = new HashSet<>();
      String removed = null;
      if (op == ADD_ALL) {
        List<String> absent = new ArrayList<>();
        for (int i = 0; i < ADD_ALL; i++) {
          if (!model.bucketOf.containsKey("n" + i)) {
            absent.add("n" + i);
          }
        }
        Collections.shuffle(absent, shuffler); // the order given must not matter
        memento.addAll(absent);
        new TreeSet<>(absent).forEach(model::add);
        added.addAll(absent);
      } else if (model.bucketOf.containsKey("n" + op)) {
        removed = "n" + op;
        assertThat(memento.remove(removed)).isTrue();
        model.remove(removed);
      } else {
        memento.add("n" + op);
        model.add("n" + op);
        added.add("n" + op);
      }
      assertThat(memento.nodes()).containsExactlyElementsOf(new TreeSet<>(model.bucketOf.keySet()));
      if (model.bucketOf.isEmpty()) {
        java.util.Arrays.fill(before, null);
        Collections.fill(listsBefore, null);
        continue;
      }

      int[][] slots = model.slotsAfterEachRemoval();
      Map<String, Integer> load = new HashMap<>();
      int replicas = Math.min(REPLICAS, model.bucketOf.size());
      for (int i = 0; i < keys.length; i++) {
        String owner = memento.ownerOf(keys[i]);
        assertThat(owner).as("owner of key %s", i).isEqualTo(model.ownerOf(keys[i], slots));
        load.merge(owner, 1, Integer::sum);
        if (before[i] != null && !owner.equals(before[i])) {
          // Minimal disruption: a key moves only onto an added node, or off a removed one.
          if (removed != null) {
            assertThat(before[i]).isEqualTo(removed);
          } else {
            assertThat(added).contains(owner);
          }
        }
        before[i] = owner;

        List<String> list = memento.preferenceList(keys[i], replicas);
        List<String> old = listsBefore.get(i);
        if (old != null && old.size() == replicas) {
          if (removed != null && !old.contains(removed)) {
            assertThat(list).isEqualTo(old);
          }
          if (!added.isEmpty() && Collections.disjoint(list, added)) {
            assertThat(list).isEqualTo(old); // an addition changes only the lists it joins
          }
        }
        listsBefore.set(i, list);
      }
      // Loose balance: with at most 12 nodes and 1,500 keys, every node is within half the mean.
      double mean = keys.length / (double) model.bucketOf.size();
      assertThat(load).hasSize(model.bucketOf.size());
      assertThat(load.values())
          .allSatisfy(c -> assertThat(c).isBetween((int) (mean / 2), (int) (mean * 1.5)));
    }
  }

  /**
   * The reference: membership as buckets (the same assignment rules as MementoHash, stated
   * directly), and owners recomputed from scratch by replaying the removals.
   */
  private static final class Model {
    final Map<String, Integer> bucketOf = new HashMap<>();
    final Map<Integer, String> idAt = new HashMap<>();
    int buckets;
    final List<Integer> removals = new ArrayList<>(); // oldest first

    void add(String id) {
      int b = removals.isEmpty() ? buckets++ : removals.remove(removals.size() - 1);
      bucketOf.put(id, b);
      idAt.put(b, id);
    }

    void remove(String id) {
      int b = bucketOf.remove(id);
      idAt.remove(b);
      if (bucketOf.isEmpty()) {
        buckets = 0;
        removals.clear();
      } else if (removals.isEmpty() && b == buckets - 1) {
        buckets--;
      } else {
        removals.add(b);
      }
    }

    /**
     * slots[t] lists the working buckets after the first t + 1 removals: the removed bucket's slot
     * is taken by the bucket in the last slot.
     */
    int[][] slotsAfterEachRemoval() {
      int[][] slots = new int[removals.size()][];
      List<Integer> current = new ArrayList<>();
      for (int b = 0; b < buckets; b++) {
        current.add(b);
      }
      for (int t = 0; t < removals.size(); t++) {
        int slot = current.indexOf(removals.get(t));
        int last = current.remove(current.size() - 1);
        if (slot < current.size()) {
          current.set(slot, last);
        }
        slots[t] = current.stream().mapToInt(Integer::intValue).toArray();
      }
      return slots;
    }

    String ownerOf(long key, int[][] slots) {
      int bucket = JumpBackHash.bucket(key, buckets);
      for (int t = 0; t < removals.size(); t++) {
        int gone = removals.get(t);
        if (bucket == gone) {
          bucket = slots[t][MementoHash.reduce(MementoHash.rehash(key, gone), slots[t].length)];
        }
      }
      return idAt.get(bucket);
    }
  }
}
