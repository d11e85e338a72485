package dev.sysblocks.core;

import java.util.concurrent.TimeUnit;

/**
 * The real clock and the real sleep: the only place in sysblocks that reads {@link
 * System#nanoTime()} or blocks a thread for a duration. An enum, so the singleton survives
 * serialization and the JIT sees one final class at every call site that uses it.
 */
enum SystemTime implements Ticker, Sleeper {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }

  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping");
    }
    // TimeUnit.sleep is a no-op for non-positive values and otherwise delegates to
    // Thread.sleep, which may return late (scheduler granularity) but never early.
    TimeUnit.NANOSECONDS.sleep(nanos);
  }

  @Override
  public String toString() {
    return "SystemTime";
  }
}
