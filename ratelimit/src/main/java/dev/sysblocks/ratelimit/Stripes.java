package dev.sysblocks.ratelimit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a contended limiter splits its one word into several: how many stripes, how a quantity
 * (capacity, permits generated, permits available) is shared out among them, and which stripe the
 * calling thread tries first.
 *
 * <p>Why split at all: when two cores take permits from one limiter, every admission's CAS moves
 * the limiter's cache line from one core to the other, and a lost CAS retries; measured here
 * (RateLimiterAcquireBenchmark, 2026-11-23) one word shared by two threads cost 96-109 ns per call
 * against 38-41 ns alone, so total throughput fell when a second thread came. A sum of k smaller
 * buckets, each on its own line, admits at most what the one bucket would over any interval (see
 * TokenBucketLimiter and GcraLimiter), so the bound stays exact; each thread mostly writes its own
 * stripe. The same move as {@code java.util.concurrent.atomic.LongAdder}'s cells, with the
 * difference that a permit cannot be borrowed from the future: a thread whose stripe is empty takes
 * from another, and is refused only when no stripe has the permits.
 *
 * <p>Shares: {@code share(x, i) = floor((x + k - 1 - i) / k)}. By Hermite's identity the k shares
 * add up to x exactly, for any x, negative included, and they differ by at most one. Shared out
 * this way, permit number j of the whole limiter (j = 1, 2, ...) belongs to stripe {@code (j - 1)
 * mod k}, so the stripes' permits interleave on the limiter's own grid.
 */
final class Stripes {

  /**
   * Stripes per contended limiter: twice the processors, rounded up to a power of two, at most 16.
   * Twice, so that two threads' first choices rarely collide (with 4 stripes, 2 threads collide 1
   * time in 4 at first and then move apart); at most 16, because a refusal reads every stripe.
   */
  static final int COUNT = count(Runtime.getRuntime().availableProcessors());

  /** log2(COUNT): shares are computed with a shift. */
  static final int SHIFT = Integer.numberOfTrailingZeros(COUNT);

  /** COUNT - 1: a probe masked with it is a stripe index. */
  static final int MASK = COUNT - 1;

  /**
   * Seeds the per-thread probes with the golden-ratio step, so threads start on different stripes.
   */
  private static final AtomicInteger SEEDS = new AtomicInteger();

  private static final ThreadLocal<int[]> PROBE = ThreadLocal.withInitial(Stripes::newProbe);

  private Stripes() {}

  static int count(int processors) {
    int wanted = Math.max(2, 2 * processors);
    return Math.min(16, Integer.highestOneBit(wanted - 1) << 1);
  }

  /**
   * floor((x + COUNT - 1 - i) / COUNT): stripe i's share of x; the shares add up to x, for any x up
   * to Long.MAX_VALUE - 15 (permits generated reach that after 292 years at one per ns).
   */
  static long share(long x, int i) {
    return (x + (MASK - i)) >> SHIFT; // arithmetic shift: a floor, also for a negative x
  }

  /**
   * The smallest total x whose share for stripe i is at least m: {@code COUNT * m - (COUNT - 1 -
   * i)}, saturating at Long.MAX_VALUE.
   */
  static long totalFor(long m, int i) {
    if (m > (Long.MAX_VALUE >> SHIFT)) {
      return Long.MAX_VALUE;
    }
    return (m << SHIFT) - (MASK - i);
  }

  /** The calling thread's probe: element 0 masked with MASK is the stripe it tries first. */
  static int[] probe() {
    return PROBE.get();
  }

  /** After a lost race on its stripe, the thread moves to another (a xorshift step). */
  static void moveOn(int[] probe) {
    int x = probe[0];
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    probe[0] = x;
  }

  private static int[] newProbe() {
    int seed = SEEDS.addAndGet(0x9E3779B9); // low bits 1, 2, 3, 0, ...: distinct first stripes
    return new int[] {seed == 0 ? 1 : seed}; // xorshift would stay at 0 forever
  }
}
