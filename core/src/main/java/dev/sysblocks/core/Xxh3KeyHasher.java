package dev.sysblocks.core;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.Objects;

/**
 * XXH3-64. Strings of up to {@link Xxh3Strings#MAX_CHARS} chars are hashed by {@link Xxh3Strings}
 * (a String-typed copy of the algorithm that keeps its charAt calls monomorphic); every other input
 * (longer Strings, other CharSequence types, bytes, longs) by hash4j. Both give the same values.
 * Immutable; the seed is never printed.
 */
final class Xxh3KeyHasher implements KeyHasher {

  static final Xxh3KeyHasher UNSEEDED = new Xxh3KeyHasher(0L, "xxh3");

  private final Hasher64 hasher;
  private final long seed;
  private final String name;

  Xxh3KeyHasher(long seed, String name) {
    this.hasher = seed == 0 ? Hashing.xxh3_64() : Hashing.xxh3_64(seed);
    this.seed = seed;
    this.name = name;
  }

  @Override
  public long hash(CharSequence key) {
    Objects.requireNonNull(key, "key");
    if (key instanceof String s && s.length() <= Xxh3Strings.MAX_CHARS) {
      return Xxh3Strings.hash(s, seed);
    }
    return hasher.hashCharsToLong(key);
  }

  @Override
  public long hash(byte[] key) {
    Objects.requireNonNull(key, "key");
    return hasher.hashBytesToLong(key);
  }

  @Override
  public long hash(byte[] key, int offset, int length) {
    Objects.requireNonNull(key, "key");
    if ((offset | length) < 0 || length > key.length - offset) {
      throw new IndexOutOfBoundsException(
          "offset "
              + offset
              + " and length "
              + length
              + " do not fit in key of length "
              + key.length);
    }
    return hasher.hashBytesToLong(key, offset, length);
  }

  @Override
  public long hash(long key) {
    return hasher.hashLongToLong(key);
  }

  @Override
  public String toString() {
    return name;
  }
}
