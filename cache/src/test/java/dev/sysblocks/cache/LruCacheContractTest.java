package dev.sysblocks.cache;

/** Runs the {@link CacheContractTest} suite against {@link EvictionPolicy#LRU}. */
class LruCacheContractTest extends CacheContractTest {
  @Override
  EvictionPolicy policy() {
    return EvictionPolicy.LRU;
  }
}
