package dev.sysblocks.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Bounded, lossy, striped ring buffers of read events: many producers that never block and never
 * allocate, one consumer (the thread holding the eviction lock).
 *
 * <p>Each stripe is a ring of {@link #STRIPE_CAPACITY} slots with a head (advanced by the consumer)
 * and a tail (claimed by producers with one CAS). A producer picks its stripe from its thread id,
 * so threads created one after another (a pool's workers) land on different stripes. When its
 * stripe is full, or its CAS loses to another producer, the event is dropped: a lost read only
 * makes the LRU order slightly less exact, which is the trade this buffer exists for.
 */
final class StripedReadBuffer<E> {

  /*
   * Memory modes (S8). tail: CAS by producers (claims a slot), getAcquire by the consumer (sees
   * every claim). head: written only by the consumer with setRelease after it has cleared the
   * slots it consumed, read with getAcquire by producers, so a producer that sees the new head
   * also sees those slots cleared and may reuse them. Slots: setRelease by the producer after
   * its claim (publishes the event object), getAcquire by the consumer; a claimed slot still null
   * means "claimed, not yet published" and the consumer stops there for this drain.
   */

  static final int OFFER_SUCCESS = 0;
  static final int OFFER_FULL = 1;
  static final int OFFER_FAILED = 2;

  /**
   * Slots per stripe: 16 references are 64 bytes with compressed oops, one cache line. Caffeine
   * uses the same size; a stripe fills after 16 hits on one thread between drains.
   */
  static final int STRIPE_CAPACITY = 16;

  private static final int STRIPE_MASK = STRIPE_CAPACITY - 1;

  /**
   * Slots between the starts of neighbouring stripes: 32 references, 128 bytes with compressed
   * oops. A stripe's 16 slots (64 bytes) then never share a cache line, nor the adjacent line a CPU
   * may prefetch with it, with another stripe's slots; packed back to back, two stripes straddled a
   * line and two readers on neighbouring stripes invalidated each other's lines on every hit. The
   * first stripe starts one stride in, away from the array header.
   */
  private static final int SLOT_STRIDE = 2 * STRIPE_CAPACITY;

  /**
   * Longs between counters: head and tail of a stripe, and neighbouring stripes, each get their own
   * 128 bytes (two cache lines, for CPUs that prefetch pairs of lines), so producers on different
   * stripes do not invalidate each other's lines.
   */
  private static final int COUNTER_STRIDE = 16;

  private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

  private final int stripeMask;
  private final long[] counters; // per stripe s: head at (2s+1)*STRIDE, tail at (2s+2)*STRIDE
  private final Object[] slots; // per stripe s: [(s+1)*SLOT_STRIDE, (s+1)*SLOT_STRIDE + CAPACITY)

  /**
   * Creates the buffer with a power-of-two number of stripes.
   *
   * @param stripes the number of stripes, a power of two
   */
  StripedReadBuffer(int stripes) {
    if (Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two: " + stripes);
    }
    this.stripeMask = stripes - 1;
    this.counters = new long[(2 * stripes + 2) * COUNTER_STRIDE];
    this.slots = new Object[(stripes + 1) * SLOT_STRIDE];
  }

  /** Four stripes per processor, rounded up to a power of two (Caffeine's upper bound). */
  static int defaultStripes() {
    int wanted = 4 * Runtime.getRuntime().availableProcessors();
    return Math.min(1 << 16, Integer.highestOneBit(Math.max(1, wanted - 1)) << 1);
  }

  /**
   * Records {@code e} unless the caller's stripe is full or contended.
   *
   * @return {@link #OFFER_SUCCESS}, {@link #OFFER_FULL} or {@link #OFFER_FAILED}
   */
  int offer(E e) {
    int stripe = stripeOfCurrentThread();
    int headIndex = headIndex(stripe);
    int tailIndex = headIndex + COUNTER_STRIDE;
    long head = (long) COUNTERS.getAcquire(counters, headIndex); // sees cleared slots, see above
    long tail = (long) COUNTERS.getAcquire(counters, tailIndex); // a fresh tail for the CAS
    if (tail - head >= STRIPE_CAPACITY) {
      return OFFER_FULL;
    }
    if (!COUNTERS.compareAndSet(counters, tailIndex, tail, tail + 1)) {
      return OFFER_FAILED; // another producer took this slot; dropping is cheaper than retrying
    }
    int slot = slotBase(stripe) + (int) (tail & STRIPE_MASK);
    SLOTS.setRelease(slots, slot, e); // publishes the event to the consumer's getAcquire
    return OFFER_SUCCESS;
  }

  /** Hands every published event to {@code consumer}. Only one thread may drain at a time. */
  @SuppressWarnings("unchecked")
  void drainTo(Consumer<E> consumer) {
    for (int stripe = 0; stripe <= stripeMask; stripe++) {
      int headIndex = headIndex(stripe);
      long head = counters[headIndex]; // plain: only the draining thread writes head
      long tail = (long) COUNTERS.getAcquire(counters, headIndex + COUNTER_STRIDE);
      if (head == tail) {
        continue;
      }
      int base = slotBase(stripe);
      for (; head != tail; head++) {
        int slot = base + (int) (head & STRIPE_MASK);
        E e = (E) SLOTS.getAcquire(slots, slot); // pairs with the producer's setRelease
        if (e == null) {
          break; // claimed but not yet published: pick it up at the next drain
        }
        SLOTS.setOpaque(slots, slot, null); // ordered before the head's setRelease below
        consumer.accept(e);
      }
      COUNTERS.setRelease(counters, headIndex, head); // frees the slots for producers
    }
  }

  private static int slotBase(int stripe) {
    return (stripe + 1) * SLOT_STRIDE;
  }

  private static int headIndex(int stripe) {
    return (2 * stripe + 1) * COUNTER_STRIDE;
  }

  /**
   * A stripe from the thread id: a field read, unlike ThreadLocalRandom's probe, which the JDK
   * keeps private. The multiply spreads consecutive ids over the stripes.
   */
  /**
   * The thread id modulo the stripe count. Ids are handed out in creation order, so the threads of
   * a pool, created together, get distinct stripes (up to the stripe count) instead of colliding by
   * chance: with a scrambled id, two threads shared one of 8 stripes one time in eight, and every
   * read then paid a contended CAS (Caffeine rehashes a contended thread to another stripe through
   * a thread-local probe, which is not reachable from outside java.base without Unsafe).
   */
  private int stripeOfCurrentThread() {
    return (int) Thread.currentThread().getId() & stripeMask;
  }
}
