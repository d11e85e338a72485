package dev.sysblocks.hashing;

/**
 * Jump-back consistent hash: the same placement guarantees as {@link JumpHash} (even spread;
 * growing from {@code n} to {@code n + 1} buckets moves only the ~{@code 1/(n + 1)} keys that must
 * move, all into the new bucket) in constant expected time, whatever {@code n} is. Stateless and
 * allocation-free.
 *
 * <pre>{@code
 * long h = KeyHasher.xxh3().hash("user:42");
 * int shard = JumpBackHash.bucket(h, 1000);   // 0..999, O(1)
 * }</pre>
 *
 * <p>Placements differ from {@link JumpHash}'s (and from hash4j's JumpBackHash, which uses another
 * random bit assignment): pick one for a data set and keep it. Our placements are pinned by golden
 * tests. As with jump hash, buckets are numbers: only the last one can be removed without moving
 * keys between the others.
 *
 * <p>Thread-safe (stateless).
 */
public final class JumpBackHash {

  /*
  * Problem
  * -------
  * Jump hash walks forward through a key's jumps, ~ln(n) of them: 7 at n = 1000, each with a
  * floating-point division. Can we find the key's *last* jump below n directly?
  *
  * Idea (Ertl, JumpBackHash, 2024)
  * -------------------------------
  * Cut the buckets into power-of-two ranges R_k = [2^k, 2^(k+1)). In jump hash, whether a key ever
  * jumps into R_k is a fair coin, independent for each k (with 2^(k+1) buckets the key is uniform, so
  * in the upper half with probability 1/2). And if it jumps into R_k, its last jump there is uniform
  * in R_k. So one random word decides everything for the complete ranges:
  *
  *   n = 300, n - 1 = 100101011b: ranges R_0..R_8 are in play; R_8 = [256, 512) only in part.
  *   coin bits  (bit k: the key jumps into R_k) = 0 1 1 0 1 0 0 1 0   (k = 8 .. 0)
  *   highest set bit k = 7: the last jump is uniform in R_7 = [128, 256): say 201 -> bucket 201.
  *
  * Only the top range can be partial. If its coin is set and the drawn position p is < n, done. If
  * p >= n, the key's last jump below n is found by rejection: draw positions uniform in [0, 2^(k+1))
  * until one is < 2^k (no jump below n in this range: fall to the next set coin bit, a complete
  * range, where the position is final) or lands in [2^k, n) (that is the last jump). The draws are
  * the low and then the high half of each further SplitMix64 word of the key's sequence: two draws
  * per word, independent of n like everything else.
  *
  * Where the random bits come from. One SplitMix64 word w = (hi, lo) per key. The coins are
  * (lo XOR hi): given the coins, lo alone is still uniform, and so is hi = lo XOR coins. A range's
  * position takes its low k bits from lo or hi, chosen by the parity of the number of set coins at or
  * below k: a fixed choice per key and range (needed for consistency, below), and two consecutive set
  * coins always use opposite halves. That matters in the fall-through case: the top position (half A)
  * was >= n, which biases A's low bits; the next range reads B = A XOR coins, and the coins below it,
  * which nothing has looked at, are a one-time pad that makes its position uniform again.
  *
  * Invariant
  * ---------
  * For a key, the coins, the positions and every draw depend only on the key, never on n. Going from
  * n to n + 1 changes one thing: a draw equal to n, formerly skipped, is now accepted (or a new top
  * range appears whose first position is n or is rejected). So a key either keeps its bucket or moves
  * to bucket n (monotonicity), and P(bucket = b) = 1/n for every b (with m = n - 2^k,
  * P(answer in [2^k, n)) = 1/2 * (m/2^k + (1 - m/2^k) * m/n) = m/n).

  * Cost
  * ----
  * Expected O(1): one SplitMix64 step (two multiplies) and a few bit operations in the common case;
  * the rejection loop runs less than 2 draws on average and only for the top range. No division, no
  * floating point, no memory. Measured (JDK 17, 2-core AMD EPYC VM, 2026-12-07, after taking
  * two draws per word), over 1,024 keys per call (NodeLookupBatchBenchmark, full run, 2 forks):
  * 3.65 / 2.88 / 2.73 ns at n = 10 / 100 / 1000; hash4j's JumpBackHash 3.96 / 3.46 / 2.79; Guava's
  * jump hash 6.95 / 12.3 / 26.4 (1.9x / 4.3x / 9.7x; against Guava's faster fork 1.6x / 4.3x /
  * 8.5x). An earlier full run that evening had one slow fork of ours at n = 100 and 1000 (3.4 and
  * 3.5 ns on means, 12% and 18% behind hash4j); interleaved single forks then gave 0.92x and 1.07x
  * hash4j's time (PairedRuns-2026-12-07.md). One lookup per call (NodeLookupSpeedBenchmark), where
  * the call itself costs about 3 ns (Long.remainderUnsigned measures 3.3): paired forks gave 4.4-4.6
  * / 4.2 / 3.6-3.8 ns against hash4j's 4.3 / 4.1-4.4 / 4.0-4.3; the noisy full run 5.7 / 6.1 / 5.3.
  *
  * Alternatives
  * ------------
  * JumpHash when placements must match Guava's consistentHash. HashRing or rendezvous hashing when any
  * node, not just the last, must be removable.
  *
  * References
  * ----------
  * [1] O. Ertl, "JumpBackHash: Say Goodbye to the Modulo Operation to Distribute Keys Uniformly to
  *     Buckets", Software: Practice and Experience, 2025. https://arxiv.org/abs/2403.18682
  * [2] J. Lamping, E. Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014.
  *     https://arxiv.org/abs/1406.2294
  * [3] G. Steele, D. Lea, C. Flood, "Fast Splittable Pseudorandom Number Generators" (SplitMix64),
  *     OOPSLA 2014.
  */

