package dev.sysblocks.core;

/** The {@link KeyHasherContractTest} suite for {@code KeyHasher.xxh3(0x5eed_cafe_f00dL)}. */
class SeededKeyHasherTest extends KeyHasherContractTest {
  @Override
  KeyHasher hasher() {
    return KeyHasher.xxh3(0x5eed_cafe_f00dL);
  }
}
