package dev.sysblocks.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lossless, multi-producer single-consumer ring of write events. Unlike the read buffer
 * it never drops: {@link #offer} reports a full ring and the caller then applies its write itself
 * under the eviction lock.
 */
final class WriteBuffer<E> {

  /*
   * Memory modes (S8), as in StripedReadBuffer: producers claim a slot with a CAS on tail and
   * publish it with setRelease; the consumer reads slots with getAcquire, clears them, and frees
   * them with a setRelease of head, which producers read with getAcquire before claiming.
   */

  private static final VarHandle HEAD;
  private static final VarHandle TAIL;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      HEAD = lookup.findVarHandle(WriteBuffer.class, "head", long.class);
      TAIL = lookup.findVarHandle(WriteBuffer.class, "tail", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Object[] slots;
  private final int mask;

  @SuppressWarnings("unused") // written and read through HEAD
  private long head;

  @SuppressWarnings("unused") // written and read through TAIL
  private long tail;

  /**
   * Creates the ring.
   *
   * @param capacity a power of two
   */
  WriteBuffer(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    this.slots = new Object[capacity];
    this.mask = capacity - 1;
  }

  /**
   * 128 slots per processor, at most 4096: Caffeine's bound. Writers that fill it wait for the
   * lock, which is the back-pressure that keeps the policy's bookkeeping from falling behind.
   */
  static int defaultCapacity() {
    int wanted = 128 * Runtime.getRuntime().availableProcessors();
    return Math.min(4096, Integer.highestOneBit(wanted - 1) << 1);
  }

  /** Appends {@code e}; returns false, changing nothing, if the ring is full. */
  boolean offer(E e) {
    for (; ; ) {
      long h = (long) HEAD.getAcquire(this); // sees the slots the consumer cleared
      long t = (long) TAIL.getAcquire(this);
      if (t - h > mask) {
        return false;
      }
      if (TAIL.compareAndSet(this, t, t + 1)) {
        SLOTS.setRelease(slots, (int) (t & mask), e); // publishes e to poll's getAcquire
        return true;
      }
      Thread.onSpinWait(); // lost the slot to another writer; writes are not dropped, retry
    }
  }

  /** Removes and returns the oldest published event, or null. Single consumer only. */
  @SuppressWarnings("unchecked")
  E poll() {
    long h = (long) HEAD.getOpaque(this); // only the consumer writes head
    int slot = (int) (h & mask);
    E e = (E) SLOTS.getAcquire(slots, slot); // pairs with offer's setRelease
    if (e == null) {
      return null; // empty, or claimed and not yet published
    }
    SLOTS.setOpaque(slots, slot, null); // ordered before the head's setRelease
    HEAD.setRelease(this, h + 1); // frees the slot for producers
    return e;
  }
}
