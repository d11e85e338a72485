package dev.sysblocks.core;

/**
 * XXH3-64 of a {@code String}'s UTF-16LE code units, for Strings of up to {@link #MAX_CHARS}
 * characters: the same value as hash4j's {@code Hashing.xxh3_64(seed).hashCharsToLong(s)}, bit for
 * bit, for every seed. Stateless; allocation-free.
 */
final class Xxh3Strings {

  /*
   * Problem
   * -------
   * Keys are short Strings, and turning one into a hash is most of the cost of "which node owns this
   * key". hash4j computes XXH3 over any CharSequence through charAt calls on the interface. Two things
   * cost there: each secret word is an element of a per-hasher long[] (a load and a bounds check), and
   * once a process has hashed some other CharSequence type (a StringBuilder, a CharBuffer) the charAt
   * call sites inside hash4j stop being monomorphic, so every character costs a virtual call.
   *
   * Idea
   * ----
   * Specialise XXH3 (spec [1]) for a String of at most 120 chars (240 bytes: the short, 17-128 and
   * 129-240 byte cases; longer inputs use the striped long-input loop and are left to hash4j):
   *   - the parameter type is String, a final class, so every s.charAt is a direct, inlinable call
   *     whatever else the process hashes;
   *   - a String is never copied: readLE64 at byte offset 2i is four chars packed into one long,
   *     chars4(s, i) = c[i] | c[i+1] << 16 | c[i+2] << 32 | c[i+3] << 48 (UTF-16LE puts each char's
   *     low byte first, which is exactly little-endian order of the packed chars);
   *   - every secret word XXH3 reads for inputs up to 240 bytes is a static final long, which the JIT
   *     folds into the instruction as an immediate; the seed is added at the point of use (XXH3 does
   *     the same: for inputs up to 240 bytes a seed only shifts the secret words by +seed / -seed).
   * Every read XXH3 makes on a UTF-16 input lands on a char boundary (the length in bytes is even and
   * every offset is a multiple of 2 from either end), so no read ever has to split a char.
   *
   * Worked example: "tenant-7:user-42:sess" has 21 chars = 42 bytes, the 17-128 byte case. XXH3 mixes
   * four 16-byte blocks, from both ends: bytes [0, 16), [16, 32), [10, 26) and [26, 42), i.e. chars
   * [0, 8), [8, 16), [5, 13) and [13, 21). Each block is two chars4 reads, so 32 charAt calls in all.
   *
   *    char   0            5        8            13       16                21
   *           |------ A: chars 0-7 -------|------ B: chars 8-15 ------|
   *                        |------ C: chars 5-12 ------|------ D: chars 13-20 ------|
   *
   *    acc = 42 * P1 + mix(A, s0) + mix(D, s1) + mix(B, s2) + mix(C, s3);   hash = avalanche(acc)
   *    (s_k: the k-th 16-byte block of the secret, with +seed on its first and -seed on its second
   *    8 bytes; mix: the two 64-bit halves XORed with them, multiplied to 128 bits, halves XORed)
   *
   * Invariant
   * ---------
   * hash(s, seed) == hash4j xxh3_64(seed).hashCharsToLong(s) for every String of 0..MAX_CHARS chars
   * and every seed. Xxh3StringsPropertyTest checks it over random Strings of 0..300 chars (surrogates
   * and unpaired surrogates included, Latin-1 and UTF-16 backed Strings) for fixed and random seeds;
   * KeyHasherGoldenTest pins values that predate this class.
   *
   * Cost
   * ----
   * O(length): at most 64 four-char reads and 16 64x64->128-bit multiplies (120 chars). No allocation;
   * up to 64 chars no array access for the secret either (from 65 chars the rounds after the eighth
   * read their secret words from a 14-entry static array). Measured by KeyHashSpeedBenchmark, rows
   * sysblocks-xxh3 and hash4j-xxh3 in the profiles "strings" and "mixed"
   * (benchmarks/results/KeyHashSpeedBenchmark.md once re-measured).
   *
   * Concurrency
   * -----------
   * Static pure functions over an immutable String and constants: any number of threads at once.
   *
   * Alternatives
   * ------------
   * hash4j for every input (what Xxh3KeyHasher does for other CharSequence types and longer Strings);
   * copying the chars into a buffer first (an extra pass, measured slower in an earlier version);
   * hashing UTF-8 bytes (Guava farmHashFingerprint64) changes the values, which are pinned.
   *
   * References
   * ----------
   * [1] Y. Collet, "xxHash fast digest algorithm", XXH3 section,
   *     https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
   * [2] hash4j, https://github.com/dynatrace-oss/hash4j (the reference these values must equal).
   */

