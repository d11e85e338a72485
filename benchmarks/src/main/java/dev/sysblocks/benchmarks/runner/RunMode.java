package dev.sysblocks.benchmarks.runner;

import java.util.Locale;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How long to measure. Each mode overrides the iteration settings of every benchmark, so the
 * suite's duration is predictable: about (warmup + measurement) x forks per parameter combination.
 */
enum RunMode {
  // Arguments: forks, warmup iterations, warmup ms each, measurement iterations, measurement ms
  // each.

  /** Proves every benchmark runs; numbers are meaningless. Used by CI: ~1 s per parameter set. */
  SMOKE(1, 0, 100, 1, 200),
  /**
   * A first look in a few minutes: ratios are indicative, errors wide. The default. 1.2 s of warmup
   * reaches C2 for these small kernels; with the fork's start, ~4 s per parameter set, so the ~100
   * parameter sets of the suite take about 7 minutes on 2 cores.
   */
  QUICK(1, 2, 600, 3, 500),
  /**
   * Numbers worth reporting: two forks, so JIT and layout luck of one JVM do not decide the result.
   */
  FULL(2, 4, 2000, 5, 2000);

  final int forks;
  final int warmupIterations;
  final int measurementIterations;
  private final long warmupMillis;
  private final long measurementMillis;

  RunMode(
      int forks,
      int warmupIterations,
      long warmupMillis,
      int measurementIterations,
      long measurementMillis) {
    this.forks = forks;
    this.warmupIterations = warmupIterations;
    this.warmupMillis = warmupMillis;
    this.measurementIterations = measurementIterations;
    this.measurementMillis = measurementMillis;
  }

  TimeValue warmupTime() {
    return TimeValue.milliseconds(warmupMillis);
  }

  TimeValue measurementTime() {
    return TimeValue.milliseconds(measurementMillis);
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  String describe() {
    return String.format(
        Locale.ROOT,
        "%s: %d fork(s), %d warmup x %s, %d measurement x %s",
        label(),
        forks,
        warmupIterations,
        warmupTime(),
        measurementIterations,
        measurementTime());
  }

  static RunMode parse(String text) {
    for (RunMode mode : values()) {
      if (mode.label().equals(text)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown mode: " + text);
  }

  static boolean isMode(String text) {
    for (RunMode mode : values()) {
      if (mode.label().equals(text)) {
        return true;
      }
    }
    return false;
  }
}
