package dev.sysblocks.ratelimit;

/**
 * A long alone on its cache line: the one word a lock-free limiter writes on every admission,
 * padded on both sides (64 bytes each) so that its updates do not slow down readers of neighbouring
 * objects (false sharing) and theirs do not slow it down. 64 bytes is the line size of the x86 and
 * ARM servers this runs on; the adjacent-line prefetcher of some x86 parts pairs lines, which 128
 * bytes would also cover, at twice the memory.
 */
final class LongCell extends LongCellValue {
  @SuppressWarnings("unused")
  private long p11, p12, p13, p14, p15, p16, p17, p18;

  LongCell(long initial) {
    super(initial);
  }

  /** Closes every cell (see {@link #close}) and returns the values they held, in order. */
  static long[] closeAll(LongCell[] cells, long sentinel) {
    long[] closed = new long[cells.length];
    for (int i = 0; i < cells.length; i++) {
      closed[i] = cells[i].close(sentinel);
    }
    return closed;
  }
}
