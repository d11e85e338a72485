package dev.sysblocks.hashing;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Measures a mapping instead of trusting it: how evenly it spreads keys ({@link #balance}) and how
 * many keys a topology change moves ({@link #movement}), over a sample of key hashes you supply.
 *
 * <pre>{@code
 * long[] sample = new SplittableRandom(1).longs(1_000_000).toArray();
 * Balance b = PlacementAnalysis.balance(ring, sample);        // peak/mean, min/mean, cv
 * }</pre>
 *
 * <p>Works with any {@link NodeLocator}, and with any function from a key hash to an owner (for the
 * bucket functions: {@code h -> JumpBackHash.bucket(h, 10)} over the buckets {@code 0..9}).
 */
public final class PlacementAnalysis {

  private PlacementAnalysis() {}

  /**
   * Balance of a locator over a sample of key hashes.
   *
   * @param locator the locator
   * @param keyHashes the sample
   * @param <N> the node type
   * @return the balance figures
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the sample is empty
   * @throws IllegalStateException if the locator has no nodes
   */
  public static <N> Balance balance(NodeLocator<N> locator, long[] keyHashes) {
    Objects.requireNonNull(locator, "locator");
    return balance(locator.nodes(), locator::ownerOf, keyHashes);
  }

  /**
   * Balance of any mapping over a sample of key hashes.
   *
   * @param nodes every node the mapping may answer (nodes that get no key count as load 0)
   * @param ownerOf the mapping from key hash to node
   * @param keyHashes the sample
   * @param <N> the node type
   * @return the balance figures
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code nodes} or the sample is empty, or the mapping
   *     answers a node not in {@code nodes}
   */
  public static <N> Balance balance(
      Collection<? extends N> nodes, LongFunction<? extends N> ownerOf, long[] keyHashes) {
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(ownerOf, "ownerOf");
    Objects.requireNonNull(keyHashes, "keyHashes");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes must not be empty");
    }
    if (keyHashes.length == 0) {
      throw new IllegalArgumentException("keyHashes must not be empty");
    }
    Map<N, long[]> load = new HashMap<>();
    for (N node : nodes) {
      load.put(node, new long[1]);
    }
    for (long h : keyHashes) {
      N owner = ownerOf.apply(h);
      long[] count = load.get(owner);
      if (count == null) {
        throw new IllegalArgumentException("the mapping answered a node not in nodes: " + owner);
      }
      count[0]++;
    }
    double mean = keyHashes.length / (double) load.size();
    long max = 0;
    long min = Long.MAX_VALUE;
    double squares = 0;
    for (long[] count : load.values()) {
      max = Math.max(max, count[0]);
      min = Math.min(min, count[0]);
      squares += (count[0] - mean) * (count[0] - mean);
    }
    double cv = Math.sqrt(squares / load.size()) / mean;
    return new Balance(load.size(), keyHashes.length, max / mean, min / mean, cv);
  }

  /**
   * What changing the topology from {@code before} to {@code after} did to a sample of keys.
   *
   * @param before the mapping before the change
   * @param after the mapping after the change
   * @param keyHashes the sample
   * @param <N> the node type
   * @return counts of moved and collateral keys, against the ideal
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the sample is empty
   * @throws IllegalStateException if either locator has no nodes
   */
  public static <N> Movement movement(
      NodeLocator<N> before, NodeLocator<N> after, long[] keyHashes) {
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    return movement(before.nodes(), before::ownerOf, after.nodes(), after::ownerOf, keyHashes);
  }

  /**
   * What changing any mapping from one topology to another did to a sample of keys.
   *
   * @param nodesBefore the nodes before the change
   * @param before the mapping before the change
   * @param nodesAfter the nodes after the change
   * @param after the mapping after the change
   * @param keyHashes the sample
   * @param <N> the node type
   * @return counts of moved and collateral keys, against the ideal
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the sample or a node set is empty
   */
  public static <N> Movement movement(
      Collection<? extends N> nodesBefore,
      LongFunction<? extends N> before,
      Collection<? extends N> nodesAfter,
      LongFunction<? extends N> after,
      long[] keyHashes) {
    Objects.requireNonNull(nodesBefore, "nodesBefore");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(nodesAfter, "nodesAfter");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(keyHashes, "keyHashes");
    if (keyHashes.length == 0) {
      throw new IllegalArgumentException("keyHashes must not be empty");
    }
    Set<N> oldNodes = new HashSet<>(nodesBefore);
    Set<N> newNodes = new HashSet<>(nodesAfter);
    if (oldNodes.isEmpty() || newNodes.isEmpty()) {
      throw new IllegalArgumentException("node sets must not be empty");
    }
    Set<N> survivors = new HashSet<>(oldNodes);
    survivors.retainAll(newNodes);
    long moved = 0;
    long collateral = 0;
    for (long h : keyHashes) {
      N was = before.apply(h);
      N is = after.apply(h);
      if (!Objects.equals(was, is)) {
        moved++;
        if (survivors.contains(was) && survivors.contains(is)) {
          collateral++;
        }
      }
    }
    double ideal = 1.0 - survivors.size() * Math.min(1.0 / oldNodes.size(), 1.0 / newNodes.size());
    return new Movement(
        keyHashes.length, moved, moved / (double) keyHashes.length, ideal, collateral);
  }
}
