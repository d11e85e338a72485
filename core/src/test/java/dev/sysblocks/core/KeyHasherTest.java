package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHasherTest {

  private static final KeyHasher HASHER = KeyHasher.xxh3();

  @Test
  void nullCharSequenceKeyIsRejectedNamingTheParameter() {
    assertThatThrownBy(() -> HASHER.hash((CharSequence) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  void nullByteArrayKeyIsRejectedNamingTheParameter() {
    assertThatThrownBy(() -> HASHER.hash((byte[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> HASHER.hash(null, 0, 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  void seededHashersRejectNullKeysToo() {
    KeyHasher seeded = KeyHasher.randomlySeeded();
    assertThatThrownBy(() -> seeded.hash((CharSequence) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  void byteRangeOutsideTheArrayIsRejectedWithTheValues() {
    byte[] key = new byte[8];
    assertThatThrownBy(() -> HASHER.hash(key, -1, 2))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("offset -1");
    assertThatThrownBy(() -> HASHER.hash(key, 0, -1))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("length -1");
    assertThatThrownBy(() -> HASHER.hash(key, 5, 4))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("offset 5 and length 4 do not fit in key of length 8");
    assertThatThrownBy(() -> HASHER.hash(key, Integer.MAX_VALUE, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void emptyRangeAtTheEndOfTheArrayIsAllowed() {
    assertThat(HASHER.hash(new byte[8], 8, 0)).isEqualTo(HASHER.hash(new byte[0]));
  }

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
    assertThat(seeded.hash("user:42")).isEqualTo(seeded.hash("user:" + 42));
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
