package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * What every stateless consistent bucket function must do ({@link JumpHash}, {@link JumpBackHash}):
 * a valid bucket, even spread, and monotonicity (one more bucket moves keys only into the new
 * bucket, and only about 1/(n+1) of them).
 */
abstract class BucketFunctionContractTest {

  abstract int bucket(long keyHash, int buckets);

  @Test
  void nonPositiveBucketCountsAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> bucket(42, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("buckets must be positive: 0");
    assertThatThrownBy(() -> bucket(42, -7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("buckets must be positive: -7");
  }

  @Test
  void oneBucketTakesEveryKey() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      assertThat(bucket(random.nextLong(), 1)).isZero();
    }
  }

  @Test
  void growingByOneBucketMovesAboutOneNthOfTheKeysAndOnlyIntoTheNewBucket() {
    int keys = 100_000;
    SplittableRandom random = new SplittableRandom(2);
    long[] hashes = new long[keys];
    for (int i = 0; i < keys; i++) {
      hashes[i] = random.nextLong();
    }
    // Small counts, both sides of powers of two (where a new range starts), and a large count.
    int[] from = {
      1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 127, 128, 129, 255, 256, 1000
    };
    for (int n : from) {
      int moved = 0;
      for (long h : hashes) {
        int before = bucket(h, n);
        int after = bucket(h, n + 1);
        if (before != after) {
          assertThat(after).as("a moved key goes to the new bucket (n=%s)", n).isEqualTo(n);
          moved++;
        }
      }
      double p = 1.0 / (n + 1);
      double expected = keys * p;
      // Binomial(keys, p): 5 standard deviations is far outside chance, tight enough to catch bias.
      double sigma = Math.sqrt(keys * p * (1 - p));
      assertThat((double) moved)
          .as("keys moved from %s to %s buckets", n, n + 1)
          .isBetween(expected - 5 * sigma, expected + 5 * sigma);
    }
  }

  @Test
  void bucketsAreEvenlyLoadedForPowersOfTwoAndInBetween() {
    for (int buckets : new int[] {100, 256, 300, 1000}) {
      int keys = 2_000 * buckets;
      int[] counts = new int[buckets];
      SplittableRandom random = new SplittableRandom(3);
      for (int i = 0; i < keys; i++) {
        counts[bucket(random.nextLong(), buckets)]++;
      }
      double expected = (double) keys / buckets;
      double chiSquare = 0;
      for (int c : counts) {
        chiSquare += (c - expected) * (c - expected) / expected;
      }
      // Chi-square with d = buckets - 1 degrees of freedom: mean d, standard deviation sqrt(2d).
      // Six standard deviations above the mean is beyond chance (about 1e-9 for a normal tail).
      double d = buckets - 1;
      assertThat(chiSquare)
          .as("chi-square for %s buckets", buckets)
          .isLessThan(d + 6 * Math.sqrt(2 * d));
    }
  }

  @Property
  void resultIsAlwaysAValidBucket(@ForAll long key, @ForAll @IntRange(min = 1) int buckets) {
    assertThat(bucket(key, buckets)).isBetween(0, buckets - 1);
  }

  /**
   * The monotonicity invariant for arbitrary keys and sizes, against the simplest reference model.
   */
  @Property
  void addingABucketMovesAKeyOnlyToTheNewBucket(
      @ForAll long key, @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - 1) int buckets) {
    int before = bucket(key, buckets);
    int after = bucket(key, buckets + 1);
    assertThat(after).isIn(before, buckets);
  }

  /** Growing one bucket at a time from 1 to 600, every key only ever moves to the newest bucket. */
  @Property(tries = 200)
  void aKeysBucketHistoryIsAChainOfJumpsToTheNewestBucket(@ForAll long key) {
    int previous = bucket(key, 1);
    for (int n = 2; n <= 600; n++) {
      int current = bucket(key, n);
      assertThat(current).isIn(previous, n - 1);
      previous = current;
    }
  }
}
