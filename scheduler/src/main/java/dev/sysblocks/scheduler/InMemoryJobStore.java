package dev.sysblocks.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * The default {@link JobStore}: a heap of delayed entries and, for eligible ones, one FIFO queue
 * per priority. Not thread-safe (the scheduler's lock guards it).
 *
 * <p><b>Why not one heap of eligible entries.</b> A binary heap (a {@code PriorityQueue}, as in a
 * {@code ThreadPoolExecutor} over a {@code PriorityBlockingQueue}) costs a sift up per insert and a
 * sift down per poll: about 2 log2(n) comparisons, each following a pointer to another entry, and
 * measured at a third of the scheduler's whole cost per job with 1,000 queued. But the scheduler's
 * keys have a shape the heap ignores: within one priority the dispatch key is the run-at reading
 * shifted by a constant (with aging) or a constant (without), and entries of one priority become
 * eligible in run-at order. So each priority's eligible entries arrive already sorted, and a FIFO
 * queue per priority holds them in order at O(1) per insert and per poll; the next entry is the
 * smallest of at most ten queue heads, whose keys are kept in two small arrays (no pointer chasing)
 * and scanned through a bit mask of non-empty queues.
 *
 * <p><b>Exact for any keys.</b> The store's contract allows any keys. An entry that would break its
 * queue's order (a key or sequence smaller than the queue's last entry: a job whose run-at reading
 * was taken a moment before a concurrent one's, or a caller's own keys), or whose priority is out
 * of range, goes to a small overflow heap instead; {@link #poll} compares the overflow's head with
 * the queue heads. The order is exact either way; only the speed depends on the keys' shape.
 *
 * <p><b>Delayed entries</b> wait in a heap by run-at reading (then sequence, so that entries due at
 * the same reading reach their queues in FIFO order). Before an entry is appended to a queue, every
 * delayed entry due by then is moved first, so a queue never receives an older run-at reading after
 * a newer one.
 *
 * <p><b>Purging</b> ({@link #purge}) filters every structure in one linear pass and keeps each
 * queue in order, so the scheduler can drop cancelled entries without waiting for them to surface.
 */
final class InMemoryJobStore implements JobStore {

  private static final int LEVELS = JobScheduler.MAX_PRIORITY - JobScheduler.MIN_PRIORITY + 1;

  /* Run-at readings may wrap around like System.nanoTime: compare by subtraction. */
  private static final Comparator<PendingJob> BY_RUN_AT =
      (a, b) -> {
        long d = a.runAtNanos() - b.runAtNanos();
        return d != 0 ? Long.signum(d) : Long.compare(a.sequence(), b.sequence());
      };

  private static final Comparator<PendingJob> BY_DISPATCH_ORDER =
      (a, b) -> compare(a.dispatchKey(), a.sequence(), b.dispatchKey(), b.sequence());

  private PriorityQueue<PendingJob> delayed = new PriorityQueue<>(BY_RUN_AT); // replaced by purge

  private final Fifo[] queues = new Fifo[LEVELS];

  private final long[] headKey = new long[LEVELS];
  private final long[] headSequence = new long[LEVELS];
  private int nonEmpty; // bit i set iff queues[i] holds an entry

  private PriorityQueue<PendingJob> overflow = new PriorityQueue<>(BY_DISPATCH_ORDER);

  InMemoryJobStore() {
    for (int i = 0; i < LEVELS; i++) {
      queues[i] = new Fifo();
    }
  }

  private static int compare(long keyA, long seqA, long keyB, long seqB) {
    return keyA != keyB ? Long.compare(keyA, keyB) : Long.compare(seqA, seqB);
  }

  @Override
  public void add(PendingJob job) {
    delayed.add(job);
  }

  /** An entry eligible at {@code nowNanos} skips the delayed heap: O(1) for a job due now. */
  @Override
  public void add(PendingJob job, long nowNanos) {
    if (job.runAtNanos() - nowNanos <= 0) {
      promote(nowNanos); // entries due earlier reach their queues first
      append(job);
    } else {
      delayed.add(job);
    }
  }

  @Override
  public PendingJob poll(long nowNanos) {
    promote(nowNanos);
    int best = -1;
    long bestKey = 0;
    long bestSequence = 0;
    for (int bits = nonEmpty; bits != 0; bits &= bits - 1) {
      int i = Integer.numberOfTrailingZeros(bits);
      if (best < 0 || compare(headKey[i], headSequence[i], bestKey, bestSequence) < 0) {
        best = i;
        bestKey = headKey[i];
        bestSequence = headSequence[i];
      }
    }
    PendingJob o = overflow.peek();
    if (o != null
        && (best < 0 || compare(o.dispatchKey(), o.sequence(), bestKey, bestSequence) < 0)) {
      return overflow.poll();
    }
    if (best < 0) {
      return null;
    }
    Fifo q = queues[best];
    PendingJob e = q.pollFirst();
    PendingJob next = q.peekFirst();
    if (next == null) {
      nonEmpty &= ~(1 << best);
    } else {
      headKey[best] = next.dispatchKey();
      headSequence[best] = next.sequence();
    }
    return e;
  }

  @Override
  public OptionalLong nextRunAtNanos(long nowNanos) {
    promote(nowNanos);
    PendingJob head = delayed.peek();
    return head == null ? OptionalLong.empty() : OptionalLong.of(head.runAtNanos());
  }

  /** Moves every entry whose run-at reading has come from the delayed heap to its queue. */
  private void promote(long nowNanos) {
    PendingJob head;
    while ((head = delayed.peek()) != null && head.runAtNanos() - nowNanos <= 0) {
      append(delayed.poll());
    }
  }

  /** Appends an eligible entry to its priority's queue, or to the overflow heap if out of order. */
  private void append(PendingJob job) {
    int i = job.priority() - JobScheduler.MIN_PRIORITY;
    if (i < 0 || i >= LEVELS) {
      overflow.add(job);
      return;
    }
    Fifo q = queues[i];
    PendingJob last = q.peekLast();
    if (last == null) {
      headKey[i] = job.dispatchKey();
      headSequence[i] = job.sequence();
      nonEmpty |= 1 << i;
    } else if (compare(job.dispatchKey(), job.sequence(), last.dispatchKey(), last.sequence())
        < 0) {
      overflow.add(job);
      return;
    }
    q.addLast(job);
  }

  /**
   * O(n): {@code removeIf} filters each structure's array in place ({@code PriorityQueue} then
   * restores its heap bottom-up, {@code ArrayDeque} keeps its order), not n removals at O(log n)
   * each. The heaps are then copied into arrays of their new size, so a delayed heap that held many
   * cancelled far-off entries gives its array back too; the priority queues keep theirs (they hold
   * only eligible entries, which leave soon anyway).
   */
  @Override
  public int purge(Predicate<PendingJob> stale) {
    int before = size();
    if (delayed.removeIf(stale)) {
      delayed = new PriorityQueue<>(delayed); // same comparator, array trimmed to the size
    }
    if (overflow.removeIf(stale)) {
      overflow = new PriorityQueue<>(overflow);
    }
    for (int i = 0; i < LEVELS; i++) {
      Fifo q = queues[i];
      if (q.removeIf(stale)) {
        PendingJob head = q.peekFirst();
        if (head == null) {
          nonEmpty &= ~(1 << i);
        } else {
          headKey[i] = head.dispatchKey();
          headSequence[i] = head.sequence();
        }
      }
    }
    return before - size();
  }

  @Override
  public List<PendingJob> drain() {
    List<PendingJob> all = new ArrayList<>(size());
    for (Fifo q : queues) {
      all.addAll(q);
      q.clear();
    }
    nonEmpty = 0;
    all.addAll(overflow);
    all.addAll(delayed);
    overflow.clear();
    delayed.clear();
    return all;
  }

  /** The number of entries held, stale ones included. */
  int size() {
    int n = overflow.size() + delayed.size();
    for (Fifo q : queues) {
      n += q.size();
    }
    return n;
  }

  @Override
  public String toString() {
    return "InMemoryJobStore{eligible="
        + (size() - delayed.size())
        + ", delayed="
        + delayed.size()
        + "}";
  }

  /** One priority's eligible entries, oldest first (a named type: arrays of generics are raw). */
  @SuppressWarnings("serial") // never serialized
  private static final class Fifo extends ArrayDeque<PendingJob> {}
}
