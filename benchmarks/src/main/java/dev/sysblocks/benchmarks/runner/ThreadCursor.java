package dev.sysblocks.benchmarks.runner;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One benchmark thread's position in a stream of requests drawn in advance: a benchmark method
 * takes it as a parameter and reads {@code requests[cursor.next() & mask]}, a sequential array read
 * the prefetcher hides, where a random index would add a cache miss of the harness's own to every
 * call. Each thread starts at its own offset, so threads sharing one structure do not ask for the
 * same request at the same moment, and share no counter while they run.
 */
@State(Scope.Thread)
public class ThreadCursor {

  /**
   * Spreads the starting offsets: thread k starts at k * 0x9E3779B9 (masked by the caller), a
   * multiplicative hash that keeps any number of threads apart. In a stream of 2^20 requests,
   * thread 1 starts 47 % in and thread 2 93 %.
   */
  static final int SPREAD = 0x9E3779B9;

  /** Threads started in this JVM (one benchmark per fork, so per benchmark). */
  private static final AtomicInteger STARTED = new AtomicInteger();

  private int index;

  /** Places this thread's cursor at its starting offset. */
  @Setup
  public void start() {
    index = STARTED.getAndIncrement() * SPREAD;
  }

  /**
   * Returns this thread's next position, unmasked: the caller masks it with its stream's length (a
   * power of two).
   *
   * @return the position, any int
   */
  public int next() {
    return index++;
  }
}