  /** Longest String hashed here: 120 chars = 240 bytes, XXH3's last mid-size input. */
  static final int MAX_CHARS = 120;

  // XXH64 / XXH3 primes (spec [1]).
  private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
  private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
  private static final long PRIME64_3 = 0x165667B19E3779F9L;
  private static final long PRIME_MX1 = 0x165667919E3779F9L;
  private static final long PRIME_MX2 = 0x9FB21C651E98DF25L;

  // ------------------------------------------------------------------------------------------
  // The default 192-byte secret (spec [1], "kSecret"), and the words of it XXH3 reads.
  // ------------------------------------------------------------------------------------------

  private static final byte[] SECRET = {
    (byte) 0xb8, (byte) 0xfe, (byte) 0x6c, (byte) 0x39, (byte) 0x23, (byte) 0xa4, (byte) 0x4b,
    (byte) 0xbe, (byte) 0x7c, (byte) 0x01, (byte) 0x81, (byte) 0x2c, (byte) 0xf7, (byte) 0x21,
    (byte) 0xad, (byte) 0x1c, (byte) 0xde, (byte) 0xd4, (byte) 0x6d, (byte) 0xe9, (byte) 0x83,
    (byte) 0x90, (byte) 0x97, (byte) 0xdb, (byte) 0x72, (byte) 0x40, (byte) 0xa4, (byte) 0xa4,
    (byte) 0xb7, (byte) 0xb3, (byte) 0x67, (byte) 0x1f, (byte) 0xcb, (byte) 0x79, (byte) 0xe6,
    (byte) 0x4e, (byte) 0xcc, (byte) 0xc0, (byte) 0xe5, (byte) 0x78, (byte) 0x82, (byte) 0x5a,
    (byte) 0xd0, (byte) 0x7d, (byte) 0xcc, (byte) 0xff, (byte) 0x72, (byte) 0x21, (byte) 0xb8,
    (byte) 0x08, (byte) 0x46, (byte) 0x74, (byte) 0xf7, (byte) 0x43, (byte) 0x24, (byte) 0x8e,
    (byte) 0xe0, (byte) 0x35, (byte) 0x90, (byte) 0xe6, (byte) 0x81, (byte) 0x3a, (byte) 0x26,
    (byte) 0x4c, (byte) 0x3c, (byte) 0x28, (byte) 0x52, (byte) 0xbb, (byte) 0x91, (byte) 0xc3,
    (byte) 0x00, (byte) 0xcb, (byte) 0x88, (byte) 0xd0, (byte) 0x65, (byte) 0x8b, (byte) 0x1b,
    (byte) 0x53, (byte) 0x2e, (byte) 0xa3, (byte) 0x71, (byte) 0x64, (byte) 0x48, (byte) 0x97,
    (byte) 0xa2, (byte) 0x0d, (byte) 0xf9, (byte) 0x4e, (byte) 0x38, (byte) 0x19, (byte) 0xef,
    (byte) 0x46, (byte) 0xa9, (byte) 0xde, (byte) 0xac, (byte) 0xd8, (byte) 0xa8, (byte) 0xfa,
    (byte) 0x76, (byte) 0x3f, (byte) 0xe3, (byte) 0x9c, (byte) 0x34, (byte) 0x3f, (byte) 0xf9,
    (byte) 0xdc, (byte) 0xbb, (byte) 0xc7, (byte) 0xc7, (byte) 0x0b, (byte) 0x4f, (byte) 0x1d,
    (byte) 0x8a, (byte) 0x51, (byte) 0xe0, (byte) 0x4b, (byte) 0xcd, (byte) 0xb4, (byte) 0x59,
    (byte) 0x31, (byte) 0xc8, (byte) 0x9f, (byte) 0x7e, (byte) 0xc9, (byte) 0xd9, (byte) 0x78,
    (byte) 0x73, (byte) 0x64, (byte) 0xea, (byte) 0xc5, (byte) 0xac, (byte) 0x83, (byte) 0x34,
    (byte) 0xd3, (byte) 0xeb, (byte) 0xc3, (byte) 0xc5, (byte) 0x81, (byte) 0xa0, (byte) 0xff,
    (byte) 0xfa, (byte) 0x13, (byte) 0x63, (byte) 0xeb, (byte) 0x17, (byte) 0x0d, (byte) 0xdd,
    (byte) 0x51, (byte) 0xb7, (byte) 0xf0, (byte) 0xda, (byte) 0x49, (byte) 0xd3, (byte) 0x16,
    (byte) 0x55, (byte) 0x26, (byte) 0x29, (byte) 0xd4, (byte) 0x68, (byte) 0x9e, (byte) 0x2b,
    (byte) 0x16, (byte) 0xbe, (byte) 0x58, (byte) 0x7d, (byte) 0x47, (byte) 0xa1, (byte) 0xfc,
    (byte) 0x8f, (byte) 0xf8, (byte) 0xb8, (byte) 0xd1, (byte) 0x7a, (byte) 0xd0, (byte) 0x31,
    (byte) 0xce, (byte) 0x45, (byte) 0xcb, (byte) 0x3a, (byte) 0x8f, (byte) 0x95, (byte) 0x16,
    (byte) 0x04, (byte) 0x68, (byte) 0xaf, (byte) 0xd7, (byte) 0x0f, (byte) 0x1c, (byte) 0x5c,
    (byte) 0x2f, (byte) 0xf6, (byte) 0x55
  };

