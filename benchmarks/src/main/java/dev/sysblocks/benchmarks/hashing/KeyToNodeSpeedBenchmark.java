package dev.sysblocks.benchmarks.hashing;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.sysblocks.core.KeyHasher;
import dev.sysblocks.hashing.HashRing;
import dev.sysblocks.hashing.JumpBackHash;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.ishugaliy.allgood.consistent.hash.node.SimpleNode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * End to end: how long from a 21-character String key to the node that owns it?
 *
 * <p><b>Measures</b>: hashing plus lookup among 100 nodes, the way an application calls it. Ours:
 * the ring ({@code HashRing.ownerOf(CharSequence)}, XXH3 + indexed ring, 640 virtual nodes per
 * node) and XXH3 + {@code JumpBackHash}. Peers: Guava {@code murmur3_128().hashString(key, UTF_8)}
 * + {@code consistentHash}, and the allgood-consistent-hash ring ({@code locate(key)}, murmur3, the
 * same 640 partitions per node so both rings have the same balance).
 *
 * <p><b>Pitfalls avoided</b>: 1024 pre-generated keys cycled so no key is constant-folded; every
 * implementation returns an int read from the owner with one field load (our ring's nodes are the
 * Integers 0..99, unboxed; allgood's node key length), never a computation that would dominate; the
 * {@code Optional} allgood allocates per lookup is part of its measured cost.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar KeyToNodeSpeed -prof gc}, or
 * {@code ./bench quick KeyToNodeSpeed}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyToNodeSpeedBenchmark {

  private static final int KEYS = 1024;
  private static final int KEY_LENGTH = 21;

  @Param({
    "sysblocks-ring",
    "sysblocks-xxh3+jumpBack",
    "guava-murmur3+consistentHash",
    "allgood-ring"
  })
  public String impl;

  @Param({"100"})
  public int nodes;

  private String[] keys;
  private KeyToNode function;
  private int next;

  /** The one operation every implementation is measured on. */
  interface KeyToNode {
    int ownerIndex(String key);
  }

  @Setup
  public void setUp() {
    function = functionFor(impl, nodes);
    keys = HashingFixtures.randomKeys(0x0e2e, KEYS, KEY_LENGTH);
  }

  @Benchmark
  public int ownerOfString() {
    return function.ownerIndex(keys[next++ & (KEYS - 1)]);
  }

  static KeyToNode functionFor(String impl, int nodes) {
    return switch (impl) {
      case "sysblocks-ring" -> {
        HashRing<Integer> ring = HashingFixtures.sysblocksRing(nodes);
        yield ring::ownerOf;
      }
      case "sysblocks-xxh3+jumpBack" -> {
        KeyHasher hasher = KeyHasher.xxh3();
        yield key -> JumpBackHash.bucket(hasher.hash(key), nodes);
      }
      case "guava-murmur3+consistentHash" -> {
        HashFunction f = Hashing.murmur3_128();
        yield key -> Hashing.consistentHash(f.hashString(key, StandardCharsets.UTF_8), nodes);
      }
      case "allgood-ring" -> {
        org.ishugaliy.allgood.consistent.hash.HashRing<SimpleNode> ring =
            HashingFixtures.allgoodRing(nodes, "");
        yield key -> ring.locate(key).orElseThrow().getKey().length();
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
