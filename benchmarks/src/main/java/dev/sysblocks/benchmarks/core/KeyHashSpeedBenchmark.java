package dev.sysblocks.benchmarks.core;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.sysblocks.core.KeyHasher;
import java.nio.charset.StandardCharsets;
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
 * How fast does a String key become a 64-bit hash, and what does each call allocate?
 *
 * <p><b>Measures</b>: average time per {@code hash(String)} for our XXH3 hashers (standard and
 * seeded) against Guava's {@code murmur3_128().hashString(key, UTF_8).asLong()} and {@code
 * farmHashFingerprint64()}, on ASCII keys of 8, 21 and 64 characters (a short id, a typical {@code
 * "tenant:user:session"} key, a URL path). With {@code -prof gc}, {@code gc.alloc.rate.norm} gives
 * bytes allocated per call.
 *
 * <p><b>Pitfalls avoided</b>: keys are generated once in {@code @Setup} and cycled through a
 * 1024-entry array, so the JIT cannot constant-fold a single key and the data stays in L1/L2 for
 * every implementation alike; the hash is returned so it is consumed by JMH's blackhole; each
 * {@code impl} runs in its own fork, so the adapter call site is monomorphic and inlined for every
 * implementation.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar KeyHashSpeed -prof gc}, or
 * {@code ./bench quick KeyHashSpeed} for the ratio table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyHashSpeedBenchmark {

  /** Number of distinct keys cycled through: a power of two so the index wraps with a mask. */
  private static final int KEYS = 1024;

  private static final char[] ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_".toCharArray();

  @Param({
    "sysblocks-xxh3",
    "sysblocks-xxh3-seeded",
    "guava-murmur3_128",
    "guava-farmHashFingerprint64"
  })
  public String impl;

  @Param({"8", "21", "64"})
  public int length;

  private String[] keys;
  private StringHasher hasher;
  private int next;

  /** The one operation every implementation is measured on. */
  interface StringHasher {
    long hash(String key);
  }

  @Setup
  public void setUp() {
    hasher = hasherFor(impl);
    SplittableRandom random = new SplittableRandom(0x5157_b10cL);
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      char[] chars = new char[length];
      for (int c = 0; c < length; c++) {
        chars[c] = ALPHABET[random.nextInt(ALPHABET.length)];
      }
      keys[i] = new String(chars);
    }
  }

  @Benchmark
  public long hashString() {
    String key = keys[next++ & (KEYS - 1)];
    return hasher.hash(key);
  }

  static StringHasher hasherFor(String impl) {
    return switch (impl) {
      case "sysblocks-xxh3" -> KeyHasher.xxh3()::hash;
      case "sysblocks-xxh3-seeded" -> KeyHasher.xxh3(0x7f4a_7c15_9e37_79b9L)::hash;
      case "guava-murmur3_128" -> {
        HashFunction f = Hashing.murmur3_128();
        yield key -> f.hashString(key, StandardCharsets.UTF_8).asLong();
      }
      case "guava-farmHashFingerprint64" -> {
        HashFunction f = Hashing.farmHashFingerprint64();
        yield key -> f.hashString(key, StandardCharsets.UTF_8).asLong();
      }
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }
}
