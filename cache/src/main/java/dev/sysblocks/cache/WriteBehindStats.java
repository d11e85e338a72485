package dev.sysblocks.cache;

/**
 * An immutable snapshot of a {@link WriteBehindCache}'s queue counters, taken by {@link
 * WriteBehindCache#writeBehindStats()} without a lock (counters updated concurrently may be seen at
 * slightly different moments).
 *
 * <p>Every acknowledged write ends in exactly one of four places, so once the cache is quiet {@code
 * acknowledgedWrites == storedWrites + coalescedWrites + deadLetteredWrites + queueDepth}: it
 * reached the store, it was replaced by a later write of its key before it did, it was handed to
 * the dead-letter handler, or it is still queued.
 *
 * <pre>{@code
 * WriteBehindStats s = users.writeBehindStats();
 * if (s.queueDepth() > 0.8 * maxQueueSize) log.warn("store falling behind: {}", s);
 * }</pre>
 *
 * @param queueDepth writes queued now: waiting, in a batch being written, or waiting for a retry
 *     (one per key, or two when a newer write waits behind one in flight)
 * @param acknowledgedWrites puts and deletes accepted
 * @param coalescedWrites writes replaced by a later write of the same key before reaching the store
 * @param storedWrites writes the store accepted
 * @param batchCount batches sent to the store (one {@code writeAll} for their puts, one {@code
 *     delete} per delete)
 * @param retryCount writes that failed and were scheduled for another attempt
 * @param deadLetteredWrites writes given up on and handed to the dead-letter handler
 * @param deadLetterHandlerFailures calls of the dead-letter handler that threw
 * @param rejectedWrites writes refused because the queue stayed full ({@link
 *     WriteQueueFullException})
 */
public record WriteBehindStats(
    long queueDepth,
    long acknowledgedWrites,
    long coalescedWrites,
    long storedWrites,
    long batchCount,
    long retryCount,
    long deadLetteredWrites,
    long deadLetterHandlerFailures,
    long rejectedWrites) {

  /**
   * Checks that every counter is zero or positive.
   *
   * @param queueDepth writes queued now
   * @param acknowledgedWrites puts and deletes accepted
   * @param coalescedWrites writes replaced before reaching the store
   * @param storedWrites writes the store accepted
   * @param batchCount batches sent to the store
   * @param retryCount writes scheduled for another attempt
   * @param deadLetteredWrites writes handed to the dead-letter handler
   * @param deadLetterHandlerFailures calls of the dead-letter handler that threw
   * @param rejectedWrites writes refused because the queue stayed full
   * @throws IllegalArgumentException naming the first negative counter
   */
  public WriteBehindStats {
    requireNonNegative(queueDepth, "queueDepth");
    requireNonNegative(acknowledgedWrites, "acknowledgedWrites");
    requireNonNegative(coalescedWrites, "coalescedWrites");
    requireNonNegative(storedWrites, "storedWrites");
    requireNonNegative(batchCount, "batchCount");
    requireNonNegative(retryCount, "retryCount");
    requireNonNegative(deadLetteredWrites, "deadLetteredWrites");
    requireNonNegative(deadLetterHandlerFailures, "deadLetterHandlerFailures");
    requireNonNegative(rejectedWrites, "rejectedWrites");
  }

  private static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
  }
}
