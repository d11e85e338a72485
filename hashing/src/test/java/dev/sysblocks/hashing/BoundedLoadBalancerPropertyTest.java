package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random sequences of acquires (skewed towards a few hot keys), releases and membership changes,
 * run one at a time against a reference model: a sorted map from node id to load, a plain {@link
 * HashRing}, and the probe order written out as the documentation states it (ring owner, then
 * {@code MAX_PROBES - 1} re-hashes, then a scan from a key-derived start), with the bound checked
 * in exact arithmetic. The balancer must choose exactly the model's node every time.
 */
class BoundedLoadBalancerPropertyTest {

  private static final int KEYS = 24;
  private static final int NODE_POOL = 8;

  @Provide
  Arbitrary<List<Integer>> operations() {
    return Arbitraries.integers().between(0, 99_999).list().ofMinSize(1).ofMaxSize(120);
  }

  @Provide
  Arbitrary<Double> balanceFactors() {
    return Arbitraries.of(1.01, 1.1, 1.25, 1.5, 3.0);
  }

  @Property(tries = 100)
  void everyChoiceMatchesTheModelAndMeetsTheBound(
      @ForAll("operations") List<Integer> operations,
      @ForAll("balanceFactors") double c,
      @ForAll @IntRange(min = 1, max = NODE_POOL) int initialNodes) {
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(c).build();
    Model model = new Model(c);
    for (int i = 0; i < initialNodes; i++) {
      balancer.add("n" + i);
      model.add("n" + i);
    }
    long[] keys = new SplittableRandom(operations.hashCode()).longs(KEYS).toArray();
    List<String> held = new ArrayList<>();

    for (int op : operations) {
      int arg = op / 10;
      switch (op % 10) {
        case 0, 1, 2, 3, 4 -> {
          double u = (arg % 1000) / 1000.0;
          long key = keys[(int) (u * u * u * KEYS)]; // key 0 is hot, the last ones are rare
          if (model.loads.isEmpty()) {
            assertThatThrownBy(() -> balancer.acquire(key))
                .isInstanceOf(IllegalStateException.class);
            break;
          }
          String expected = model.acquire(key);
          String node = balancer.acquire(key);
          assertThat(node).isEqualTo(expected);
          assertThat(balancer.load(node))
              .isLessThanOrEqualTo(
                  BoundedLoadBalancerTest.capacity(c, balancer.totalLoad(), 1, model.loads.size()));
          held.add(node);
        }
        case 5, 6, 7 -> {
          if (!held.isEmpty()) {
            String node = held.remove(arg % held.size());
            assertThat(balancer.release(node)).isEqualTo(model.release(node));
          }
        }
        case 8 -> {
          String node = "n" + (arg % (NODE_POOL + 2)); // sometimes never a member
          assertThat(balancer.release(node)).isEqualTo(model.release(node));
        }
        default -> {
          String node = "n" + (arg % NODE_POOL);
          if (model.loads.containsKey(node)) {
            assertThat(balancer.remove(node)).isTrue();
            model.remove(node);
          } else {
            balancer.add(node);
            model.add(node);
          }
        }
      }
      assertThat(balancer.nodes()).containsExactlyElementsOf(model.loads.keySet());
      long sum = 0;
      for (int i = 0; i < NODE_POOL + 2; i++) {
        String node = "n" + i;
        assertThat(balancer.load(node)).isEqualTo(model.loads.getOrDefault(node, 0L));
        sum += balancer.load(node);
      }
      assertThat(balancer.totalLoad()).isEqualTo(model.total).isEqualTo(sum);
    }
    assertThat(balancer.overflows()).isZero();
  }

  /** Loads by id, a plain ring, and the documented probe order with the bound in exact math. */
  private static final class Model {
    final BigDecimal c;
    final TreeMap<String, Long> loads = new TreeMap<>();
    final HashRing<String> ring = HashRing.<String>builder(id -> id).build();
    long total;

    Model(double c) {
      this.c = new BigDecimal(c);
    }

    void add(String node) {
      loads.put(node, 0L);
      ring.add(node);
    }

    void remove(String node) {
      total -= loads.remove(node);
      ring.remove(node);
    }

    boolean release(String node) {
      Long load = loads.get(node);
      if (load == null || load == 0) {
        return false;
      }
      loads.put(node, load - 1);
      total--;
      return true;
    }

    String acquire(long key) {
      long withThis = total + 1;
      for (int probe = 0; probe < BoundedLoadBalancer.MAX_PROBES; probe++) {
        String node = ring.ownerOf(probe == 0 ? key : BoundedLoadBalancer.probeHash(key, probe));
        if (fits(node, withThis)) {
          return place(node);
        }
      }
      List<String> ids = new ArrayList<>(loads.keySet());
      int start = BoundedLoadBalancer.scanStart(key, ids.size());
      for (int j = 0; j < ids.size(); j++) {
        String node = ids.get((start + j) % ids.size());
        if (fits(node, withThis)) {
          return place(node);
        }
      }
      throw new AssertionError("used from one thread, some node always has room");
    }

    /** load + 1 <= ceil(c * total / n), i.e. load * n < c * total, exactly. */
    private boolean fits(String node, long withThis) {
      BigDecimal used = BigDecimal.valueOf(loads.get(node) * loads.size());
      return used.compareTo(c.multiply(BigDecimal.valueOf(withThis))) < 0;
    }

    private String place(String node) {
      loads.merge(node, 1L, Long::sum);
      total++;
      return node;
    }
  }
}
