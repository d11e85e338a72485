package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Pinned outputs of the built-in hashers. Placements in every block derive from these values; if
 * one of these assertions fails, an upgrade (of sysblocks or of hash4j) would silently move keys
 * between nodes for every user. Do not "fix" the expected values: find out what changed.
 */
class KeyHasherGoldenTest {

  private static final long SEED = 0x5eed_cafe_f00dL;

  @Test
  void xxh3OfEmptyInputMatchesTheXxHashReferenceValue() {
    // XXH3_64bits("", 0) from the reference implementation: an independent check that this is XXH3.
    assertThat(KeyHasher.xxh3().hash(new byte[0])).isEqualTo(0x2D06800538D394C2L);
    assertThat(KeyHasher.xxh3().hash("")).isEqualTo(0x2D06800538D394C2L);
  }

  @Test
  void xxh3OfAbcBytesMatchesTheXxHashReferenceValue() {
    byte[] abc = "abc".getBytes(StandardCharsets.UTF_8);
    assertThat(KeyHasher.xxh3().hash(abc)).isEqualTo(0x78AF5F94892F3950L);
  }

  @Test
  void unseededStringHashesArePinned() {
    KeyHasher h = KeyHasher.xxh3();
    assertThat(h.hash("a")).isEqualTo(0x0D78BAAC08237DDBL);
    assertThat(h.hash("user:42")).isEqualTo(0x309A965763830B61L);
    assertThat(h.hash("node-1#17")).isEqualTo(0x81AFCE15A2E05DF3L);
    assertThat(h.hash("The quick brown fox jumps over the lazy dog"))
        .isEqualTo(0x353EBD84CF2BC97FL);
    assertThat(h.hash("é€😀")).isEqualTo(0xC37C60474BF49648L);
  }

  @Test
  void seededStringHashesArePinned() {
    KeyHasher h = KeyHasher.xxh3(SEED);
    assertThat(h.hash("")).isEqualTo(0x261155D6DB291E03L);
    assertThat(h.hash("a")).isEqualTo(0x84208EDD8775758BL);
    assertThat(h.hash("user:42")).isEqualTo(0x2441D10AD25E990CL);
    assertThat(h.hash("node-1#17")).isEqualTo(0x8105E24201DCE97CL);
    assertThat(h.hash("The quick brown fox jumps over the lazy dog"))
        .isEqualTo(0xDD0ABCBE67D90994L);
    assertThat(h.hash("é€😀")).isEqualTo(0xC7EAFE93B38700E7L);
  }

  @Test
  void longHashesArePinned() {
    KeyHasher h = KeyHasher.xxh3();
    assertThat(h.hash(0L)).isEqualTo(0xC77B3ABB6F87ACD9L);
    assertThat(h.hash(1L)).isEqualTo(0x2FBC593564DB792EL);
    assertThat(h.hash(42L)).isEqualTo(0xD5A6F8C838DF27C8L);
    assertThat(h.hash(-1L)).isEqualTo(0x5111C7E47D784413L);
    assertThat(h.hash(Long.MIN_VALUE)).isEqualTo(0x828F2476789A0E5FL);

    KeyHasher s = KeyHasher.xxh3(SEED);
    assertThat(s.hash(0L)).isEqualTo(0x750DE85943EDA822L);
    assertThat(s.hash(42L)).isEqualTo(0x3DCAF8866D02FA2EL);
    assertThat(s.hash(Long.MIN_VALUE)).isEqualTo(0x437316F284A721CBL);
  }
}
