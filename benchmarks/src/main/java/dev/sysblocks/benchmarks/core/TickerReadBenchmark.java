package dev.sysblocks.benchmarks.core;

import dev.sysblocks.core.Ticker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What does one reading of the clock cost? The baseline under every time-based block: a rate
 * limiter that reads the clock once per decision cannot be faster than this.
 *
 * <p><b>Measures</b>: average time of one read through our {@code Ticker.system()}, through Guava's
 * {@code Ticker.systemTicker()} (an abstract class) and of a bare {@code System.nanoTime()}. The
 * three should be equal: if ours is slower, the interface dispatch is not being inlined.
 *
 * <p><b>Pitfalls avoided</b>: the reading is returned so it is not dead code; the ticker is held in
 * a non-final field so it is not constant-folded differently from how blocks hold it.
 *
 * <p><b>Run</b>: {@code java -jar benchmarks/target/benchmarks.jar TickerRead}, or {@code ./bench
 * quick TickerRead}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TickerReadBenchmark {

  @Param({"sysblocks-system", "guava-systemTicker", "jdk-nanoTime"})
  public String impl;

  private Ticker ticker;

  @Setup
  public void setUp() {
    ticker =
        switch (impl) {
          case "sysblocks-system" -> Ticker.system();
          case "guava-systemTicker" -> com.google.common.base.Ticker.systemTicker()::read;
          case "jdk-nanoTime" -> System::nanoTime;
          default -> throw new IllegalArgumentException("unknown impl: " + impl);
        };
  }

  @Benchmark
  public long read() {
    return ticker.read();
  }
}
