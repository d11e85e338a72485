package dev.sysblocks.benchmarks.hashing;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentBucketSetHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.dynatrace.hash4j.random.PseudoRandomGeneratorProvider;
import dev.sysblocks.hashing.JumpBackHash;
import dev.sysblocks.hashing.MementoHash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
 * What does it cost to look a key up after half of the nodes left, in arbitrary order?
 *
 * <p><b>Measures</b>: average time of one lookup of a 64-bit key hash among {@code nodes} = 10, 100
 * and 1000 buckets of which half were removed in a fixed random order: our MementoHash against
 * hash4j's JumpBackAnchorHash (the same question answered with AnchorHash's state over
 * JumpBackHash, Ertl's combination), with the stateless jump-back hashes over all {@code n} buckets
 * as the floor (ours, hash4j's): what arbitrary removal costs on top of them.
 *
 * <p><b>Pitfalls avoided</b>: both stateful hashers remove the same nodes in the same order (node
 * {@code i} sits in bucket {@code i} in both); key hashes are drawn once in {@code @Setup} and
 * cycled through a 1024-entry array, so removed and surviving buckets are hit in their natural mix
 * (one repeated key would always take the same path through the replacement chain); the owner is
 * returned (MementoHash's owner is the boxed Integer node itself: unboxing it allocates nothing).
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar ArbitraryRemovalLookup -prof
 * gc}, or {@code ./bench quick ArbitraryRemovalLookup}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ArbitraryRemovalLookupBenchmark {

  private static final int KEYS = 1024;

  /** Seed of the removal order, fixed so every run and every implementation removes the same. */
  private static final long REMOVAL_SEED = 0x4e3e;

  @Param({"sysblocks-memento", "sysblocks-jumpBack", "hash4j-jumpBackAnchor", "hash4j-jumpBack"})
  public String impl;

  @Param({"10", "100", "1000"})
  public int nodes;

  private long[] keyHashes;
  private Lookup lookup;
  private int next;

  /** The one operation every implementation is measured on: a key hash to its node's number. */
  interface Lookup {
    int owner(long keyHash);
  }

  @Setup
  public void setUp() {
    lookup = lookupFor(impl, nodes);
    SplittableRandom random = new SplittableRandom(0x4e3e_10c);
    keyHashes = new long[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keyHashes[i] = random.nextLong();
    }
  }

  @Benchmark
  public int ownerOfHash() {
    return lookup.owner(keyHashes[next++ & (KEYS - 1)]);
  }

  /** The nodes {@code 0..n-1} removed by the stateful implementations, in removal order. */
  static List<Integer> removedNodes(int nodes) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(REMOVAL_SEED));
    return order.subList(0, nodes / 2);
  }

  static Lookup lookupFor(String impl, int nodes) {
    return switch (impl) {
      case "sysblocks-memento" -> {
        // Zero-padded ids sort like the numbers, so addAll puts node i into bucket i.
        MementoHash<Integer> memento =
            MementoHash.<Integer>builder(i -> String.format("%07d", i)).build();
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
          members.add(i);
        }
        memento.addAll(members);
        for (int node : removedNodes(nodes)) {
          memento.remove(node);
        }
        yield memento::ownerOf;
      }
      case "sysblocks-jumpBack" -> keyHash -> JumpBackHash.bucket(keyHash, nodes);
      case "hash4j-jumpBackAnchor" -> {
        ConsistentBucketSetHasher anchor =
            ConsistentHashing.jumpBackAnchorHash(PseudoRandomGeneratorProvider.splitMix64_V1());
        for (int i = 0; i < nodes; i++) {
          anchor.addBucket(); // buckets 0..n-1, in order
        }
        for (int node : removedNodes(nodes)) {
          anchor.removeBucket(node);
        }
        yield anchor::getBucket;
      }
      case "hash4j-jumpBack" -> {
        ConsistentBucketHasher hasher = ConsistentHashing.jumpBackHashSplitMix64();
        yield keyHash -> hasher.getBucket(keyHash, nodes);
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
