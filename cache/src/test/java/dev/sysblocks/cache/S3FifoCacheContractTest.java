package dev.sysblocks.cache;

/** Runs the {@link CacheContractTest} suite against {@link EvictionPolicy#S3_FIFO}. */
class S3FifoCacheContractTest extends CacheContractTest {
  @Override
  EvictionPolicy policy() {
    return EvictionPolicy.S3_FIFO;
  }
}
