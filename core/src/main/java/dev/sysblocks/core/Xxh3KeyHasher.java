package dev.sysblocks.core;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.Objects;

/** XXH3-64 through hash4j. Immutable; the seed is never printed. */
final class Xxh3KeyHasher implements KeyHasher {

  static final Xxh3KeyHasher UNSEEDED = new Xxh3KeyHasher(Hashing.xxh3_64(), "xxh3");

  private final Hasher64 hasher;
  private final String name;

  Xxh3KeyHasher(long seed, String name) {
    this(Hashing.xxh3_64(seed), name);
  }

  private Xxh3KeyHasher(Hasher64 hasher, String name) {
    this.hasher = hasher;
    this.name = name;
  }

  @Override
  public long hash(CharSequence key) {
    Objects.requireNonNull(key, "key");
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
