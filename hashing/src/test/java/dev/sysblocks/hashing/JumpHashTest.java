package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JumpHashTest {

  @Test
  void nonPositiveBucketCountsAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> JumpHash.bucket(42, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("buckets must be positive: 0");
    assertThatThrownBy(() -> JumpHash.bucket(42, -7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("buckets must be positive: -7");
  }

  @Test
  void oneBucketTakesEveryKey() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      assertThat(JumpHash.bucket(random.nextLong(), 1)).isZero();
    }
  }

  @Test
  void growingByOneBucketMovesAboutOneNthOfTheKeysAndOnlyIntoTheNewBucket() {
    int keys = 200_000;
    SplittableRandom random = new SplittableRandom(2);
    long[] hashes = new long[keys];
    for (int i = 0; i < keys; i++) {
      hashes[i] = random.nextLong();
    }
    for (int n = 1; n < 40; n++) {
      int moved = 0;
      for (long h : hashes) {
        int before = JumpHash.bucket(h, n);
        int after = JumpHash.bucket(h, n + 1);
        if (before != after) {
          assertThat(after).as("a moved key goes to the new bucket").isEqualTo(n);
          moved++;
        }
      }
      double expected = (double) keys / (n + 1);
      // Binomial(keys, 1/(n+1)): 5 standard deviations is far outside chance, tight enough to catch
      // bias.
      double sigma = Math.sqrt(keys * (1.0 / (n + 1)) * (1 - 1.0 / (n + 1)));
      assertThat((double) moved)
          .as("keys moved from %s to %s buckets", n, n + 1)
          .isBetween(expected - 5 * sigma, expected + 5 * sigma);
    }
  }

  @Test
  void bucketsAreEvenlyLoaded() {
    int buckets = 100;
    int keys = 1_000_000;
    int[] counts = new int[buckets];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < keys; i++) {
      counts[JumpHash.bucket(random.nextLong(), buckets)]++;
    }
    double expected = (double) keys / buckets;
    double chiSquare = 0;
    for (int c : counts) {
      chiSquare += (c - expected) * (c - expected) / expected;
    }
    // 99 degrees of freedom: the 99.99th percentile of chi-square(99) is about 157.
    assertThat(chiSquare).isLessThan(157.0);
  }
}
