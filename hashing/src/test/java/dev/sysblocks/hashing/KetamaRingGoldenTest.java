package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeKeyFormatter;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;
import org.junit.jupiter.api.Test;

/**
 * KetamaRing against the reference: spymemcached's KetamaNodeLocator (default KETAMA_HASH and node
 * key format), fed the same servers in id order. Every key must land on the same server.
 */
class KetamaRingGoldenTest {

  static {
    // KetamaNodeLocator asserts that its map holds 160 points per node, which is false for its own
    // weighted layout; surefire runs with -ea. Assertion status is fixed when the class
    // initializes,
    // and nothing else in this JVM touches spymemcached before this test.
    KetamaRingGoldenTest.class
        .getClassLoader()
        .setClassAssertionStatus("net.spy.memcached.KetamaNodeLocator", false);
  }

  /** A memcached node that only knows its address: all KetamaNodeLocator asks of it. */
  private static MemcachedNode node(InetSocketAddress address) {
    return (MemcachedNode)
        Proxy.newProxyInstance(
            MemcachedNode.class.getClassLoader(),
            new Class<?>[] {MemcachedNode.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getSocketAddress" -> address;
                  case "toString" -> address.toString();
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /** "10.0.i.j:11211"-style ids, sorted as strings (the order both sides are given). */
  private static List<String> serverIds(int n) {
    TreeSet<String> ids = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      ids.add("10.0." + (i / 200) + "." + (i % 200 + 1) + ":" + (11211 + i % 3));
    }
    return new ArrayList<>(ids);
  }

  private static InetSocketAddress address(String id) throws UnknownHostException {
    String[] hostPort = id.split(":", -1);
    String[] octets = hostPort[0].split("\\.", -1);
    byte[] ip = new byte[4];
    for (int i = 0; i < 4; i++) {
      ip[i] = (byte) Integer.parseInt(octets[i]);
    }
    return new InetSocketAddress(InetAddress.getByAddress(ip), Integer.parseInt(hostPort[1]));
  }

  @Test
  void everyKeyLandsOnTheServerSpymemcachedPicks() throws UnknownHostException {
    for (int n : new int[] {1, 3, 10, 100, 400}) {
      List<String> ids = serverIds(n);
      List<MemcachedNode> nodes = new ArrayList<>();
      for (String id : ids) {
        nodes.add(node(address(id)));
      }
      KetamaNodeLocator reference = new KetamaNodeLocator(nodes, DefaultHashAlgorithm.KETAMA_HASH);
      KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).build();
      ring.addAll(ids);

      SplittableRandom random = new SplittableRandom(n);
      for (int i = 0; i < 20_000; i++) {
        String key = "key:" + Long.toHexString(random.nextLong());
        String expected = reference.getPrimary(key).getSocketAddress().toString().substring(1);
        assertThat(ring.ownerOf(key))
            .as("owner of %s among %s servers", key, n)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void placementsArePinned() {
    // Values computed independently (Python hashlib) from the layout described in KetamaRing.
    KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).build();
    ring.addAll(List.of("10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"));
    assertThat(ring.keyHasher().hash("user:42")).isEqualTo(417_323_606L);
    assertThat(ring.ownerOf("user:42")).isEqualTo("10.0.0.1:11211");
  }

  @Test
  void weightedRingsLandEveryKeyOnTheServerSpymemcachedPicks() throws UnknownHostException {
    for (int n : new int[] {1, 2, 7, 50}) {
      List<String> ids = serverIds(n);
      List<MemcachedNode> nodes = new ArrayList<>();
      Map<InetSocketAddress, Integer> weights = new HashMap<>();
      KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).weighted().build();
      SplittableRandom random = new SplittableRandom(100 + n);
      for (String id : ids) {
        InetSocketAddress address = address(id);
        nodes.add(node(address));
        int weight = 1 + random.nextInt(9);
        weights.put(address, weight);
        ring.add(id, weight);
      }
      KetamaNodeLocator reference =
          new KetamaNodeLocator(
              nodes,
              DefaultHashAlgorithm.KETAMA_HASH,
              KetamaNodeKeyFormatter.Format.SPYMEMCACHED,
              weights);
      for (int i = 0; i < 20_000; i++) {
        String key = "key:" + Long.toHexString(random.nextLong());
        String expected = reference.getPrimary(key).getSocketAddress().toString().substring(1);
        assertThat(ring.ownerOf(key))
            .as("owner of %s among %s weighted servers", key, n)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void theWeightedLayoutGivesPointsInProportionToWeight() {
    // 3 nodes of weights 1, 2, 3: floor(w / 6 * 40 * 3) repetitions = 20, 40, 60.
    assertThat(KetamaRing.weightedRepetitions(1, 6, 3)).isEqualTo(20);
    assertThat(KetamaRing.weightedRepetitions(2, 6, 3)).isEqualTo(40);
    assertThat(KetamaRing.weightedRepetitions(3, 6, 3)).isEqualTo(60);
  }

  @Test
  void theUnweightedRingAcceptsOnlyWeightOne() {
    KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).build();
    assertThatThrownBy(() -> ring.add("10.0.0.1:11211", 2.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unweighted Ketama supports weight 1 only (see Builder.weighted()): 2.0");
  }

  @Test
  void theWeightedRingAcceptsOnlyWholeWeightsInRange() {
    KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).weighted().build();
    for (double bad : new double[] {0.5, 2.5, 0, -1, 65_537, Double.NaN}) {
      assertThatThrownBy(() -> ring.add("10.0.0.1:11211", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("weighted Ketama takes whole weights from 1 to 65536: " + bad);
    }
    assertThatThrownBy(() -> KetamaRing.<String>builder(id -> id).weighted().weighted())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("weighted was already set");
  }
}
