package dev.sysblocks.benchmarks.core;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.sysblocks.core.KeyHasher;
import java.nio.CharBuffer;
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
 * seeded) against hash4j's XXH3 ({@code Hashing.xxh3_64().hashCharsToLong}, the same function: the
 * values are equal bit for bit), Guava's {@code murmur3_128().hashString(key, UTF_8).asLong()} and
 * {@code farmHashFingerprint64()}, on ASCII keys of 8, 21 and 64 characters (a short id, a typical
 * {@code "tenant:user:session"} key, a URL path). With {@code -prof gc}, {@code gc.alloc.rate.norm}
 * gives bytes allocated per call.
 *
 * <p>{@code profile} says what else the process hashed before: {@code strings} nothing but Strings;
 * {@code mixed} also a {@code StringBuilder}, a {@code CharBuffer} and a custom {@code
 * CharSequence} (in {@code @Setup}, through the same hasher, before any measurement), as a service
 * does that hashes keys from several sources. A hasher that calls {@code charAt} through the {@code
 * CharSequence} interface then finds that call site megamorphic (a virtual call per char), for
 * Strings too. The measured operation is the same in both profiles: hash a String.
 *
 * <p><b>Pitfalls avoided</b>: keys are generated once in {@code @Setup} and cycled through a
 * 1024-entry array, so the JIT cannot constant-fold a single key and the data stays in L1/L2 for
 * every implementation alike; the hash is returned so it is consumed by JMH's blackhole; each
 * {@code impl} runs in its own fork, so the adapter call site is monomorphic and inlined for every
 * implementation (and one profile's pollution cannot leak into another's fork).
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar KeyHashSpeed -prof gc}, or
 * {@code ./bench quick KeyHashSpeed} for the ratio table. 30 configurations; to time only the XXH3
 * question: {@code -p impl=sysblocks-xxh3,hash4j-xxh3 -p length=21}.
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
    "hash4j-xxh3",
    "guava-murmur3_128",
    "guava-farmHashFingerprint64"
  })
  public String impl;

  @Param({"8", "21", "64"})
  public int length;

  @Param({"strings", "mixed"})
  public String profile;

  /** Calls per other CharSequence type in the mixed profile: well past C1's profiling threshold. */
  private static final int POLLUTING_CALLS = 20_000;

  private String[] keys;
  private StringHasher hasher;
  private int next;

  /**
   * The mixed profile's hashes, kept (public, like the params) so no JIT tier may drop the calls.
   */
  public long pollutionSink;

  /** The one operation every implementation is measured on (with a String, in the benchmark). */
  interface StringHasher {
    long hash(CharSequence key);
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
    switch (profile) {
      case "strings" -> {}
      case "mixed" -> hashOtherCharSequences();
      default -> throw new IllegalArgumentException("unknown profile: " + profile);
    }
  }

  /** The mixed profile: the hasher also sees three CharSequence types that are not String. */
  @SuppressWarnings("UnnecessaryStringBuilder") // the point is a CharSequence that is not a String
  private void hashOtherCharSequences() {
    long sink = 0;
    for (int i = 0; i < POLLUTING_CALLS; i++) {
      String key = keys[i & (KEYS - 1)];
      sink += hasher.hash(new StringBuilder(key));
      sink += hasher.hash(CharBuffer.wrap(key));
      sink += hasher.hash(new CharsView(key));
    }
    pollutionSink = sink;
  }

  /** A user-defined CharSequence (a view over a String), the third non-String type. */
  private record CharsView(String text) implements CharSequence {
    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new CharsView(text.substring(start, end));
    }

    @Override
    public String toString() {
      return text;
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
      case "hash4j-xxh3" -> {
        Hasher64 h = com.dynatrace.hash4j.hashing.Hashing.xxh3_64();
        yield h::hashCharsToLong;
      }
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
