package dev.sysblocks.benchmarks.hashing;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How long does a lookup of a pre-hashed key take when many keys are routed in a row, so that the
 * harness's own cost per call is spread over {@value #KEYS} lookups?
 *
 * <p><b>Measures</b>: average time per lookup over one pass of {@value #KEYS} distinct 64-bit key
 * hashes among {@code nodes} = 10, 100 and 1000 buckets: our stateless bucket hashers against
 * Guava's {@code Hashing.consistentHash} and hash4j's JumpBackHash, with {@code
 * Long.remainderUnsigned} for scale. {@link NodeLookupSpeedBenchmark} measures one lookup per call:
 * at 3 to 5 ns per lookup, a nanosecond or two of JMH's call, loop and result handling is a large
 * part of every row there and compresses the ratios between fast and slow algorithms. Here the
 * lookups of one pass are independent, so the processor may overlap consecutive ones, as it does
 * when a service routes a batch of keys; a lookup whose loop count depends on the key (Guava's jump
 * hash, O(log n) iterations) overlaps less than a branch-free one.
 *
 * <p><b>Pitfalls avoided</b>: the keys are drawn once in {@code @Setup} and are all different, so
 * the branch predictor cannot learn one key's path; every bucket is added into the returned sum, so
 * no lookup can be dropped; the bucket functions are {@link NodeLookupSpeedBenchmark}'s, so the two
 * benchmarks measure the same code.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar NodeLookupBatch -prof gc}, or
 * {@code ./bench quick NodeLookupBatch}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NodeLookupBatchBenchmark {

  private static final int KEYS = 1024;

  @Param({
    "sysblocks-jumpBack",
    "sysblocks-jump",
    "sysblocks-maglev",
    "guava-consistentHash",
    "hash4j-jumpBack",
    "baseline-remainderUnsigned"
  })
  public String impl;

  @Param({"10", "100", "1000"})
  public int nodes;

  private long[] keyHashes;
  private NodeLookupSpeedBenchmark.BucketFunction function;

  @Setup
  public void setUp() {
    function = NodeLookupSpeedBenchmark.functionFor(impl, nodes);
    SplittableRandom random = new SplittableRandom(0x10_0c_a7e);
    keyHashes = new long[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keyHashes[i] = random.nextLong();
    }
  }

  /** One pass over the keys; the score is per lookup. */
  @Benchmark
  @OperationsPerInvocation(KEYS)
  public int ownersOfHashes() {
    NodeLookupSpeedBenchmark.BucketFunction f = function;
    int buckets = nodes;
    int sum = 0;
    for (long keyHash : keyHashes) {
      sum += f.bucket(keyHash, buckets);
    }
    return sum;
  }
}
