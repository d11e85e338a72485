package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BoundedLoadBalancerTest {

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("node-" + i);
    }
    return ids;
  }

  private static BoundedLoadBalancer<String> balancer(int n, double c) {
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(c).build();
    balancer.addAll(ids(n));
    return balancer;
  }

  /** {@code ceil(c * total * weight / totalWeight)}, computed exactly. */
  static long capacity(double c, long total, double weight, double totalWeight) {
    return new BigDecimal(c)
        .multiply(BigDecimal.valueOf(total))
        .multiply(new BigDecimal(weight))
        .divide(new BigDecimal(totalWeight), 0, RoundingMode.CEILING)
        .longValueExact();
  }

  private static long sumOfLoads(BoundedLoadBalancer<String> balancer) {
    long sum = 0;
    for (String node : balancer.nodes()) {
      sum += balancer.load(node);
    }
    return sum;
  }

  @Test
  void javadocExampleWorks() {
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(1.25).build();
    balancer.addAll(List.of("cache-a", "cache-b", "cache-c"));
    String node = balancer.acquire("user:42"); // one unit of load on the chosen node
    try {
      assertThat(balancer.load(node)).isEqualTo(1);
    } finally {
      balancer.release(node); // the unit is given back
    }
    assertThat(balancer.totalLoad()).isZero();
  }

  @Test
  void withoutLoadEveryKeyGoesToItsRingOwner() {
    BoundedLoadBalancer<String> balancer = balancer(10, 1.25);
    HashRing<String> ring = HashRing.<String>builder(id -> id).build();
    ring.addAll(ids(10));
    SplittableRandom random = new SplittableRandom(61);
    for (int i = 0; i < 20_000; i++) {
      long key = random.nextLong();
      String node = balancer.acquire(key);
      assertThat(node).isEqualTo(ring.ownerOf(key));
      assertThat(balancer.release(node)).isTrue();
    }
    assertThat(balancer.acquire("user:42")).isEqualTo(ring.ownerOf("user:42"));
  }

  @Test
  void theBoundHoldsAfterEveryAcquireAtTenNodes() {
    double c = 1.25;
    BoundedLoadBalancer<String> balancer = balancer(10, c);
    SplittableRandom random = new SplittableRandom(62);
    long[] hot = random.longs(3).toArray();
    for (int i = 0; i < 100_000; i++) {
      // A third of the traffic is three hot keys; without the bound their owners would take it all.
      long key = random.nextInt(3) == 0 ? hot[random.nextInt(3)] : random.nextLong();
      String node = balancer.acquire(key);
      long total = balancer.totalLoad();
      assertThat(total).isEqualTo(i + 1);
      assertThat(balancer.load(node)).isLessThanOrEqualTo(capacity(c, total, 1, 10));
    }
    long max = balancer.nodes().stream().mapToLong(balancer::load).max().orElseThrow();
    assertThat(max).isLessThanOrEqualTo(capacity(c, 100_000, 1, 10)); // ceil(1.25 * avg) = 12,500
    assertThat(sumOfLoads(balancer)).isEqualTo(balancer.totalLoad());
    assertThat(balancer.overflows()).isZero();
  }

  @Test
  void weightedNodesGetWeightedCapacities() {
    double c = 1.1;
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(c).build();
    Map<String, Double> weights = Map.of("a", 1.0, "b", 1.0, "c", 2.0, "d", 4.0);
    weights.forEach(balancer::add);
    SplittableRandom random = new SplittableRandom(63);
    long hot = random.nextLong();
    for (int i = 0; i < 20_000; i++) {
      String node = balancer.acquire(random.nextBoolean() ? hot : random.nextLong());
      assertThat(balancer.load(node))
          .isLessThanOrEqualTo(capacity(c, balancer.totalLoad(), weights.get(node), 8.0));
    }
    // The heavy node is the only one that may hold more than a quarter of the load.
    assertThat(balancer.load("d")).isGreaterThan(balancer.load("c"));
    assertThat(balancer.overflows()).isZero();
  }

  @Test
  void aNodeTheProbesRarelyHitIsFoundByTheScanWhenOnlyItHasRoom() {
    // Every key belongs to "big" (weight 30), so "big" sits at its capacity, 1.01 * 30/31 = 97.7%
    // of the total, and the rest must go to "small". "small" owns ~3% of the ring: all 16 probes
    // of a key miss it more than half the time, and only the scan of all nodes finds it.
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(1.01).build();
    balancer.add("big", 30.0);
    balancer.add("small", 1.0);
    HashRing<String> ring = HashRing.<String>builder(id -> id).build();
    ring.add("big", 30.0);
    ring.add("small", 1.0);
    SplittableRandom random = new SplittableRandom(68);
    for (int i = 0; i < 5_000; i++) {
      long key = random.nextLong();
      if (!ring.ownerOf(key).equals("big")) {
        continue;
      }
      String node = balancer.acquire(key);
      double weight = node.equals("big") ? 30 : 1;
      assertThat(balancer.load(node))
          .isLessThanOrEqualTo(capacity(1.01, balancer.totalLoad(), weight, 31));
    }
    assertThat(balancer.load("small")).isGreaterThanOrEqualTo(balancer.totalLoad() / 50);
    assertThat(balancer.overflows()).as("placements the scan failed to find room for").isZero();
  }

  @Test
  void releasingEverythingRestoresZeroLoadAndTheRingPlacement() {
    BoundedLoadBalancer<String> balancer = balancer(5, 1.25);
    SplittableRandom random = new SplittableRandom(64);
    List<String> held = new ArrayList<>();
    long hot = random.nextLong();
    String hotOwner = balancer.acquire(hot);
    held.add(hotOwner);
    for (int i = 0; i < 1_000; i++) {
      held.add(balancer.acquire(i % 2 == 0 ? hot : random.nextLong()));
    }
    assertThat(held).filteredOn(n -> !n.equals(hotOwner)).isNotEmpty(); // the hot key overflowed
    for (String node : held) {
      assertThat(balancer.release(node)).isTrue();
    }
    assertThat(balancer.totalLoad()).isZero();
    assertThat(sumOfLoads(balancer)).isZero();
    assertThat(balancer.acquire(hot)).isEqualTo(hotOwner);
  }

  @Test
  void releasingANodeWithoutLoadOrANonMemberReturnsFalseAndChangesNothing() {
    BoundedLoadBalancer<String> balancer = balancer(3, 1.25);
    assertThat(balancer.release("node-0")).isFalse();
    assertThat(balancer.release("stranger")).isFalse();
    String node = balancer.acquire("k");
    assertThat(balancer.release(new String(node.toCharArray()))).isTrue(); // equal id, not same
    assertThat(balancer.release(node)).isFalse();
    assertThat(balancer.totalLoad()).isZero();
    assertThat(balancer.load(node)).isZero();
    assertThat(balancer.load("stranger")).isZero();
  }

  @Test
  void removingANodeDropsItsLoadWhileOtherNodesKeepTheirs() {
    BoundedLoadBalancer<String> balancer = balancer(4, 1.25);
    SplittableRandom random = new SplittableRandom(65);
    Map<String, Integer> held = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      held.merge(balancer.acquire(random.nextLong()), 1, Integer::sum);
    }
    String gone = "node-2";
    long goneLoad = balancer.load(gone);
    assertThat(goneLoad).isPositive();

    assertThat(balancer.remove(gone)).isTrue();
    assertThat(balancer.remove(gone)).isFalse();
    assertThat(balancer.totalLoad()).isEqualTo(400 - goneLoad);
    assertThat(balancer.load(gone)).isZero();
    assertThat(balancer.release(gone)).isFalse(); // a late release is ignored
    for (String node : balancer.nodes()) {
      assertThat(balancer.load(node)).isEqualTo(held.get(node).longValue());
    }
    assertThat(sumOfLoads(balancer)).isEqualTo(balancer.totalLoad());

    balancer.add(gone); // rejoins with a fresh counter; the others still keep theirs
    assertThat(balancer.load(gone)).isZero();
    balancer.add("node-9");
    assertThat(balancer.load("node-0")).isEqualTo(held.get("node-0").longValue());
    assertThat(sumOfLoads(balancer)).isEqualTo(balancer.totalLoad());
  }

  @Test
  void whenEveryNodeIsFullAcquireCountsTheUnitOnTheLeastLoadedNodeAndReportsAnOverflow() {
    BoundedLoadBalancer<String> balancer = balancer(4, 1.25);
    SplittableRandom random = new SplittableRandom(66);
    for (int i = 0; i < 40; i++) {
      balancer.acquire(random.nextLong());
    }
    // A racing acquire can read a total lower than the loads it then sees; stage that view: with
    // the total at 0, this acquire's capacity is ceil(1.25 * 1 / 4) = 1 and every node holds more.
    long loadsBefore = balancer.totalLoad();
    balancer.shiftTotalForTesting(-loadsBefore);
    long least = balancer.nodes().stream().mapToLong(balancer::load).min().orElseThrow();
    assertThat(least).isGreaterThanOrEqualTo(1);

    long key = random.nextLong();
    String expected = null;
    int start = BoundedLoadBalancer.scanStart(key, 4);
    for (int j = 0; j < 4; j++) { // first least loaded node in scan order
      String node = balancer.nodes().get((start + j) % 4);
      if (expected == null && balancer.load(node) == least) {
        expected = node;
      }
    }
    String node = balancer.acquire(key);

    assertThat(node).isEqualTo(expected);
    assertThat(balancer.load(node)).isEqualTo(least + 1);
    assertThat(balancer.overflows()).isEqualTo(1);
    assertThat(balancer.totalLoad()).isEqualTo(1); // the unit is counted like any other
  }

  @Test
  void acquireWithoutNodesThrowsAndCountsNothing() {
    BoundedLoadBalancer<String> balancer = BoundedLoadBalancer.<String>builder(id -> id).build();
    assertThatThrownBy(() -> balancer.acquire("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("there are no nodes");
    balancer.add("a");
    balancer.acquire("k");
    balancer.remove("a");
    assertThatThrownBy(() -> balancer.acquire(7L)).isInstanceOf(IllegalStateException.class);
    assertThat(balancer.totalLoad()).isZero();
  }

  @Test
  void badBalanceFactorsAreRejectedNamingTheValue() {
    for (double bad : new double[] {1.0, 0.5, 0.0, -2.0, Double.NaN}) {
      assertThatThrownBy(() -> BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("balanceFactor must be > 1: " + bad);
    }
    assertThatThrownBy(
            () ->
                BoundedLoadBalancer.<String>builder(id -> id)
                    .balanceFactor(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("balanceFactor must be finite: Infinity");
    assertThatThrownBy(
            () -> BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(2).balanceFactor(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("balanceFactor already set");
    assertThat(BoundedLoadBalancer.<String>builder(id -> id).build().balanceFactor())
        .isEqualTo(BoundedLoadBalancer.DEFAULT_BALANCE_FACTOR);
  }

  @Test
  void nullsAndBadMembersAreRejected() {
    assertThatThrownBy(() -> BoundedLoadBalancer.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("nodeId");
    assertThatThrownBy(() -> BoundedLoadBalancer.<String>builder(id -> id).keyHasher(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("hasher");
    BoundedLoadBalancer<String> balancer = balancer(2, 1.5);
    assertThatThrownBy(() -> balancer.add("node-0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node id already present: node-0");
    assertThatThrownBy(() -> balancer.add("x", 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be positive and finite: 0.0");
    assertThatThrownBy(() -> balancer.release(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("node");
    assertThatThrownBy(() -> balancer.acquire((String) null))
        .isInstanceOf(NullPointerException.class);
    assertThat(balancer.nodes()).containsExactly("node-0", "node-1");
  }

  @Test
  void overflowFromAHotKeyRangeSpreadsOverManyNodesInsteadOfTheRingSuccessor() {
    int n = 20;
    double c = 1.25;
    BoundedLoadBalancer<String> balancer = balancer(n, c);
    HashRing<String> ring = HashRing.<String>builder(id -> id).build();
    ring.addAll(ids(n));
    SplittableRandom random = new SplittableRandom(67);
    for (int i = 0; i < 10_000; i++) { // background load, about 500 per node, held throughout
      balancer.acquire(random.nextLong());
    }
    Map<String, Long> walkLoads = new HashMap<>();
    for (String node : balancer.nodes()) {
      walkLoads.put(node, balancer.load(node));
    }
    long walkTotal = balancer.totalLoad();

    // 400 distinct keys whose hashes sit in one short arc: one owner, as a hot key range would.
    long base = random.nextLong();
    String owner = ring.ownerOf(base);
    long[] hot = new long[400];
    for (int i = 0; i < hot.length; i++) {
      hot[i] = base + i;
      assertThat(ring.ownerOf(hot[i])).isEqualTo(owner);
    }

    Map<String, Integer> ours = new HashMap<>();
    Map<String, Integer> walk = new HashMap<>();
    for (long key : hot) {
      ours.merge(balancer.acquire(key), 1, Integer::sum);
      // The clockwise walk (HAProxy, Vimeo): the first node after the owner with room.
      long capacity = capacity(c, walkTotal + 1, 1, n);
      for (String node : ring.preferenceList(key, n)) {
        if (walkLoads.get(node) + 1 <= capacity) {
          walkLoads.merge(node, 1L, Long::sum);
          walk.merge(node, 1, Integer::sum);
          break;
        }
      }
      walkTotal++;
    }

    double oursMaxShare = maxOverflowShare(ours, owner);
    double walkMaxShare = maxOverflowShare(walk, owner);
    String successor = ring.preferenceList(base, 2).get(1);
    assertThat(walk.get(successor) / (double) (hot.length - walk.getOrDefault(owner, 0)))
        .as("the walk's share on the successor")
        .isEqualTo(walkMaxShare);
    assertThat(walkMaxShare).as("ring walk").isGreaterThan(0.5);
    assertThat(oursMaxShare).as("re-hash probes").isLessThan(0.15);
    assertThat(ours.size() - 1).as("nodes taking overflow").isGreaterThanOrEqualTo(n / 2);
    assertThat(balancer.overflows()).isZero();
  }

  /** The largest fraction of the overflow (units not on the owner) that one other node took. */
  private static double maxOverflowShare(Map<String, Integer> placed, String owner) {
    int overflow = 0;
    int max = 0;
    for (Map.Entry<String, Integer> e : placed.entrySet()) {
      if (!e.getKey().equals(owner)) {
        overflow += e.getValue();
        max = Math.max(max, e.getValue());
      }
    }
    assertThat(overflow).as("overflow").isPositive();
    return max / (double) overflow;
  }
}
