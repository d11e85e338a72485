package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Preference lists spread over zones: no two replicas in one zone while zones remain. */
class HashRingZoneTest {

  /** Node ids look like "zone/name". */
  private static String zone(String id) {
    return id.substring(0, id.indexOf('/'));
  }

  private static HashRing<String> zonedRing(List<String> ids) {
    HashRing<String> ring =
        HashRing.<String>builder(id -> id).virtualNodes(100).zoneOf(HashRingZoneTest::zone).build();
    ring.addAll(ids);
    return ring;
  }

  private static final List<String> NODES =
      List.of("a/1", "a/2", "a/3", "a/4", "b/1", "b/2", "c/1", "c/2", "c/3");

  @Test
  void replicasCoverDistinctZonesFirstThenFillInRingOrder() {
    HashRing<String> ring = zonedRing(NODES);
    HashRing<String> plain = HashRing.<String>builder(id -> id).virtualNodes(100).build();
    plain.addAll(NODES);
    SplittableRandom random = new SplittableRandom(81);
    for (int i = 0; i < 5_000; i++) {
      long key = random.nextLong();
      List<String> three = ring.preferenceList(key, 3);
      Set<String> zones = new HashSet<>();
      three.forEach(n -> zones.add(zone(n)));
      assertThat(zones).as("zones of %s", three).hasSize(3);
      assertThat(three.get(0)).isEqualTo(plain.ownerOf(key));
      List<String> five = ring.preferenceList(key, 5);
      assertThat(five.subList(0, 3)).isEqualTo(three);
      assertThat(new HashSet<>(ring.preferenceList(key, 9))).hasSize(9);
    }
  }

  @Test
  void aFailedChangeLeavesTheRingAsItWas() {
    HashRing<String> ring =
        HashRing.<String>builder(id -> id).zoneOf(id -> id.startsWith("x") ? null : "z").build();
    ring.add("a");
    assertThatThrownBy(() -> ring.add("x1"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("zone");
    assertThat(ring.nodes()).containsExactly("a");
    ring.add("b"); // x1 did not stay behind as a half-added member
    assertThat(ring.nodes()).containsExactly("a", "b");
  }

  @Test
  void tooManyZonesAreRejected() {
    HashRing<String> ring =
        HashRing.<String>builder(id -> id).virtualNodes(1).zoneOf(id -> id).build();
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 65; i++) {
      ids.add("zone-" + i);
    }
    assertThatThrownBy(() -> ring.addAll(ids))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("at most 64 zones: 65");
    assertThat(ring.size()).isZero();
  }

  @Test
  void zoneOfIsSetOnceAndNotNull() {
    assertThatThrownBy(() -> HashRing.<String>builder(id -> id).zoneOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("zoneOf");
    assertThatThrownBy(() -> HashRing.<String>builder(id -> id).zoneOf(id -> "a").zoneOf(id -> "b"))
        .isInstanceOf(IllegalStateException.class);
  }
}
