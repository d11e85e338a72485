package dev.sysblocks.hashing;

/**
 * What a change of topology did to a sample of keys. Produced by {@link
 * PlacementAnalysis#movement}.
 *
 * <p>A consistent mapping moves about {@link #idealFraction()} of the keys and has no collateral
 * movement: a key whose old and new owners both exist in both topologies should not move between
 * them. {@code hash mod n} going from 10 to 11 nodes, for contrast, moves ~91% of keys, almost all
 * collateral.
 *
 * @param keys number of keys in the sample
 * @param moved keys whose owner changed
 * @param movedFraction {@code moved / keys}
 * @param idealFraction the least fraction any mapping must move, for equally weighted nodes: {@code
 *     1 - |survivors| * min(1/|before|, 1/|after|)}
 * @param collateral moved keys whose old and new owners are both survivors (present before and
 *     after)
 */
public record Movement(
    long keys, long moved, double movedFraction, double idealFraction, long collateral) {

  /**
   * Returns collateral moves as a fraction of the sample.
   *
   * @return {@code collateral / keys}
   */
  public double collateralFraction() {
    return keys == 0 ? 0 : collateral / (double) keys;
  }
}
