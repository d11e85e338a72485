package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyHasher} must do, built-in or user-written: reject bad input by name, be a
 * deterministic function of the key, and agree between a byte range and a copy of it.
 */
abstract class KeyHasherContractTest {

  abstract KeyHasher hasher();

  @Test
  void nullKeysAreRejectedNamingTheParameter() {
    KeyHasher h = hasher();
    assertThatThrownBy(() -> h.hash((CharSequence) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> h.hash((byte[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> h.hash(null, 0, 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  void byteRangesOutsideTheArrayAreRejectedWithTheValues() {
    KeyHasher h = hasher();
    byte[] key = new byte[8];
    assertThatThrownBy(() -> h.hash(key, -1, 2))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("offset -1");
    assertThatThrownBy(() -> h.hash(key, 0, -1))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("length -1");
    assertThatThrownBy(() -> h.hash(key, 5, 4))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("offset 5 and length 4 do not fit in key of length 8");
    assertThatThrownBy(() -> h.hash(key, Integer.MAX_VALUE, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void anEmptyRangeAtTheEndOfTheArrayIsTheEmptyKey() {
    KeyHasher h = hasher();
    assertThat(h.hash(new byte[8], 8, 0)).isEqualTo(h.hash(new byte[0]));
  }

  @Test
  void theSameKeyAlwaysHashesTheSame() {
    KeyHasher h = hasher();
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 1_000; i++) {
      long l = random.nextLong();
      String s = Long.toHexString(l) + "/" + i;
      String sameChars = new String(s.toCharArray());
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      assertThat(h.hash(sameChars)).isEqualTo(h.hash(s));
      assertThat(h.hash(bytes.clone())).isEqualTo(h.hash(bytes));
      assertThat(h.hash(l)).isEqualTo(h.hash(l));
    }
  }

  @Test
  void distinctKeysRarelyCollide() {
    KeyHasher h = hasher();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      seen.add(h.hash("key-" + i));
      seen.add(h.hash((long) i));
    }
    // 200,000 64-bit hashes collide with probability ~1e-9: any collision means a broken mix.
    assertThat(seen).hasSize(200_000);
  }
}