  // Named by byte offset into SECRET: S24 is the little-endian long at bytes 24..31. Static finals,
  // so the JIT uses them as immediates.

  /** Inputs of 0 bytes: the avalanche input is seed ^ (S56 ^ S64). */
  private static final long EMPTY_FLIP = secretLong(56) ^ secretLong(64);

  /** Inputs of 1-3 bytes (one char): 32-bit secret words at 0 and 4. */
  private static final long ONE_CHAR_FLIP = (secretInt(0) ^ secretInt(4)) & 0xFFFF_FFFFL;

  /** Inputs of 4-8 bytes (two to four chars). */
  private static final long SHORT_FLIP = secretLong(8) ^ secretLong(16);

  /** Inputs of 9-16 bytes (five to eight chars): the flips of the first and the last 8 bytes. */
  private static final long MEDIUM_FLIP_LO = secretLong(24) ^ secretLong(32);

  private static final long MEDIUM_FLIP_HI = secretLong(40) ^ secretLong(48);

  private static final long S0 = secretLong(0);
  private static final long S8 = secretLong(8);
  private static final long S16 = secretLong(16);
  private static final long S24 = secretLong(24);
  private static final long S32 = secretLong(32);
  private static final long S40 = secretLong(40);
  private static final long S48 = secretLong(48);
  private static final long S56 = secretLong(56);
  private static final long S64 = secretLong(64);
  private static final long S72 = secretLong(72);
  private static final long S80 = secretLong(80);
  private static final long S88 = secretLong(88);
  private static final long S96 = secretLong(96);
  private static final long S104 = secretLong(104);
  private static final long S112 = secretLong(112);
  private static final long S120 = secretLong(120);