  /** SplitMix64's increment: the odd 64-bit integer nearest 2^64 / golden ratio. */
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private JumpBackHash() {}

  /**
   * Returns the bucket, in {@code [0, buckets)}, of a key hash.
   *
   * @param keyHash a well-mixed 64-bit hash of the key (for example from {@code KeyHasher})
   * @param buckets the number of buckets, positive
   * @return the bucket index
   * @throws IllegalArgumentException if {@code buckets} is not positive
   */
  public static int bucket(long keyHash, int buckets) {
    if (buckets <= 1) {
      if (buckets == 1) {
        return 0;
      }
      throw new IllegalArgumentException("buckets must be positive: " + buckets);
    }
    long state = keyHash + GOLDEN_GAMMA;
    long word = mix(state);
    // One coin per power-of-two range that holds buckets below n (bit k for R_k).
    int coins =
        ((int) word ^ (int) (word >>> 32)) & (-1 >>> Integer.numberOfLeadingZeros(buckets - 1));
    while (coins != 0) {
      int rangeStart = Integer.highestOneBit(coins);
      int candidate = rangeStart | (positionBits(word, coins) & (rangeStart - 1));
      if (candidate < buckets) {
        return candidate; // always, after the first pass: only the top range can be partial
      }
      // The top range is partial and its last jump is at or beyond n: look for the last jump
      // below n. Each draw is below 2 * rangeStart; the expected number of draws is at most 2. One
      // SplitMix64 word gives two draws, its low half and then its high half, as in hash4j's
      // implementation.
      int rangeMask = (rangeStart << 1) - 1;
      while (true) {
        state += GOLDEN_GAMMA;
        long draws = mix(state);
        int draw = (int) draws & rangeMask;
        if (draw < rangeStart) {
          break; // no jump into [rangeStart, n): fall through to the next set coin
        }
        if (draw < buckets) {
          return draw;
        }
        draw = (int) (draws >>> 32) & rangeMask;
        if (draw < rangeStart) {
          break;
        }
        if (draw < buckets) {
          return draw;
        }
      }
      coins ^= rangeStart; // the next set coin's range is complete: its position is the answer
    }
    return 0;
  }

  /**
   * The half of {@code word} a range's position is read from: the high half when an odd number of
   * coins are set at or below the range (its own coin is the highest of {@code coins}), else the
   * low.
   */
  private static int positionBits(long word, int coins) {
    return (int) (word >>> (Integer.bitCount(coins) << 5)); // a long shift uses its low 6 bits
  }

  /** SplitMix64's output function: a bijective 64-bit mix of the generator state. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
