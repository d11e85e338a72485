package dev.sysblocks.core;

/** The {@link KeyHasherContractTest} suite for {@code KeyHasher.xxh3()}. */
class StandardKeyHasherTest extends KeyHasherContractTest {
  @Override
  KeyHasher hasher() {
    return KeyHasher.xxh3();
  }
}
