package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Jump hash against its defining properties, for arbitrary keys and bucket counts. */
class JumpHashPropertyTest {

  @Property
  void resultIsAlwaysAValidBucket(@ForAll long key, @ForAll @IntRange(min = 1) int buckets) {
    assertThat(JumpHash.bucket(key, buckets)).isBetween(0, buckets - 1);
  }

  /**
   * The monotonicity invariant, checked against the simplest possible reference: with one more
   * bucket a key either stays where it was or moves to the new bucket.
   */
  @Property
  void addingABucketMovesAKeyOnlyToTheNewBucket(
      @ForAll long key, @ForAll @IntRange(min = 1, max = 1 << 30) int buckets) {
    int before = JumpHash.bucket(key, buckets);
    int after = JumpHash.bucket(key, buckets + 1);
    assertThat(after).isIn(before, buckets);
  }

  @Property
  void isAPureFunction(@ForAll long key, @ForAll @IntRange(min = 1) int buckets) {
    assertThat(JumpHash.bucket(key, buckets)).isEqualTo(JumpHash.bucket(key, buckets));
  }
}
