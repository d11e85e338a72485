package dev.sysblocks.hashing;

/**
 * How evenly a mapping spread a sample of keys over its nodes. Produced by {@link
 * PlacementAnalysis#balance}.
 *
 * <p>Read the three figures together: peak/mean alone hides starved nodes, and min/mean alone hides
 * a hot one. For a perfectly random assignment of {@code K} keys to {@code n} nodes the coefficient
 * of variation is about {@code sqrt(n / K)}: a mapping cannot be judged better than the sample
 * allows.
 *
 * @param nodes number of nodes (including nodes that received no key)
 * @param keys number of keys in the sample
 * @param peakToMean load of the busiest node divided by the mean load ({@code >= 1})
 * @param minToMean load of the idlest node divided by the mean load ({@code <= 1})
 * @param coefficientOfVariation standard deviation of the loads divided by the mean load
 */
public record Balance(
    int nodes, long keys, double peakToMean, double minToMean, double coefficientOfVariation) {

  /**
   * The coefficient of variation a perfectly random assignment of this many keys would show, for
   * comparison: {@code sqrt((n - 1) / K)}.
   *
   * @return the expected coefficient of variation of a uniformly random mapping
   */
  public double randomAssignmentCoefficientOfVariation() {
    return Math.sqrt((nodes - 1) / (double) keys);
  }
}
