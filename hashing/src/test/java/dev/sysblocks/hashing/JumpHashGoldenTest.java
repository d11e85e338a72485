package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Jump hash placements are pinned: against Guava over a million keys, and as literal values. */
class JumpHashGoldenTest {

  @Test
  void agreesWithGuavaConsistentHashOnAMillionKeys() {
    SplittableRandom random = new SplittableRandom(20140606);
    int[] bucketCounts = {1, 2, 3, 10, 100, 1000, 65_537, Integer.MAX_VALUE};
    for (int i = 0; i < 1_000_000; i++) {
      long key = random.nextLong();
      int buckets =
          i % 2 == 0
              ? bucketCounts[i % bucketCounts.length]
              : 1 + random.nextInt(Integer.MAX_VALUE);
      int ours = JumpHash.bucket(key, buckets);
      if (ours != Hashing.consistentHash(key, buckets)) {
        assertThat(ours)
            .as("bucket(%s, %s)", key, buckets)
            .isEqualTo(Hashing.consistentHash(key, buckets));
      }
    }
  }

  @Test
  void pinnedValues() {
    // Literal values (taken from Guava 33.5): if these change, every user's shard assignment
    // changes.
    assertThat(JumpHash.bucket(0L, 10)).isEqualTo(0);
    assertThat(JumpHash.bucket(1L, 10)).isEqualTo(6);
    assertThat(JumpHash.bucket(0xDEADBEEFL, 1000)).isEqualTo(285);
    assertThat(JumpHash.bucket(-1L, Integer.MAX_VALUE)).isEqualTo(699554662);
  }
}
