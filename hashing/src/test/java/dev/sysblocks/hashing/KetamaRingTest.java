package dev.sysblocks.hashing;

import java.util.List;

class KetamaRingTest extends NodeLocatorContractTest {
  @Override
  NodeLocator<String> locatorOf(List<String> nodes) {
    KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).build();
    for (String node : nodes) {
      ring.add(node);
    }
    return ring;
  }
}
