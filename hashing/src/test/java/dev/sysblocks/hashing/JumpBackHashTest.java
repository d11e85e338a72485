package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JumpBackHashTest extends BucketFunctionContractTest {
  @Override
  int bucket(long keyHash, int buckets) {
    return JumpBackHash.bucket(keyHash, buckets);
  }

  @Test
  void placementsArePinned() {
    // If these change, every user's shard assignment changes: find out why instead of updating
    // them.
    assertThat(JumpBackHash.bucket(0L, 10)).isEqualTo(7);
    assertThat(JumpBackHash.bucket(1L, 10)).isEqualTo(5);
    assertThat(JumpBackHash.bucket(0xDEADBEEFL, 1000)).isEqualTo(923);
    assertThat(JumpBackHash.bucket(-1L, 300)).isEqualTo(288);
    assertThat(JumpBackHash.bucket(42L, Integer.MAX_VALUE)).isEqualTo(500642342);
    // Keys whose rejection loop accepts the high half of a draw word (found and computed by an
    // independent Python transcription of the class comment's algorithm).
    assertThat(JumpBackHash.bucket(14L, 10)).isEqualTo(8);
    assertThat(JumpBackHash.bucket(103L, 10)).isEqualTo(8);
    assertThat(JumpBackHash.bucket(123L, 10)).isEqualTo(9);
  }
}
