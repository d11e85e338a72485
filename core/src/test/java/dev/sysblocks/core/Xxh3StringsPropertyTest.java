package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.dynatrace.hash4j.hashing.Hashing;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Our String-typed XXH3 ({@link Xxh3Strings}, used by {@link KeyHasher#xxh3()} and the seeded
 * hashers for Strings of up to 120 chars) must equal hash4j's {@code hashCharsToLong} bit for bit,
 * for every length, every kind of char and every seed: the pinned placements of every block rest on
 * it.
 */
class Xxh3StringsPropertyTest {

  /** Every seed the library and its tests use, plus extremes. */
  private static final long[] SEEDS = {
    0L, 0x5eed_cafe_f00dL, -7L, 0x7f4a_7c15_9e37_79b9L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE
  };

  @Property(tries = 2000)
  void keyHasherEqualsHash4jForRandomStringsAndSeeds(
      @ForAll("keys") String key, @ForAll long randomSeed) {
    for (long seed : SEEDS) {
      assertSameAsHash4j(key, seed);
    }
    assertSameAsHash4j(key, randomSeed);
  }

  @Test
  void keyHasherEqualsHash4jForEveryLengthFrom0To300() {
    SplittableRandom random = new SplittableRandom(0x0005_7a1dL);
    for (int length = 0; length <= 300; length++) {
      for (int kind = 0; kind < KINDS; kind++) {
        for (int sample = 0; sample < 4; sample++) {
          String key = randomString(random, length, kind);
          for (long seed : SEEDS) {
            assertSameAsHash4j(key, seed);
          }
          assertSameAsHash4j(key, random.nextLong());
        }
      }
    }
  }

  @Test
  void everyStringLengthUpToTheLimitTakesTheStringPath() {
    // The fast path must cover what the benchmarks and docs say it covers (8, 21, 64 chars and up
    // to 240 bytes); a change of the limit is a deliberate decision, not an accident.
    assertThat(Xxh3Strings.MAX_CHARS).isEqualTo(120);
    SplittableRandom random = new SplittableRandom(42);
    for (int length = 0; length <= Xxh3Strings.MAX_CHARS; length++) {
      String key = randomString(random, length, 1);
      assertThat(Xxh3Strings.hash(key, 0L))
          .as("length %s", length)
          .isEqualTo(Hashing.xxh3_64().hashCharsToLong(key));
    }
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<Character> surrogates = Arbitraries.chars().range('\uD800', '\uDFFF');
    Arbitrary<Character> mixed =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.chars().ascii()),
            Tuple.of(2, Arbitraries.chars().all()),
            Tuple.of(1, surrogates));
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMinLength(0).ofMaxLength(300),
        Arbitraries.strings().withChars('\u00e9', '\u00ff', 'a', '0').ofMaxLength(300),
        Arbitraries.strings().all().ofMinLength(0).ofMaxLength(300),
        mixed.list().ofMaxSize(300).map(Xxh3StringsPropertyTest::join),
        Arbitraries.strings()
            .withCharRange('\u0000', '\uFFFF')
            .ofMinLength(0)
            .ofMaxLength(300)
            .map(Xxh3StringsPropertyTest::withSurrogatePairs));
  }

  @SuppressWarnings("UnnecessaryStringBuilder") // the point is a CharSequence that is not a String
  private static void assertSameAsHash4j(String key, long seed) {
    long expected =
        seed == 0
            ? Hashing.xxh3_64().hashCharsToLong(key)
            : Hashing.xxh3_64(seed).hashCharsToLong(key);
    KeyHasher ours = seed == 0 ? KeyHasher.xxh3() : new Xxh3KeyHasher(seed, "test");
    assertThat(ours.hash(key)).as("length %s, seed %s", key.length(), seed).isEqualTo(expected);
    // Also through a CharSequence that is not a String (the hash4j path), which must agree.
    assertThat(ours.hash(new StringBuilder(key))).isEqualTo(expected);
    if (key.length() <= Xxh3Strings.MAX_CHARS) {
      assertThat(Xxh3Strings.hash(key, seed)).isEqualTo(expected);
    }
  }

  private static final int KINDS = 4;

  /**
   * Kind 0: ASCII (a Latin-1 backed String); 1: Latin-1 with high bytes; 2: any UTF-16 code unit,
   * unpaired surrogates included; 3: ASCII with valid surrogate pairs (emoji).
   */
  private static String randomString(SplittableRandom random, int length, int kind) {
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      switch (kind) {
        case 0 -> sb.append((char) random.nextInt(0x20, 0x7f));
        case 1 -> sb.append((char) random.nextInt(0x00, 0x100));
        case 2 -> sb.append((char) random.nextInt(0x10000));
        default -> {
          if (sb.length() + 2 <= length && random.nextInt(3) == 0) {
            sb.appendCodePoint(random.nextInt(0x1F600, 0x1F650));
          } else {
            sb.append((char) random.nextInt(0x20, 0x7f));
          }
        }
      }
    }
    return sb.toString();
  }

  private static String join(List<Character> chars) {
    StringBuilder sb = new StringBuilder(chars.size());
    for (char c : chars) {
      sb.append(c);
    }
    return sb.toString();
  }

  /** Replaces every 'z'..'~' char by a surrogate pair, so valid pairs appear often. */
  private static String withSurrogatePairs(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'z' && c <= '~') {
        sb.appendCodePoint(0x1F600 + c - 'z');
      } else {
        sb.append(c);
      }
    }
    return sb.length() > 300 ? sb.substring(0, 300) : sb.toString();
  }
}
