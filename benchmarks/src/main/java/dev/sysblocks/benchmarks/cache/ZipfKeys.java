package dev.sysblocks.benchmarks.cache;

import java.util.SplittableRandom;

/**
 * A request stream drawn from a Zipf distribution, with its keys boxed once: the input of {@link
 * CacheGetPutBenchmark} and of the Zipf rows of {@link CacheHitRatio}, so that the hit ratio
 * printed for a capacity is the one the timed workload runs at.
 *
 * <p>The key of rank {@code r} (0 the most requested) is requested with probability proportional to
 * {@code 1 / (r + 1)^skew}. Keys are {@code Integer}s created once each: a request is a reference
 * into {@link #keys()}, never a new box, so a benchmark that reads {@code requests[i]} allocates
 * nothing of its own. Two choices keep the stream from flattering any one cache. The key values are
 * scrambled ({@code rank * 0x9E3779B9}, a bijection on {@code int} because the factor is odd), so
 * that hot keys are not the small consecutive integers that every hash table places in neighbouring
 * buckets. The boxes are allocated in a shuffled rank order, so that the hot keys do not share the
 * few cache lines the first allocations would give them.
 *
 * <p>With skew 0.99 over 65,536 keys, the hottest key takes 8.1 % of the requests, the top 1 % of
 * keys 59 % and the top 10 % 79 %: the hit ratios of a cache of that size that always held exactly
 * the most popular keys, which an LRU, keeping the most recent ones instead, stays below.
 */
final class ZipfKeys {

  /**
   * Distinct keys of the standard stream: 2^16. At 10 % capacity a cache holds 6,553 entries, about
   * 0.6 MB of map and nodes (within a core's 1 MB L2 on the 2-core benchmark machine); holding
   * every key, about 6 MB (in its 32 MB L3). Larger key spaces would mostly lengthen the set-up
   * that every benchmark fork pays, filling the cache: 2^17 cost smoke mode about 10 s more.
   */
  static final int KEY_SPACE = 1 << 16;

  /**
   * Requests in the standard stream: 2^20, a power of two so that an index is one mask; 16 times
   * the key space, so that the stream repeats only after far more requests than any cache here
   * holds. 4 MB of references (compressed oops).
   */
  static final int REQUESTS = 1 << 20;

  /** Skew of YCSB's Zipfian generator and of the hit-ratio targets. */
  static final double SKEW = 0.99;

  private static final long SEED = 0x21bf_5eedL;

  /** Odd, so that multiplying by it permutes the {@code int}s (the golden-ratio constant). */
  static final int SCRAMBLE = 0x9E3779B9;

  private final Integer[] keys;
  private final Integer[] requests;

  private ZipfKeys(Integer[] keys, Integer[] requests) {
    this.keys = keys;
    this.requests = requests;
  }

  /** The standard stream, generated once per JVM (about 0.05 s). */
  static ZipfKeys standard() {
    return Standard.INSTANCE;
  }

  /** Holder: the standard stream is built on first use, and only once per JVM. */
  private static final class Standard {
    static final ZipfKeys INSTANCE = generate(KEY_SPACE, REQUESTS, SKEW, SEED);
  }

  /**
   * Draws a stream.
   *
   * @param keySpace distinct keys, positive
   * @param length requests, positive
   * @param skew the Zipf exponent, non-negative (0: uniform)
   * @param seed the random seed: equal arguments give equal streams
   * @return the stream
   */
  static ZipfKeys generate(int keySpace, int length, double skew, long seed) {
    if (keySpace <= 0 || length <= 0 || !(skew >= 0)) {
      throw new IllegalArgumentException(
          "keySpace, length must be positive and skew non-negative: "
              + keySpace
              + ", "
              + length
              + ", "
              + skew);
    }
    SplittableRandom random = new SplittableRandom(seed);
    Integer[] byRank = new Integer[keySpace];
    for (int rank : shuffledRanks(keySpace, random)) {
      byRank[rank] = rank * SCRAMBLE; // boxed here, once
    }

    // Inverse transform: the rank of a uniform u is the smallest r with cumulative[r] > u. A guide
    // table (guide[j]: that rank for u = j / keySpace) starts each search next to its answer, half
    // a step away on average; a binary search took 6x longer (cache misses over the table),
    // which every benchmark fork would pay in its set-up.
    double[] cumulative = new double[keySpace];
    double sum = 0;
    for (int rank = 0; rank < keySpace; rank++) {
      sum += Math.pow(rank + 1, -skew);
      cumulative[rank] = sum;
    }
    for (int rank = 0; rank < keySpace; rank++) {
      cumulative[rank] /= sum;
    }
    cumulative[keySpace - 1] = 1.0; // no rounding gap above the last rank
    int[] guide = new int[keySpace];
    for (int j = 0, rank = 0; j < keySpace; j++) {
      double u = (double) j / keySpace;
      while (cumulative[rank] <= u) {
        rank++;
      }
      guide[j] = rank;
    }

    Integer[] requests = new Integer[length];
    for (int i = 0; i < length; i++) {
      double u = random.nextDouble();
      int rank = guide[(int) (u * keySpace)];
      while (cumulative[rank] <= u) {
        rank++;
      }
      requests[i] = byRank[rank];
    }
    return new ZipfKeys(byRank, requests);
  }

  private static int[] shuffledRanks(int n, SplittableRandom random) {
    int[] ranks = new int[n];
    for (int i = 0; i < n; i++) {
      ranks[i] = i;
    }
    for (int i = n - 1; i > 0; i--) { // Fisher-Yates
      int j = random.nextInt(i + 1);
      int t = ranks[i];
      ranks[i] = ranks[j];
      ranks[j] = t;
    }
    return ranks;
  }

  /**
   * Every distinct key, most requested first. Shared: do not modify.
   *
   * @return the keys by rank
   */
  Integer[] keys() {
    return keys;
  }

  /**
   * The requests, each one of {@link #keys()}. Shared: do not modify.
   *
   * @return the request stream
   */
  Integer[] requests() {
    return requests;
  }
}