  /** 129-240 bytes, rounds 8 and up: round r reads the secret at 3 + 16 (r - 8) and 8 further. */
  private static final long[] TAIL_ROUND_SECRET = new long[14];

  /** 129-240 bytes, the last 16 input bytes: secret at 136 - 17 = 119 and 127. */
  private static final long S119 = secretLong(119);

  private static final long S127 = secretLong(127);

  static {
    for (int r = 0; r < 7; r++) {
      TAIL_ROUND_SECRET[2 * r] = secretLong(3 + 16 * r);
      TAIL_ROUND_SECRET[2 * r + 1] = secretLong(11 + 16 * r);
    }
  }

  private Xxh3Strings() {}

  /**
   * XXH3-64 of the UTF-16LE code units of {@code s} under {@code seed}.
   *
   * @param s a String of at most {@link #MAX_CHARS} chars (the caller checks)
   * @param seed the XXH3 seed (0 for the unseeded function)
   */
  static long hash(String s, long seed) {
    int n = s.length();
    if (n <= 8) {
      if (n > 4) {
        return fiveToEightChars(s, n, seed);
      }
      if (n > 1) {
        return twoToFourChars(s, n, seed);
      }
      if (n == 1) {
        return oneChar(s.charAt(0), seed);
      }
      return xxh64Avalanche(seed ^ EMPTY_FLIP);
    }
    if (n <= 64) {
      return nineToSixtyFourChars(s, n, seed);
    }
    return sixtyFiveToMaxChars(s, n, seed);
  }

  // ------------------------------------------------------------------------------------------
  // Short inputs: 0-16 bytes.
  // ------------------------------------------------------------------------------------------

  /** 2 bytes: XXH3 reads byte 0, byte len/2 = 1 and byte len-1 = 1, i.e. low, high, high. */
  private static long oneChar(char c, long seed) {
    long low = c & 0xFFL;
    long high = (long) c >>> 8;
    long combined = (low << 16) | (high << 24) | high | (2L << 8);
    return xxh64Avalanche(combined ^ (ONE_CHAR_FLIP + seed));
  }

  /** 4, 6 or 8 bytes: the first 4 and the last 4 bytes, i.e. chars 0-1 and n-2..n-1. */
  private static long twoToFourChars(String s, int n, long seed) {
    long mixedSeed = seed ^ ((long) Integer.reverseBytes((int) seed) << 32);
    long first = s.charAt(0) | (long) s.charAt(1) << 16;
    long last = s.charAt(n - 2) | (long) s.charAt(n - 1) << 16;
    long keyed = (last + (first << 32)) ^ (SHORT_FLIP - mixedSeed);
    return rrmxmx(keyed, 2L * n);
  }

  /** 10 to 16 bytes: the first 8 and the last 8 bytes, i.e. chars 0-3 and n-4..n-1. */
  private static long fiveToEightChars(String s, int n, long seed) {
    long lo = chars4(s, 0) ^ (MEDIUM_FLIP_LO + seed);
    long hi = chars4(s, n - 4) ^ (MEDIUM_FLIP_HI - seed);
    long acc = 2L * n + Long.reverseBytes(lo) + hi + mulFold(lo, hi);
    return xxh3Avalanche(acc);
  }

  // ------------------------------------------------------------------------------------------
  // 17-128 bytes: up to four pairs of 16-byte blocks, taken from both ends.
  // ------------------------------------------------------------------------------------------

