package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.KeyHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** toBytes and the builders' restore: a restored locator places every key as the original. */
class PlacementSnapshotTest {

  /** A node object distinct from its id, so that restore must resolve ids through nodeById. */
  record Server(String id) {}

  private static final Function<Server, String> ID = Server::id;

  private static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(new Server("server-" + i));
    }
    return servers;
  }

  private static Function<String, Server> directory(List<Server> servers) {
    Map<String, Server> byId = new HashMap<>();
    servers.forEach(s -> byId.put(s.id(), s));
    return byId::get;
  }

  /** Adds servers with varied weights, removes a few: a history the bytes must capture. */
  private static <L extends CopyOnWriteMembership<Server, ?>> L populate(
      L locator, List<Server> servers, boolean wholeWeights) {
    SplittableRandom random = new SplittableRandom(7);
    for (Server s : servers) {
      double weight = wholeWeights ? 1 + random.nextInt(5) : 0.5 + random.nextDouble() * 3;
      locator.add(s, weight);
    }
    locator.remove(servers.get(3));
    locator.remove(servers.get(11));
    return locator;
  }

  private static void assertSamePlacements(NodeLocator<Server> a, NodeLocator<Server> b) {
    assertThat(b.nodes()).isEqualTo(a.nodes());
    SplittableRandom random = new SplittableRandom(8);
    Server[] outA = new Server[3];
    Server[] outB = new Server[3];
    for (int i = 0; i < 20_000; i++) {
      String key = "key-" + random.nextLong();
      assertThat(b.ownerOf(key)).isEqualTo(a.ownerOf(key));
      long hash = random.nextLong();
      a.preferenceList(hash, outA);
      b.preferenceList(hash, outB);
      assertThat(outB).containsExactly(outA);
    }
  }

  @Test
  void aRestoredHashRingPlacesEveryKeyAsTheOriginal() {
    List<Server> servers = servers(40);
    HashRing<Server> ring =
        populate(HashRing.builder(ID).virtualNodes(200).build(), servers, false);
    byte[] bytes = ring.toBytes();
    HashRing<Server> restored = HashRing.builder(ID).restore(bytes, directory(servers));
    assertSamePlacements(ring, restored);
    assertThat(restored.pointCount()).isEqualTo(ring.pointCount());
    assertThat(restored.toBytes()).isEqualTo(bytes);
  }

  @Test
  void aRestoredRendezvousHashPlacesEveryKeyAsTheOriginal() {
    List<Server> servers = servers(30);
    RendezvousHash<Server> hash = populate(RendezvousHash.builder(ID).build(), servers, false);
    byte[] bytes = hash.toBytes();
    RendezvousHash<Server> restored = RendezvousHash.builder(ID).restore(bytes, directory(servers));
    assertSamePlacements(hash, restored);
    assertThat(restored.toBytes()).isEqualTo(bytes);
  }

  @Test
  void aRestoredMaglevHashHasTheSameTable() {
    List<Server> servers = servers(30);
    for (MaglevHash<Server> hash :
        List.of(
            populate(MaglevHash.builder(ID).slotsPerNode(50).build(), servers, false),
            populate(MaglevHash.builder(ID).tableSize(4099).build(), servers, false))) {
      byte[] bytes = hash.toBytes();
      MaglevHash<Server> restored = MaglevHash.builder(ID).restore(bytes, directory(servers));
      assertThat(restored.tableSize()).isEqualTo(hash.tableSize());
      assertSamePlacements(hash, restored);
      assertThat(restored.toBytes()).isEqualTo(bytes);
    }
  }

  @Test
  void aRestoredKetamaRingKeepsItsLayout() {
    List<Server> servers = servers(20);
    KetamaRing<Server> weighted =
        populate(KetamaRing.builder(ID).weighted().build(), servers, true);
    KetamaRing<Server> restored =
        KetamaRing.builder(ID).restore(weighted.toBytes(), directory(servers));
    assertSamePlacements(weighted, restored);

    KetamaRing<Server> plain = KetamaRing.builder(ID).build();
    plain.addAll(servers);
    assertSamePlacements(
        plain, KetamaRing.builder(ID).restore(plain.toBytes(), directory(servers)));
    assertThatThrownBy(
            () -> KetamaRing.builder(ID).weighted().restore(plain.toBytes(), directory(servers)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weighted() was set but the snapshot holds an unweighted ring");
  }

  @Test
  void aRestoredMementoHashKeepsItsRemovalHistory() {
    List<Server> servers = servers(40);
    MementoHash<Server> hash = MementoHash.builder(ID).build();
    hash.addAll(servers);
    hash.remove(servers.get(3));
    hash.remove(servers.get(17));
    hash.remove(servers.get(29));
    hash.add(servers.get(17)); // takes back the bucket of the latest removal
    byte[] bytes = hash.toBytes();
    MementoHash<Server> restored = MementoHash.builder(ID).restore(bytes, directory(servers));
    assertSamePlacements(hash, restored);
    assertThat(restored.toBytes()).isEqualTo(bytes);
    // The history, not only the members, is restored: the next changes move the same keys.
    hash.remove(servers.get(5));
    restored.remove(servers.get(5));
    hash.add(servers.get(3));
    restored.add(servers.get(3));
    assertSamePlacements(hash, restored);
    for (Server s : servers) {
      assertThat(restored.bucketOf(s.id())).isEqualTo(hash.bucketOf(s.id()));
    }
  }

  @Test
  void aMementoSnapshotWhoseHistoryIsInconsistentIsRefused() {
    List<Server> servers = servers(5);
    MementoHash<Server> hash = MementoHash.builder(ID).build();
    hash.addAll(servers);
    hash.remove(servers.get(1));
    byte[] bytes = hash.toBytes();
    // The last int before the checksum is the bucket of the last member (server-4): point it at
    // the removed bucket 1, and fix the checksum so that only the consistency check can object.
    byte[] tampered = bytes.clone();
    int at = tampered.length - 8;
    tampered[at] = 0;
    tampered[at + 1] = 0;
    tampered[at + 2] = 0;
    tampered[at + 3] = 1;
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(tampered, 0, tampered.length - 4);
    int sum = (int) crc.getValue();
    for (int i = 0; i < 4; i++) {
      tampered[tampered.length - 4 + i] = (byte) (sum >>> (24 - 8 * i));
    }
    assertThatThrownBy(() -> MementoHash.builder(ID).restore(tampered, directory(servers)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("snapshot is corrupt: every member holds its own working bucket");
    assertThatThrownBy(() -> HashRing.builder(ID).restore(bytes, id -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("snapshot holds a MementoHash, not a HashRing");
  }

  @Test
  void anEmptyLocatorRoundTrips() {
    HashRing<Server> ring = HashRing.builder(ID).build();
    HashRing<Server> restored = HashRing.builder(ID).restore(ring.toBytes(), id -> null);
    assertThat(restored.size()).isZero();
  }

  @Test
  void aSnapshotRestoresOnlyWithTheHasherItWasTakenWith() {
    List<Server> servers = servers(5);
    HashRing<Server> ring = HashRing.builder(ID).keyHasher(KeyHasher.xxh3(42)).build();
    ring.addAll(servers);
    byte[] bytes = ring.toBytes();
    assertThatThrownBy(() -> HashRing.builder(ID).restore(bytes, directory(servers)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the hasher the snapshot was taken with");
    HashRing<Server> restored =
        HashRing.builder(ID).keyHasher(KeyHasher.xxh3(42)).restore(bytes, directory(servers));
    assertSamePlacements(ring, restored);
  }

  @Test
  void aSnapshotOfOneAlgorithmDoesNotRestoreAsAnother() {
    RendezvousHash<Server> hash = RendezvousHash.builder(ID).build();
    hash.addAll(servers(3));
    assertThatThrownBy(() -> HashRing.builder(ID).restore(hash.toBytes(), id -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("snapshot holds a RendezvousHash, not a HashRing");
  }

  @Test
  void settingsMadeOnTheBuilderMustMatchTheSnapshot() {
    HashRing<Server> ring = HashRing.builder(ID).virtualNodes(100).build();
    byte[] bytes = ring.toBytes();
    assertThatThrownBy(() -> HashRing.builder(ID).virtualNodes(160).restore(bytes, id -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("virtualNodes was set to 160 but the snapshot holds 100");
    MaglevHash<Server> maglev = MaglevHash.builder(ID).tableSize(65_537).build();
    assertThatThrownBy(
            () -> MaglevHash.builder(ID).tableSize(4099).restore(maglev.toBytes(), id -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize was set to 4099 but the snapshot holds 65537");
  }

  @Test
  void aCorruptedByteIsDetected() {
    HashRing<Server> ring = HashRing.builder(ID).build();
    List<Server> servers = servers(4);
    ring.addAll(servers);
    byte[] bytes = ring.toBytes();
    for (int i = 0; i < bytes.length; i++) {
      byte[] corrupt = bytes.clone();
      corrupt[i] ^= 0x10;
      assertThatThrownBy(() -> HashRing.builder(ID).restore(corrupt, directory(servers)))
          .as("flipped a bit in byte %s", i)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageMatching("not a sysblocks placement snapshot.*|snapshot is corrupt.*");
    }
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 9);
    assertThatThrownBy(() -> HashRing.builder(ID).restore(truncated, directory(servers)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("snapshot is corrupt");
    assertThatThrownBy(() -> HashRing.builder(ID).restore(new byte[3], directory(servers)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a sysblocks placement snapshot: 3 bytes");
  }

  @Test
  void aNewerFormatVersionIsRefusedByName() {
    HashRing<Server> ring = HashRing.builder(ID).build();
    byte[] bytes = ring.toBytes();
    bytes[5] = 2; // the version's low byte
    rechecksum(bytes);
    assertThatThrownBy(() -> HashRing.builder(ID).restore(bytes, id -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "snapshot format version 2 is not readable by this library, which reads version 1");
  }

  @Test
  void nodeByIdMustResolveEveryIdToThatNode() {
    List<Server> servers = servers(3);
    HashRing<Server> ring = HashRing.builder(ID).build();
    ring.addAll(servers);
    byte[] bytes = ring.toBytes();
    assertThatThrownBy(() -> HashRing.builder(ID).restore(bytes, id -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nodeById returned null for snapshot node server-0");
    assertThatThrownBy(() -> HashRing.builder(ID).restore(bytes, id -> new Server("other")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nodeById returned a node whose id is other for snapshot node server-0");
    assertThatThrownBy(() -> HashRing.builder(ID).restore(null, id -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("snapshot");
    assertThatThrownBy(() -> HashRing.builder(ID).restore(bytes, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("nodeById");
  }

  @Test
  void theFormatIsPinned() {
    // A change to these bytes breaks every stored snapshot: bump PlacementFormat.VERSION instead.
    RendezvousHash<String> hash = RendezvousHash.<String>builder(id -> id).build();
    hash.add("a", 1.0);
    hash.add("b", 2.5);
    // Decoded by hand (and the CRC-32 checked with Python's zlib): magic "SBLP", version 1, kind 3,
    // the xxh3 fingerprint, 2 nodes, then ("a", 1.0) and ("b", 2.5), then the checksum.
    assertThat(hex(hash.toBytes()))
        .isEqualTo(
            "53424c50"
                + "0001"
                + "03"
                + "2964e59331bf25a2"
                + "00000002"
                + "000161"
                + "3ff0000000000000"
                + "000162"
                + "4004000000000000"
                + "7e11b8f3");
  }

  private static void rechecksum(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    int value = (int) crc.getValue();
    for (int i = 0; i < 4; i++) {
      bytes[bytes.length - 4 + i] = (byte) (value >>> (24 - 8 * i));
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format("%02x", b));
    }
    return out.toString();
  }
}
