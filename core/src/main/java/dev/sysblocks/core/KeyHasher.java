package dev.sysblocks.core;

import java.security.SecureRandom;

/**
 * Turns a key into a well-mixed 64-bit hash: the first step of every placement decision in
 * sysblocks (which ring node owns a key, which cache stripe or rate-limit shard it lands in).
 *
 * <p>"Well mixed" means every input bit affects every output bit with probability about 1/2 (the
 * avalanche property), so keys that differ in one character still land far apart, and any subset of
 * the output bits is as good as any other.
 *
 * <pre>{@code
 * KeyHasher hasher = KeyHasher.xxh3();
 * long h = hasher.hash("user:42");            // no allocation for String keys
 * long same = hasher.hash("user:42");
 * assert h == same;
 * }</pre>
 *
 * <p>Two kinds are provided:
 *
 * <ul>
 *   <li>{@link #xxh3()}: fixed, fast, and <b>stable across releases and JVMs</b> (golden values are
 *       pinned in tests), so two processes, or two versions of your service, place keys
 *       identically.
 *   <li>{@link #xxh3(long)} and {@link #randomlySeeded()}: the same function under a secret seed.
 *       An attacker who can choose keys (user ids, request paths) but does not know the seed cannot
 *       compute offline a set of keys that all collide, which is how hash-flooding attacks overload
 *       one bucket, shard or node. Processes that must agree on placements must share the seed.
 * </ul>
 *
 * <p>Equivalences that hold for the built-in hashers (and are tested): {@code hash(long)} equals
 * {@code hash} of the value's 8 bytes in little-endian order, and {@code hash(CharSequence)} equals
 * {@code hash} of its UTF-16LE bytes (characters, not UTF-8: a key hashed as a {@code String} and
 * as its UTF-8 bytes gives different values).
 *
 * <p>Implementations must be thread-safe and deterministic. You may implement this interface to
 * match another system's placement (for example a Ketama-compatible MD5 ring).
 */
public interface KeyHasher {

  /*
   * Design notes
   * ============
   * Problem. Placement quality depends on the hash: a weak mix (String.hashCode, a 32-bit FNV) clusters
   * similar keys such as "user:1", "user:2" on neighbouring ring points, and a 32-bit output collides
   * after ~2^16 keys (birthday bound), which shows up as imbalance on rings with many virtual nodes.
   *
   * Idea. XXH3 (Yann Collet, 2019) with 64-bit output: it passes SMHasher's quality tests and is among
   * the fastest non-cryptographic hashes for short inputs, which is what keys are. A String of up to
   * 120 chars (the common key) is hashed by our own String-typed XXH3, Xxh3Strings: it reads the
   * String's chars in place (four chars packed into one long per read), with the secret words as
   * constants, and its charAt calls are on String, a final class, so they stay direct calls however
   * many other CharSequence types the process hashes. Everything else (longer Strings, other
   * CharSequences, bytes, longs) goes to hash4j's implementation (Dynatrace), which gives the same
   * values bit for bit (Xxh3StringsPropertyTest) and also reads a CharSequence's chars directly.
   * Neither allocates, where Guava's Hashing.murmur3_128().hashString(s, UTF_8) allocates a Hasher
   * and a HashCode per call (see KeyHashSpeedBenchmark in benchmarks/, with -prof gc).
   *
   * Cost. O(length). Measured by KeyHashSpeedBenchmark (full mode, 2 forks, JDK 17, 2-core AMD
   * EPYC VM, 2026-12-07, benchmarks/results/KeyHashSpeedBenchmark.md): a 21-character String takes
   * 15.2 ns and 0 B, against 19.6 ns for hash4j's own XXH3 (same values), 58.8 ns and 232 B for
   * Guava murmur3_128 and 14.8 ns and 40 B for Guava farmHashFingerprint64; 8 characters 6.6 ns
   * (hash4j 8.1), 64 characters 27.1 ns (hash4j 40.4). In the "mixed" profile, where the process
   * has also hashed other CharSequence types, hash4j's charAt call sites turn megamorphic and it
   * takes 37 / 104 / 203 ns at 8 / 21 / 64 chars, while the String path stays at 9.5 / 16.1 / 27.5.
   * Before Xxh3Strings (every String through hash4j, 2026-11-23) 21 chars took 22.9 ns.
   * Worked example of where the time goes: a String is hashed as its UTF-16 code units, so 21 chars
   * are 42 bytes, read one char at a time through charAt (about 0.6 ns per char on 2026-11-23). That
   * is why Guava's farmHashFingerprint64 was as fast at 21 chars then (20.9 ns) and faster at 64 (18.7 vs
   * 44.5 ns) despite allocating: it first copies the String to UTF-8 bytes with an intrinsic (half the
   * bytes, read 8 at a time), then hashes those. Copying the chars into a thread-local char[] first
   * was measured slower (28-31 ns at 21 chars). Allocation-free and seed-able beats the last few
   * nanoseconds; revisit if a JDK exposes bulk, allocation-free access to a String's bytes.
   *
   * Invariant. A hasher is a pure function of (seed, input bytes): the same key gives the same hash
   * on every call, thread, JVM and release (KeyHasherGoldenTest pins the values). CharSequence input
   * is its UTF-16LE bytes, long input its 8 little-endian bytes, so the three forms agree.
   *
   * Concurrency. Immutable: any number of threads may share one hasher.
   *
   * Alternatives. Guava murmur3_128 (same quality, slower, allocates); Guava farmHashFingerprint64
   * (fast, but hashes UTF-8 bytes of a String, which means an encoding pass); SipHash-2-4 (a keyed PRF:
   * the right choice when an attacker can also observe hash values, at several times the cost).
   * A seeded XXH3 defeats offline collision search but is not a cryptographic PRF: if outputs leak,
   * use a keyed cryptographic hash behind this interface instead.
   *
   * References.
   *  [1] xxHash, "XXH3 algorithm overview", https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
   *  [2] hash4j, https://github.com/dynatrace-oss/hash4j
   *  [3] Crosby, Wallach, "Denial of Service via Algorithmic Complexity Attacks", USENIX Security 2003.
   */

