package dev.sysblocks.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The value of a {@link LongCell} and its accessors, named for their memory mode. */
abstract class LongCellValue extends LongCellPadLeft {

  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(LongCellValue.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile long value;

  LongCellValue(long initial) {
    this.value = initial;
  }

  /** Volatile read: sees every write whose CAS it must be ordered after. */
  final long getVolatile() {
    return value;
  }

  /**
   * Volatile compare-and-exchange returning the value found: a lost race hands the caller the
   * current value, so the retry needs no second read of a contended line.
   */
  final long compareAndExchangeVolatile(long expected, long next) {
    return (long) VALUE.compareAndExchange(this, expected, next);
  }

  /**
   * Replaces the value with {@code sentinel} for good (volatile CAS: every write before it is
   * counted in the value returned) and returns the value it replaced. Closing is serialized by the
   * callers, so a cell already closed means a bug.
   */
  final long close(long sentinel) {
    long current = value;
    for (; ; ) {
      if (current == sentinel) {
        throw new IllegalStateException("closed twice"); // closers hold their limiter's lock
      }
      long witness = compareAndExchangeVolatile(current, sentinel);
      if (witness == current) {
        return current;
      }
      current = witness;
    }
  }
}
