package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Random adds and removals on {@link GhostQueue} against the structure it replaced: an
 * insertion-ordered set that drops its oldest members while at capacity before an add, and keeps
 * the place of a member added again. Contents, order and answers must agree after every operation.
 * Small capacities and many removals exercise the ring's holes, its compaction and growth, and the
 * table's backward-shift deletion.
 */
class GhostQueuePropertyTest {

  @Property(tries = 500)
  void behavesExactlyLikeABoundedInsertionOrderedSet(
      @ForAll @IntRange(min = 0, max = 40) int capacity,
      @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 9_999) Integer> codes) {
    GhostQueue ghost = new GhostQueue(capacity);
    Set<Long> model = new LinkedHashSet<>();
    int keyRange = 2 * capacity + 3;
    for (int code : codes) {
      // Fingerprints of Long keys, negative ones included: what S3FifoCache stores.
      long fingerprint = GhostQueue.fingerprint((long) (code / 3 % keyRange) - keyRange / 2);
      if (code % 3 == 0) {
        assertThat(ghost.removeIfPresent(fingerprint)).isEqualTo(model.remove(fingerprint));
      } else {
        ghost.add(fingerprint);
        if (capacity > 0) {
          while (model.size() >= capacity) {
            model.remove(model.iterator().next());
          }
          model.add(fingerprint);
        }
      }
      assertThat(ghost.size()).isEqualTo(model.size());
      assertThat(ghost.fingerprintsOldestFirst())
          .containsExactly(model.stream().mapToLong(Long::longValue).toArray());
    }
  }

  @Test
  void aLargeGhostGrowsAndStillDropsExactlyTheOldest() {
    int capacity = 10_000;
    GhostQueue ghost = new GhostQueue(capacity);
    Set<Long> model = new LinkedHashSet<>();
    for (long k = 0; k < 3L * capacity; k++) {
      long added = GhostQueue.fingerprint(k);
      ghost.add(added);
      while (model.size() >= capacity) {
        model.remove(model.iterator().next());
      }
      model.add(added);
      if (k % 3 == 0) { // remove one from the middle: holes all over the ring
        long removed = GhostQueue.fingerprint(k - k / 4);
        assertThat(ghost.removeIfPresent(removed)).isEqualTo(model.remove(removed));
      }
    }
    assertThat(ghost.size()).isEqualTo(model.size());
    assertThat(ghost.fingerprintsOldestFirst())
        .containsExactly(model.stream().mapToLong(Long::longValue).toArray());
  }

  @Test
  void longKeysGetDistinctFingerprintsAndZeroIsNeverOne() {
    // The finalizer is a bijection, so distinct Long keys never share a fingerprint; 0 marks an
    // empty slot, so the key that mixes to 0 (the value 0 itself) is moved to 1.
    assertThat(GhostQueue.fingerprint(0L)).isEqualTo(1L);
    Set<Long> seen = new HashSet<>();
    for (long k = -50_000; k < 50_000; k++) {
      assertThat(seen.add(GhostQueue.fingerprint(k))).isTrue();
    }
    assertThat(GhostQueue.fingerprint(7)).isEqualTo(GhostQueue.fingerprint(7L)); // Integer: value
  }
}