  private static long nineToSixtyFourChars(String s, int n, long seed) {
    long acc = 2L * n * PRIME64_1;
    if (n > 16) {
      if (n > 32) {
        if (n > 48) {
          acc += mix8Chars(s, 24, S96, S104, seed);
          acc += mix8Chars(s, n - 32, S112, S120, seed);
        }
        acc += mix8Chars(s, 16, S64, S72, seed);
        acc += mix8Chars(s, n - 24, S80, S88, seed);
      }
      acc += mix8Chars(s, 8, S32, S40, seed);
      acc += mix8Chars(s, n - 16, S48, S56, seed);
    }
    acc += mix8Chars(s, 0, S0, S8, seed);
    acc += mix8Chars(s, n - 8, S16, S24, seed);
    return xxh3Avalanche(acc);
  }

  // ------------------------------------------------------------------------------------------
  // 129-240 bytes: eight 16-byte rounds, an avalanche, the remaining rounds and the last 16 bytes.
  // ------------------------------------------------------------------------------------------

  private static long sixtyFiveToMaxChars(String s, int n, long seed) {
    long acc = 2L * n * PRIME64_1;
    acc += mix8Chars(s, 0, S0, S8, seed);
    acc += mix8Chars(s, 8, S16, S24, seed);
    acc += mix8Chars(s, 16, S32, S40, seed);
    acc += mix8Chars(s, 24, S48, S56, seed);
    acc += mix8Chars(s, 32, S64, S72, seed);
    acc += mix8Chars(s, 40, S80, S88, seed);
    acc += mix8Chars(s, 48, S96, S104, seed);
    acc += mix8Chars(s, 56, S112, S120, seed);
    acc = xxh3Avalanche(acc);
    int rounds = n >>> 3; // 16-byte rounds in 2n bytes
    for (int r = 8; r < rounds; r++) {
      int k = 2 * (r - 8);
      acc += mix8Chars(s, 8 * r, TAIL_ROUND_SECRET[k], TAIL_ROUND_SECRET[k + 1], seed);
    }
    acc += mix8Chars(s, n - 8, S119, S127, seed);
    return xxh3Avalanche(acc);
  }

  // ------------------------------------------------------------------------------------------
  // Building blocks (spec [1]).
  // ------------------------------------------------------------------------------------------

  /** The little-endian long at byte offset 2i of the UTF-16LE encoding: chars i..i+3. */
  private static long chars4(String s, int i) {
    return s.charAt(i)
        | (long) s.charAt(i + 1) << 16
        | (long) s.charAt(i + 2) << 32
        | (long) s.charAt(i + 3) << 48;
  }

  /** XXH3's mix16B over the 16 bytes at char i, with secret words lo, hi. */
  private static long mix8Chars(String s, int i, long secretLo, long secretHi, long seed) {
    return mulFold(chars4(s, i) ^ (secretLo + seed), chars4(s, i + 4) ^ (secretHi - seed));
  }

  /** The 128-bit product of two unsigned longs, its halves XORed together. */
  private static long mulFold(long a, long b) {
    long low = a * b;
    // Math.multiplyHigh is signed; correct it to the unsigned high half (JDK 17 has no
    // unsignedMultiplyHigh).
    long high = Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    return low ^ high;
  }

  private static long xxh3Avalanche(long h) {
    h ^= h >>> 37;
    h *= PRIME_MX1;
    return h ^ (h >>> 32);
  }

  private static long xxh64Avalanche(long h) {
    h ^= h >>> 33;
    h *= PRIME64_2;
    h ^= h >>> 29;
    h *= PRIME64_3;
    return h ^ (h >>> 32);
  }

  private static long rrmxmx(long h, long length) {
    h ^= Long.rotateLeft(h, 49) ^ Long.rotateLeft(h, 24);
    h *= PRIME_MX2;
    h ^= (h >>> 35) + length;
    h *= PRIME_MX2;
    return h ^ (h >>> 28);
  }

  private static long secretLong(int offset) {
    long v = 0;
    for (int b = 7; b >= 0; b--) {
      v = (v << 8) | (SECRET[offset + b] & 0xFF);
    }
    return v;
  }

  private static int secretInt(int offset) {
    return (int) secretLong(offset);
  }
}