  /**
   * Hashes the characters of a key. Allocation-free for the built-in hashers.
   *
   * @param key the key
   * @return a well-mixed 64-bit hash
   * @throws NullPointerException if {@code key} is null
   */
  long hash(CharSequence key);

  /**
   * Hashes all bytes of a key.
   *
   * @param key the key
   * @return a well-mixed 64-bit hash
   * @throws NullPointerException if {@code key} is null
   */
  long hash(byte[] key);

  /**
   * Hashes {@code length} bytes of {@code key} starting at {@code offset}.
   *
   * @param key the array holding the key
   * @param offset index of the first byte of the key
   * @param length number of bytes in the key
   * @return a well-mixed 64-bit hash
   * @throws NullPointerException if {@code key} is null
   * @throws IndexOutOfBoundsException if the range is not within the array
   */
  long hash(byte[] key, int offset, int length);

  /**
   * Hashes a {@code long} key (an id, or a hash computed elsewhere that needs re-mixing).
   *
   * @param key the key
   * @return a well-mixed 64-bit hash
   */
  long hash(long key);

  /**
   * Returns the standard hasher: unseeded XXH3-64. Its outputs are fixed across releases.
   *
   * @return the shared standard hasher
   */
  static KeyHasher xxh3() {
    return Xxh3KeyHasher.UNSEEDED;
  }

  /**
   * Returns XXH3-64 under {@code seed}. Different seeds give unrelated hash functions; share the
   * seed between processes that must agree on placements, and keep it secret from clients.
   *
   * @param seed the seed, any value (seed 0 is the same function as {@link #xxh3()})
   * @return a hasher for that seed
   */
  static KeyHasher xxh3(long seed) {
    return seed == 0 ? Xxh3KeyHasher.UNSEEDED : new Xxh3KeyHasher(seed, "xxh3(seeded)");
  }

  /**
   * Returns XXH3-64 under a seed drawn from {@link SecureRandom}: resistant to hash flooding within
   * one process. Placements differ between processes and restarts, so use it only for in-process
   * structures (a keyed limiter's table, a cache's stripes), never for placements other processes
   * must share.
   *
   * @return a hasher with a fresh random seed
   */
  static KeyHasher randomlySeeded() {
    long seed;
    do {
      seed = new SecureRandom().nextLong();
    } while (seed == 0);
    return new Xxh3KeyHasher(seed, "xxh3(random seed)");
  }
}
