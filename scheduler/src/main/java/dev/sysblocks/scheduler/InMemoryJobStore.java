package dev.sysblocks.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * The default {@link JobStore}: two binary heaps. Delayed entries wait in one ordered by run-at
 * time; {@link #poll} moves those that have become eligible into the other, ordered by dispatch key
 * and sequence, and takes its head. Not thread-safe (the scheduler's lock guards it).
 */
final class InMemoryJobStore implements JobStore {

  /* Run-at readings may wrap around like System.nanoTime: compare by subtraction. */
  private static final Comparator<PendingJob> BY_RUN_AT =
      (a, b) -> Long.signum(a.runAtNanos() - b.runAtNanos());

  /* Written out rather than composed (comparingLong().thenComparingLong()): two sifts per job. */
  private static final Comparator<PendingJob> BY_DISPATCH_ORDER =
      (a, b) ->
          a.dispatchKey() != b.dispatchKey()
              ? Long.compare(a.dispatchKey(), b.dispatchKey())
              : Long.compare(a.sequence(), b.sequence());

  private final PriorityQueue<PendingJob> delayed = new PriorityQueue<>(BY_RUN_AT);
  private final PriorityQueue<PendingJob> eligible = new PriorityQueue<>(BY_DISPATCH_ORDER);

  @Override
  public void add(PendingJob job) {
    delayed.add(job);
  }

  /**
   * An entry eligible at {@code nowNanos} goes straight into the eligible heap: a job submitted
   * without a delay costs one sift up here and one sift down in {@link #poll}, as in a {@code
   * PriorityBlockingQueue}, instead of a trip through both heaps.
   */
  @Override
  public void add(PendingJob job, long nowNanos) {
    if (job.runAtNanos() - nowNanos <= 0) {
      eligible.add(job);
    } else {
      delayed.add(job);
    }
  }

  @Override
  public PendingJob poll(long nowNanos) {
    promote(nowNanos);
    return eligible.poll();
  }

  @Override
  public OptionalLong nextRunAtNanos(long nowNanos) {
    promote(nowNanos);
    PendingJob head = delayed.peek();
    return head == null ? OptionalLong.empty() : OptionalLong.of(head.runAtNanos());
  }

  /** Moves every entry whose run-at reading has come from the delayed heap to the eligible one. */
  private void promote(long nowNanos) {
    PendingJob head;
    while ((head = delayed.peek()) != null && head.runAtNanos() - nowNanos <= 0) {
      eligible.add(delayed.poll());
    }
  }

  @Override
  public List<PendingJob> drain() {
    List<PendingJob> all = new ArrayList<>(eligible.size() + delayed.size());
    all.addAll(eligible);
    all.addAll(delayed);
    eligible.clear();
    delayed.clear();
    return all;
  }

  @Override
  public String toString() {
    return "InMemoryJobStore{eligible=" + eligible.size() + ", delayed=" + delayed.size() + "}";
  }
}
