package dev.sysblocks.benchmarks.hashing;

import dev.sysblocks.core.KeyHasher;
import dev.sysblocks.hashing.HashRing;
import dev.sysblocks.hashing.RendezvousHash;
import java.util.Set;
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
 * How long does it take to find the 3 distinct replicas of a key (a Dynamo-style preference list)?
 *
 * <p><b>Measures</b>: from a 21-character String key to its 3 distinct owners among 100 nodes with
 * 640 virtual nodes each: our ring filling a caller's array ({@code preferenceList(hash, out)},
 * allocation-free) and returning a list, our rendezvous hash (3 passes over 100 nodes), against
 * allgood-consistent-hash's {@code locate(key, 3)}.
 *
 * <p><b>Pitfalls avoided</b>: 1024 pre-generated keys cycled; the result's size or first element is
 * returned so nothing is dead code; allgood's returned Set is part of its cost, as our List is of
 * ours.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar ReplicaLookupSpeed -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReplicaLookupSpeedBenchmark {

  private static final int KEYS = 1024;
  private static final int REPLICAS = 3;

  @Param({
    "sysblocks-ring-array",
    "sysblocks-ring-list",
    "sysblocks-rendezvous-array",
    "allgood-ring"
  })
  public String impl;

  @Param({"100"})
  public int nodes;

  private String[] keys;
  private ReplicaLookup lookup;
  private int next;

  /**
   * The one operation every implementation is measured on: returns something derived from the set.
   */
  interface ReplicaLookup {
    int replicas(String key);
  }

  @Setup
  public void setUp() {
    lookup = lookupFor(impl, nodes);
    keys = HashingFixtures.randomKeys(0x3e91, KEYS, 21);
  }

  @Benchmark
  public int preferenceList() {
    return lookup.replicas(keys[next++ & (KEYS - 1)]);
  }

  static ReplicaLookup lookupFor(String impl, int nodes) {
    return switch (impl) {
      case "sysblocks-ring-array" -> {
        HashRing<Integer> ring = HashingFixtures.sysblocksRing(nodes);
        KeyHasher hasher = ring.keyHasher();
        Integer[] out = new Integer[REPLICAS];
        yield key -> {
          ring.preferenceList(hasher.hash(key), out);
          return out[REPLICAS - 1];
        };
      }
      case "sysblocks-rendezvous-array" -> {
        RendezvousHash<Integer> hrw = RendezvousHash.<Integer>builder(String::valueOf).build();
        for (int i = 0; i < nodes; i++) {
          hrw.add(i);
        }
        KeyHasher hasher = hrw.keyHasher();
        Integer[] out = new Integer[REPLICAS];
        yield key -> {
          hrw.preferenceList(hasher.hash(key), out);
          return out[REPLICAS - 1];
        };
      }
      case "sysblocks-ring-list" -> {
        HashRing<Integer> ring = HashingFixtures.sysblocksRing(nodes);
        yield key -> ring.preferenceList(key, REPLICAS).size();
      }
      case "allgood-ring" -> {
        org.ishugaliy.allgood.consistent.hash.HashRing<SimpleNode> ring =
            HashingFixtures.allgoodRing(nodes, "");
        yield key -> {
          Set<SimpleNode> owners = ring.locate(key, REPLICAS);
          return owners.size();
        };
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
