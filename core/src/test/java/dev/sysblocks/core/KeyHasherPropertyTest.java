package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The documented equivalences of the built-in hashers, checked against simple reference encodings,
 * and a statistical check of the mixing quality that placement relies on.
 */
class KeyHasherPropertyTest {

  private static final KeyHasher[] HASHERS = {
    KeyHasher.xxh3(), KeyHasher.xxh3(0x5eed_cafe_f00dL), KeyHasher.randomlySeeded()
  };

  /** Fixed seeds only, so the statistical checks below give the same verdict on every run. */
  private static final KeyHasher[] FIXED_HASHERS = {
    KeyHasher.xxh3(), KeyHasher.xxh3(0x5eed_cafe_f00dL), KeyHasher.xxh3(-7L)
  };

  @Property
  void charSequenceHashEqualsHashOfUtf16LittleEndianBytes(@ForAll String key) {
    byte[] utf16le = key.getBytes(StandardCharsets.UTF_16LE);
    for (KeyHasher h : HASHERS) {
      assertThat(h.hash(key)).isEqualTo(h.hash(utf16le));
    }
  }

  @Property
  @SuppressWarnings("UnnecessaryStringBuilder") // the point is a CharSequence that is not a String
  void anyCharSequenceWithTheSameCharsHashesTheSame(@ForAll String key) {
    for (KeyHasher h : HASHERS) {
      assertThat(h.hash(new StringBuilder(key))).isEqualTo(h.hash(key));
      assertThat(h.hash(java.nio.CharBuffer.wrap(key))).isEqualTo(h.hash(key));
    }
  }

  @Property
  void longHashEqualsHashOfItsLittleEndianBytes(@ForAll long key) {
    byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(key).array();
    for (KeyHasher h : HASHERS) {
      assertThat(h.hash(key)).isEqualTo(h.hash(bytes));
    }
  }

  @Property
  void hashOfARangeEqualsHashOfACopyOfThatRange(
      @ForAll("arraysWithRanges") Tuple.Tuple3<byte[], Integer, Integer> in) {
    byte[] array = in.get1();
    int offset = in.get2();
    int length = in.get3();
    byte[] copy = Arrays.copyOfRange(array, offset, offset + length);
    for (KeyHasher h : HASHERS) {
      assertThat(h.hash(array, offset, length)).isEqualTo(h.hash(copy));
    }
  }

  @Provide
  Arbitrary<Tuple.Tuple3<byte[], Integer, Integer>> arraysWithRanges() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofMaxSize(300)
        .flatMap(
            array ->
                Combinators.combine(
                        Arbitraries.integers().between(0, array.length),
                        Arbitraries.integers().between(0, array.length))
                    .as(
                        (a, b) ->
                            Tuple.of(array, Math.min(a, b), Math.max(a, b) - Math.min(a, b))));
  }

  /**
   * Avalanche: flipping one input bit should flip each output bit with probability 1/2, so about 32
   * of the 64 output bits on average. A weak mix (identity, String.hashCode-like) fails this badly.
   */
  @Test
  void flippingOneInputBitFlipsHalfTheOutputBitsOnAverage() {
    SplittableRandom random = new SplittableRandom(42);
    for (KeyHasher h : FIXED_HASHERS) {
      long flippedBits = 0;
      int trials = 0;
      for (int i = 0; i < 2_000; i++) {
        long key = random.nextLong();
        long base = h.hash(key);
        for (int bit = 0; bit < 64; bit++) {
          flippedBits += Long.bitCount(base ^ h.hash(key ^ (1L << bit)));
          trials++;
        }
      }
      double mean = (double) flippedBits / trials;
      // 128,000 trials of Binomial(64, 1/2): the standard error of the mean is 4/sqrt(128000) ~
      // 0.011.
      assertThat(mean).as("mean flipped bits for %s", h).isBetween(31.9, 32.1);
    }
  }

  @Test
  void similarStringKeysSpreadEvenlyOverBuckets() {
    // "user:0" .. "user:99999" into 64 buckets by the top 6 bits: a chi-square check of uniformity.
    int buckets = 64;
    int keys = 100_000;
    for (KeyHasher h : FIXED_HASHERS) {
      int[] counts = new int[buckets];
      for (int i = 0; i < keys; i++) {
        counts[(int) (h.hash("user:" + i) >>> 58)]++;
      }
      double expected = (double) keys / buckets;
      double chiSquare = 0;
      for (int c : counts) {
        chiSquare += (c - expected) * (c - expected) / expected;
      }
      // 63 degrees of freedom: the 99.99th percentile of chi-square(63) is about 112.
      assertThat(chiSquare).as("chi-square for %s", h).isLessThan(112.0);
    }
  }
}
