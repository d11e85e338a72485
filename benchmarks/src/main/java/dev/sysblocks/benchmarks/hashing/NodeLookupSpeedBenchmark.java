package dev.sysblocks.benchmarks.hashing;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.google.common.hash.Hashing;
import dev.sysblocks.hashing.HashRing;
import dev.sysblocks.hashing.JumpBackHash;
import dev.sysblocks.hashing.JumpHash;
import dev.sysblocks.hashing.MaglevHash;
import dev.sysblocks.hashing.RendezvousHash;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How long does "which of n nodes owns this pre-hashed key" take?
 *
 * <p><b>Measures</b>: average time of one lookup of a 64-bit key hash among {@code nodes} = 10, 100
 * and 1000 buckets, for our jump hash against Guava's {@code Hashing.consistentHash} (the same
 * algorithm, bit-identical results) and hash4j's JumpBackHash (an O(1) successor of jump hash, Ertl
 * 2024).
 *
 * <p><b>Pitfalls avoided</b>: key hashes are drawn once in {@code @Setup} and cycled through a
 * 1024-entry array, so the loop count of jump hash varies from key to key as in real use (a single
 * repeated key would let the branch predictor learn its exact path); the bucket is returned.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar NodeLookupSpeed -prof gc}, or
 * {@code ./bench quick NodeLookupSpeed}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NodeLookupSpeedBenchmark {

  private static final int KEYS = 1024;

  @Param({
    "sysblocks-jumpBack",
    "sysblocks-jump",
    "sysblocks-ring",
    "sysblocks-rendezvous",
    "sysblocks-maglev",
    "guava-consistentHash",
    "hash4j-jumpBack",
    "baseline-remainderUnsigned"
  })
  public String impl;

  @Param({"10", "100", "1000"})
  public int nodes;

  private long[] keyHashes;
  private BucketFunction function;
  private int next;

  /** The one operation every implementation is measured on. */
  interface BucketFunction {
    int bucket(long keyHash, int buckets);
  }

  @Setup
  public void setUp() {
    function = functionFor(impl, nodes);
    SplittableRandom random = new SplittableRandom(0x10_0c_a7e);
    keyHashes = new long[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keyHashes[i] = random.nextLong();
    }
  }

  @Benchmark
  public int ownerOfHash() {
    return function.bucket(keyHashes[next++ & (KEYS - 1)], nodes);
  }

  static BucketFunction functionFor(String impl, int nodes) {
    return switch (impl) {
      case "sysblocks-maglev" -> {
        MaglevHash<Integer> maglev = MaglevHash.<Integer>builder(String::valueOf).build();
        for (int i = 0; i < nodes; i++) {
          maglev.add(i);
        }
        yield (keyHash, buckets) -> maglev.ownerOf(keyHash);
      }
      case "baseline-remainderUnsigned" ->
          (keyHash, buckets) -> (int) Long.remainderUnsigned(keyHash, buckets);
      case "sysblocks-rendezvous" -> {
        RendezvousHash<Integer> hrw = RendezvousHash.<Integer>builder(String::valueOf).build();
        for (int i = 0; i < nodes; i++) {
          hrw.add(i);
        }
        yield (keyHash, buckets) -> hrw.ownerOf(keyHash);
      }
      case "sysblocks-ring" -> {
        // Nodes are the Integers 0..n-1, so the owner unboxes to its index without allocating.
        HashRing<Integer> ring = HashingFixtures.sysblocksRing(nodes);
        yield (keyHash, buckets) -> ring.ownerOf(keyHash);
      }
      case "sysblocks-jumpBack" -> JumpBackHash::bucket;
      case "sysblocks-jump" -> JumpHash::bucket;
      case "guava-consistentHash" -> Hashing::consistentHash;
      case "hash4j-jumpBack" -> {
        ConsistentBucketHasher hasher = ConsistentHashing.jumpBackHashSplitMix64();
        yield hasher::getBucket;
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
