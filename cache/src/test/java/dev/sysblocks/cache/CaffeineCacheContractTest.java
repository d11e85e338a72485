package dev.sysblocks.cache;

/** Runs the {@link CacheContractTest} suite against {@link EvictionPolicy#CAFFEINE}. */
class CaffeineCacheContractTest extends CacheContractTest {
  @Override
  EvictionPolicy policy() {
    return EvictionPolicy.CAFFEINE;
  }
}
