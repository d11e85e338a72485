package dev.sysblocks.benchmarks.hashing;

import dev.sysblocks.hashing.HashRing;
import java.util.ArrayList;
import java.util.List;
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
 * What does a membership change cost the writer? One node leaves and comes back.
 *
 * <p><b>Measures</b>: remove + add of one node in a ring of 100 nodes with 640 virtual nodes each:
 * our copy-on-write ring (rebuilds and publishes a new immutable snapshot of 64,000 points, so
 * readers never lock) against allgood-consistent-hash (edits its sorted map in place under a lock).
 *
 * <p><b>Pitfalls avoided</b>: the ring returns to the same membership after every operation, so
 * each invocation does identical work; the resulting size is returned.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar MembershipChangeCost -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MembershipChangeCostBenchmark {

  @Param({"sysblocks-ring", "allgood-ring"})
  public String impl;

  @Param({"100"})
  public int nodes;

  private Runnable change;
  private java.util.function.IntSupplier size;

  @Setup
  public void setUp() {
    switch (impl) {
      case "sysblocks-ring" -> {
        HashRing<String> ring = HashRing.<String>builder(id -> id).build();
        List<String> members = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
          members.add("node-" + i);
        }
        ring.addAll(members);
        change =
            () -> {
              ring.remove("node-7");
              ring.add("node-7");
            };
        size = ring::size;
      }
      case "allgood-ring" -> {
        org.ishugaliy.allgood.consistent.hash.HashRing<SimpleNode> ring =
            HashingFixtures.allgoodRing(nodes, "node-");
        SimpleNode node = SimpleNode.of("node-7");
        change =
            () -> {
              ring.remove(node);
              ring.add(node);
            };
        size = ring::size;
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    }
  }

  @Benchmark
  public int removeAndAddOneNode() {
    change.run();
    return size.getAsInt();
  }
}
