package dev.sysblocks.hashing;

class JumpHashTest extends BucketFunctionContractTest {
  @Override
  int bucket(long keyHash, int buckets) {
    return JumpHash.bucket(keyHash, buckets);
  }
}
