package dev.sysblocks.benchmarks.hashing;

import com.google.common.hash.Hashing;
import dev.sysblocks.hashing.BoundedLoadBalancer;
import dev.sysblocks.hashing.HashRing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What does bounding the load cost per request: one acquire and its release, against a plain
 * lookup?
 *
 * <p><b>Measures</b>: average time of {@code acquire(keyHash)} followed by {@code release(node)} on
 * {@code nodes} = 10 and 100, with c = 1.25 and a standing load of 64 units per node held
 * throughout, so capacities are real (ceil(1.25 * (64 n + 1) / n) = 81 at either size). Keys are
 * either {@code uniform} or drawn from a Zipf(1) distribution over 4,096 keys ({@code zipf}), the
 * standing load from the same distribution, so the hottest keys' owners sit at capacity and their
 * acquires must probe. Reference rows: {@code sysblocks-ring} is the plain ring lookup, no
 * accounting (the floor); {@code guava-consistentHashCounted} is what one assembles today, since no
 * Java library on this class path (Guava, hash4j, allgood-consistent-hash) offers bounded-load
 * consistent hashing: Guava's {@code consistentHash} picks the bucket and an {@code
 * AtomicLongArray} counts it up and down, with no bound.
 *
 * <p><b>Pitfalls avoided</b>: the state is shared ({@code Scope.Benchmark}), so that {@code -t 2}
 * measures two threads updating the same counters and total, as in a real balancer; key hashes are
 * drawn once in {@code @Setup} and picked at a random index from {@code ThreadLocalRandom} (the
 * same few nanoseconds for every implementation, and no shared cursor to contend on); the node is
 * returned.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar BoundedLoadAcquire -prof gc},
 * and with {@code -t 2} for two threads on one balancer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BoundedLoadAcquireBenchmark {

  /** Pre-drawn key hashes per run: a power of two, so an index is one mask. */
  private static final int KEYS = 1024;

  /** Distinct keys of the Zipf distribution. */
  private static final int ZIPF_KEYS = 4096;

  /** Units held on each node in the background, so that capacities are not trivially 1. */
  private static final int STANDING_LOAD_PER_NODE = 64;

  @Param({"sysblocks-boundedLoad", "sysblocks-ring", "guava-consistentHashCounted"})
  public String impl;

  @Param({"10", "100"})
  public int nodes;

  @Param({"uniform", "zipf"})
  public String keys;

  private long[] keyHashes;
  private Assigner assigner;

  /** The one operation every implementation is measured on: assign a key, then give it back. */
  interface Assigner {
    int acquireAndRelease(long keyHash);

    void holdForever(long keyHash);
  }

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(0xb0_0d_ed);
    long[] universe = random.longs(ZIPF_KEYS).toArray();
    double[] cumulative = zipfCumulative(ZIPF_KEYS);
    keyHashes = new long[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keyHashes[i] = draw(random, universe, cumulative);
    }
    assigner = assignerFor(impl, nodes);
    for (int i = 0; i < STANDING_LOAD_PER_NODE * nodes; i++) {
      assigner.holdForever(draw(random, universe, cumulative));
    }
  }

  @Benchmark
  public int acquireAndRelease() {
    return assigner.acquireAndRelease(
        keyHashes[ThreadLocalRandom.current().nextInt() & (KEYS - 1)]);
  }

  private long draw(SplittableRandom random, long[] universe, double[] cumulative) {
    if (keys.equals("uniform")) {
      return random.nextLong();
    }
    int rank = Arrays.binarySearch(cumulative, random.nextDouble());
    return universe[Math.min(rank < 0 ? -rank - 1 : rank, universe.length - 1)];
  }

  /** P(rank <= i) for ranks weighted 1 / (i + 1). */
  private static double[] zipfCumulative(int n) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    return cumulative;
  }

  static Assigner assignerFor(String impl, int nodes) {
    List<Integer> members = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      members.add(i);
    }
    return switch (impl) {
      case "sysblocks-boundedLoad" -> {
        // Integer nodes: the node comes back as the very object added, so the release finds it by
        // identity and unboxing it allocates nothing.
        BoundedLoadBalancer<Integer> balancer =
            BoundedLoadBalancer.<Integer>builder(String::valueOf).balanceFactor(1.25).build();
        balancer.addAll(members);
        yield new Assigner() {
          @Override
          public int acquireAndRelease(long keyHash) {
            Integer node = balancer.acquire(keyHash);
            balancer.release(node);
            return node;
          }

          @Override
          public void holdForever(long keyHash) {
            balancer.acquire(keyHash);
          }
        };
      }
      case "sysblocks-ring" -> {
        HashRing<Integer> ring = HashingFixtures.sysblocksRing(nodes);
        yield new Assigner() {
          @Override
          public int acquireAndRelease(long keyHash) {
            return ring.ownerOf(keyHash);
          }

          @Override
          public void holdForever(long keyHash) {}
        };
      }
      case "guava-consistentHashCounted" -> {
        AtomicLongArray loads = new AtomicLongArray(nodes);
        yield new Assigner() {
          @Override
          public int acquireAndRelease(long keyHash) {
            int node = Hashing.consistentHash(keyHash, nodes);
            loads.incrementAndGet(node);
            loads.decrementAndGet(node);
            return node;
          }

          @Override
          public void holdForever(long keyHash) {
            loads.incrementAndGet(Hashing.consistentHash(keyHash, nodes));
          }
        };
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
