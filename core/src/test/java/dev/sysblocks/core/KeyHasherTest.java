package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHasherTest {

  private static final KeyHasher HASHER = KeyHasher.xxh3();

  @Test
  void seedZeroIsTheStandardHasher() {
    assertThat(KeyHasher.xxh3(0)).isSameAs(KeyHasher.xxh3());
  }

  @Test
  void differentSeedsGiveDifferentFunctions() {
    assertThat(KeyHasher.xxh3(1).hash("user:42")).isNotEqualTo(KeyHasher.xxh3(2).hash("user:42"));
    assertThat(KeyHasher.xxh3(1).hash("user:42")).isNotEqualTo(HASHER.hash("user:42"));
  }

  @Test
  void randomlySeededHashersAreIndependentOfEachOther() {
    // Two draws from a 64-bit SecureRandom collide with probability 2^-64 per pair.
    Set<Long> hashes = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      hashes.add(KeyHasher.randomlySeeded().hash("user:42"));
    }
    assertThat(hashes).hasSize(8);
  }

  @Test
  void aSeededHasherIsDeterministic() {
    KeyHasher seeded = KeyHasher.randomlySeeded();
    // Built at run time: a different String object (not the interned literal) with the same chars.
    String sameChars = new String("user:42".toCharArray());
    assertThat(sameChars).isNotSameAs("user:42");
    assertThat(seeded.hash(sameChars)).isEqualTo(seeded.hash("user:42"));
  }

  @Test
  void toStringNamesTheAlgorithmButNeverTheSeed() {
    long seed = 0x1234_5678_9abc_def0L;
    String text = KeyHasher.xxh3(seed).toString();
    assertThat(text).startsWith("xxh3");
    assertThat(text)
        .doesNotContain(Long.toString(seed))
        .doesNotContain(Long.toHexString(seed))
        .doesNotContain(Long.toUnsignedString(seed));
    assertThat(KeyHasher.xxh3()).hasToString("xxh3");
  }
}
