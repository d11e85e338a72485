package dev.sysblocks.cache;

/** Runs the {@link CacheContractTest} suite against {@link EvictionPolicy#SIEVE}. */
class SieveCacheContractTest extends CacheContractTest {
  @Override
  EvictionPolicy policy() {
    return EvictionPolicy.SIEVE;
  }
}
