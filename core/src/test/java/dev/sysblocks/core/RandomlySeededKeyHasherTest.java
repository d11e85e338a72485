package dev.sysblocks.core;

/** The {@link KeyHasherContractTest} suite for {@code KeyHasher.randomlySeeded()}. */
class RandomlySeededKeyHasherTest extends KeyHasherContractTest {
  @Override
  KeyHasher hasher() {
    return KeyHasher.randomlySeeded();
  }
}
