package dev.sysblocks.benchmarks.runner;

import java.util.Map;
import java.util.Objects;

/**
 * One measured cell of a benchmark run: one implementation under one combination of the other
 * parameters. A plain value, so the report can be built and tested without running JMH.
 *
 * @param benchmark fully qualified benchmark method, e.g. {@code
 *     ...KeyHashSpeedBenchmark.hashString}
 * @param params the benchmark's parameters other than {@code impl}
 * @param impl the implementation's name; ours start with {@code "sysblocks"}
 * @param score the primary score
 * @param error the 99.9% confidence half-width of the score, or NaN if there were too few
 *     iterations
 * @param unit the score's unit, e.g. {@code ns/op} or {@code ops/s}
 * @param higherIsBetter true for throughput scores, false for time-per-operation scores
 * @param allocBytesPerOp bytes allocated per operation (from {@code -prof gc}), or NaN if not
 *     measured
 */
record Row(
    String benchmark,
    Map<String, String> params,
    String impl,
    double score,
    double error,
    String unit,
    boolean higherIsBetter,
    double allocBytesPerOp) {

  /** The prefix that marks our implementations in every {@code @Param("impl")}. */
  static final String OURS_PREFIX = "sysblocks";

  /** Prefix of implementations measured only for scale: {@code baseline-<what>}. */
  static final String BASELINE_PREFIX = "baseline-";

  Row {
    Objects.requireNonNull(benchmark, "benchmark");
    params = Map.copyOf(Objects.requireNonNull(params, "params"));
    Objects.requireNonNull(impl, "impl");
    Objects.requireNonNull(unit, "unit");
  }

  boolean isOurs() {
    return impl.startsWith(OURS_PREFIX);
  }

  /**
   * A reference point that is not a real alternative (e.g. {@code hash % n}, which is not
   * consistent): shown for scale, never chosen as the best peer.
   */
  boolean isBaseline() {
    return impl.startsWith(BASELINE_PREFIX);
  }

  /**
   * How many times faster this row is than {@code reference}: above 1 means faster, whatever the
   * score's direction (time per operation or operations per time).
   */
  double speedupOver(Row reference) {
    return higherIsBetter ? score / reference.score : reference.score / score;
  }
}
