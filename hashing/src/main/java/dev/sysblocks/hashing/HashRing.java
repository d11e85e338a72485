package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A consistent hash ring with virtual nodes and weights (Karger et al.; Ketama): each node owns
 * many points on a 64-bit circle, and a key belongs to the first point clockwise from its hash.
 *
 * <pre>{@code
 * HashRing<String> ring = HashRing.<String>builder(id -> id).build();
 * ring.addAll(List.of("cache-a", "cache-b", "cache-c"));
 * ring.add("cache-big", 2.0);                  // twice the share of keys
 * String owner = ring.ownerOf("user:42");
 * List<String> replicas = ring.preferenceList("user:42", 3);
 * ring.remove("cache-b");                      // only cache-b's keys move
 * }</pre>
 *
 * <p><b>Guarantees.</b> Adding a node moves to it only about its share of keys, and only from other
 * nodes to it; removing a node moves only that node's keys. A node of weight {@code w} gets about
 * {@code w / totalWeight} of the keys (it owns {@code round(w * virtualNodes)} points, at least
 * one). Placement depends on node ids, weights, the virtual-node count and the key hasher (its seed
 * too), never on the order of additions. Nodes are identified by the id function given to {@link
 * #builder}; two nodes with the same id cannot be members at once.
 *
 * <p><b>Zones.</b> With {@link Builder#zoneOf}, preference lists put no two replicas in one zone
 * (rack, availability zone) while some zone holds none; the owner is the same as without zones.
 *
 * <p><b>Thread-safety.</b> Lookups are lock-free and allocation-free (except the {@code List}
 * forms): they read one immutable snapshot through a volatile field. Membership changes are
 * serialized and copy-on-write: they build a new snapshot in {@code O(P log P)} for {@code P}
 * points and publish it; a lookup concurrent with a change answers from either the old or the new
 * membership, never a mixture.
 *
 * @param <N> the node type
 */
public final class HashRing<N> extends CopyOnWriteMembership<N, long[]> implements NodeLocator<N> {

  /*
   * Problem
   * -------
   * Map keys to n nodes so that a membership change moves only the keys it must. `hash mod n` moves
   * almost every key when n changes; a ring moves ~1/n.
   *
   * Idea
   * ----
   * Hash nodes onto the same circle as keys. A key goes to the first node point clockwise. A node that
   * leaves hands its arcs to its clockwise neighbours; a node that joins takes arcs from them. One point
   * per node gives very uneven arcs (the largest of n random arcs is ~ln n times the mean), so each node
   * gets V points ("virtual nodes"); its share is then a sum of V arcs and its spread shrinks as 1/sqrt(V).
   *
   *          key k (hash 0x3a..)
   *             |
   *      A1 ----+--> B2 owns k          points, clockwise:  A1 < B2 < C1 < A2 < B1 < C2
   *     /                 \             k falls between A1 and B2, so B owns it;
   *   C2                   C1           preference list r=2: B (at B2), then C (at C1, first
   *     \                 /             point of a different node)
   *      B1 ---- A2 -----
   *
   * Invariant
   * ---------
   * The snapshot's points are sorted (as unsigned 64-bit values); every node has at least one point;
   * the ring layout is a pure function of {(id, weight)}, V and the hasher.
   *
   * Layout, and a cache-line argument
   * ---------------------------------
   * One long[] holds every point: the top 44 bits are the point's position, the low 20 bits the index
   * of its node (nodes sorted by id; hence at most 2^20 nodes). One load yields both where the arc ends
   * and who owns it, instead of a second, parallel array and a second cache miss. 44 bits of position
   * are plenty: two points collide with probability ~P^2 / 2^45. Values are stored XOR Long.MIN_VALUE so
   * that signed sorting and comparison give unsigned order.
   * A binary search over P = 64,000 points is 16 dependent, mostly cache-missing loads. Instead a
   * table of 2^b ints (2^b >= P) maps the top b bits of a key to the first point of that slice, and a
   * short linear scan (1 point on average) finishes: O(1) expected, 2-3 cache lines per lookup.
   *
   * Cost
   * ----
   * ownerOf: O(1) expected, no allocation. preferenceList(r): walks clockwise until r distinct nodes
   * are seen, O(r * P / n) points in the worst realistic case, with an O(r) distinctness check per
   * point. A single add/remove: O(P) (a linear merge or filter of the current points, then the
   * index), off the read path; bulk changes re-sort, O(P log P). Memory: 8 bytes per point + 4-8 bytes
   * per point for the index table, and every change allocates a new copy (copy-on-write).
   * Measured (full mode, 2 forks, JDK 17, 2-core AMD EPYC VM; benchmarks/results): ownerOf(hash) 7.2 /
   * 8.0 / 9.7 ns at n = 10 / 100 / 1000 (6,400 to 640,000 points; the index keeps it nearly flat);
   * from a 21-character String 41.9 ns and 0 B, against 660 ns and 680 B for allgood-consistent-hash's
   * TreeMap ring (KeyToNodeSpeedBenchmark); 3 replicas 59 ns vs 528 ns (ReplicaLookupSpeedBenchmark).
   * The price is on the write side: every change copies the 64,000 points of 100 nodes and rebuilds
   * their index (MembershipChangeCostBenchmark). Branch-free passes (the owner shift, the removal
   * filter and the index as a histogram) made a remove-and-add 4 to 5 times cheaper than the first
   * version's 1.67 ms (allgood's TreeMap: 0.74 ms); see benchmarks/results for the current figure.
   *
   * Balance against virtual nodes (measured: n = 100 equal nodes, 10^6 random keys, mean of 3 layouts;
   * peak/mean = busiest node's load over the mean, cv = coefficient of variation of the loads):
   *
   *     V per node    points    peak/mean   min/mean    cv
   *          1            100      5.61       0.00     1.03
   *         10          1,000      2.16       0.38     0.32
   *         40          4,000      1.44       0.62     0.16
   *        160         16,000      1.22       0.84     0.074   (Ketama's choice)
   *        640         64,000      1.10       0.90     0.040   (our default)
   *      2,560        256,000      1.05       0.95     0.022
   *
   * Worked example: cv halves each time V quadruples (1/sqrt(V)); the busiest of 100 nodes sits about
   * 2.5 standard deviations above the mean, so peak/mean ~ 1 + 2.5 * cv. The default buys a 10%
   * worst case for 64,000 points (about 0.8 MB with the index) at n = 100.
   *
   * Concurrency
   * -----------
   * Readers do one volatile read of the snapshot and then touch only final fields and arrays that are
   * never written after publication (safe publication through the volatile write). Writers serialize
   * on a private lock, rebuild, and publish with one volatile write: copy-on-write, so readers never
   * wait and never see a half-built ring. Memberships change rarely, lookups constantly; this is the
   * trade the design makes.
   *
   * Alternatives
   * ------------
   * JumpBackHash: no memory and O(1), but buckets are numbers and only the last can be removed.
   * Rendezvous hashing (not in sysblocks yet): no virtual nodes and exact weights, O(n) per lookup.
   *
   * References
   * ----------
   * [1] D. Karger et al., "Consistent Hashing and Random Trees", STOC 1997.
   * [2] R. Jones, "libketama: consistent hashing library for memcache clients", last.fm, 2007.
   * [3] G. DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007
   *     (preference lists).
   */

  // ------------------------------------------------------------------------------------------------
  // Constants
  // ------------------------------------------------------------------------------------------------

  /**
   * Points per unit of weight by default. Measured (HashRingBalanceTest; n = 100, 10^6 keys):
   * peak/mean load falls as 1/sqrt(V); 640 keeps the busiest of 100 nodes within 10% of the mean.
   */
  public static final int DEFAULT_VIRTUAL_NODES = 640;

  /** Low bits of a packed point that hold the owner's index; positions keep the other 44 bits. */
  static final int OWNER_BITS = 20;

  static final long OWNER_MASK = (1L << OWNER_BITS) - 1;

  /**
   * The most zones for replica spreading: one bit each in a 64-bit mask, no allocation per lookup.
   */
  public static final int MAX_ZONES = 64;

  /** The most nodes a ring can hold: owner indexes must fit in {@link #OWNER_BITS}. */
  public static final int MAX_NODES = 1 << OWNER_BITS;

  /** SplitMix64's increment, used to derive a node's point positions from its id hash. */
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  // ------------------------------------------------------------------------------------------------
  // State
  // ------------------------------------------------------------------------------------------------

  private final KeyHasher keyHasher;
  private final int virtualNodes;

  /** Zone of a node for replica spreading, or null. */
  private final Function<? super N, String> zoneOf;

  /** The published, immutable ring. Readers read this field once per operation. */
  private volatile Snapshot<N> snapshot;

  private HashRing(Builder<N> builder, int virtualNodes) {
    super(builder.nodeId, MAX_NODES);
    this.keyHasher = builder.keyHasher;
    this.virtualNodes = virtualNodes;
    this.zoneOf = builder.zoneOf;
    this.snapshot = Snapshot.empty();
  }

  /**
   * Starts building a ring whose nodes are identified by {@code nodeId}. Ids must be stable: a
   * node's points are derived from its id, so the same id always lands in the same places.
   *
   * @param nodeId returns the stable id of a node; it must not return null
   * @param <N> the node type
   * @return a builder with the default settings
   * @throws NullPointerException if {@code nodeId} is null
   */
  public static <N> Builder<N> builder(Function<? super N, String> nodeId) {
    return new Builder<>(Objects.requireNonNull(nodeId, "nodeId"));
  }

  /** Settings of a {@link HashRing}; each may be set once. */
  public static final class Builder<N> {
    private final Function<? super N, String> nodeId;
    private KeyHasher keyHasher = KeyHasher.xxh3();
    private boolean keyHasherSet;
    private int virtualNodes = DEFAULT_VIRTUAL_NODES;
    private boolean virtualNodesSet;
    private Function<? super N, String> zoneOf;

    private Builder(Function<? super N, String> nodeId) {
      this.nodeId = nodeId;
    }

    /**
     * Sets the number of points a node of weight 1 owns (default {@value #DEFAULT_VIRTUAL_NODES}).
     * More points give better balance (spread ~ 1/sqrt(points)) at 8-16 bytes of memory each.
     *
     * @param perUnitWeight points per unit of weight, from 1 to 65,536
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder<N> virtualNodes(int perUnitWeight) {
      if (virtualNodesSet) {
        throw new IllegalStateException("virtualNodes already set");
      }
      if (perUnitWeight < 1 || perUnitWeight > 65_536) {
        throw new IllegalArgumentException(
            "virtualNodes must be between 1 and 65536: " + perUnitWeight);
      }
      this.virtualNodes = perUnitWeight;
      this.virtualNodesSet = true;
      return this;
    }

    /**
     * Sets the hasher for keys and node ids (default {@link KeyHasher#xxh3()}). A seeded hasher
     * also makes the node positions unpredictable to clients.
     *
     * @param hasher the hasher
     * @return this builder
     * @throws NullPointerException if {@code hasher} is null
     * @throws IllegalStateException if already set
     */
    public Builder<N> keyHasher(KeyHasher hasher) {
      if (keyHasherSet) {
        throw new IllegalStateException("keyHasher already set");
      }
      this.keyHasher = Objects.requireNonNull(hasher, "hasher");
      this.keyHasherSet = true;
      return this;
    }

    /**
     * Spreads preference lists over zones (racks, availability zones): no two replicas share a zone
     * while some zone has none. The owner is unaffected. At most {@value HashRing#MAX_ZONES} zones.
     *
     * @param zoneOf returns the zone of a node; it must not return null
     * @return this builder
     * @throws NullPointerException if {@code zoneOf} is null
     * @throws IllegalStateException if already set
     */
    public Builder<N> zoneOf(Function<? super N, String> zoneOf) {
      if (this.zoneOf != null) {
        throw new IllegalStateException("zoneOf already set");
      }
      this.zoneOf = Objects.requireNonNull(zoneOf, "zoneOf");
      return this;
    }

    /**
     * Builds an empty ring; add nodes with {@link HashRing#add} or {@link HashRing#addAll}.
     *
     * @return a new ring
     */
    public HashRing<N> build() {
      return new HashRing<>(this, virtualNodes);
    }

    /**
     * Restores a ring from {@link HashRing#toBytes()}: the same nodes, weights and virtual-node
     * count, so every key is placed as in the ring the bytes came from. This builder supplies what
     * bytes cannot hold: the key hasher (it must be the one the snapshot was taken with) and the
     * zone function.
     *
     * @param snapshot bytes from {@link HashRing#toBytes()}
     * @param nodeById returns the node with a given id
     * @return a new ring with the snapshot's membership
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the bytes are not a readable, intact HashRing snapshot
     *     taken with this builder's hasher, if {@code virtualNodes} was set here to another value,
     *     or if {@code nodeById} returns null or a node with another id
     */
    public HashRing<N> restore(byte[] snapshot, Function<String, ? extends N> nodeById) {
      PlacementFormat.Reader in =
          PlacementFormat.reader(snapshot, PlacementFormat.Kind.HASH_RING, keyHasher);
      int stored = in.readInt();
      if (stored < 1 || stored > 65_536) {
        throw new IllegalArgumentException("snapshot is corrupt: virtualNodes " + stored);
      }
      if (virtualNodesSet && stored != virtualNodes) {
        throw new IllegalArgumentException(
            "virtualNodes was set to " + virtualNodes + " but the snapshot holds " + stored);
      }
      HashRing<N> ring = new HashRing<>(this, stored);
      ring.restoreMembers(in, nodeById);
      return ring;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Membership (copy-on-write, serialized)
  // ------------------------------------------------------------------------------------------------

  /**
   * Returns the number of nodes.
   *
   * @return the current number of nodes
   */
  public int size() {
    return snapshot.nodes.size();
  }

  @Override
  long[] prepare(String id, double weight) {
    long points = Math.max(1, Math.round(weight * virtualNodes));
    if (points > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException(
          "weight too large for " + virtualNodes + " points: " + weight);
    }
    long[] positions = pointPositions(keyHasher, id, (int) points);
    // Stored as they sit on the ring (owner bits clear, biased for unsigned order) and sorted, so a
    // later addition merges them into the ring in linear time.
    for (int i = 0; i < positions.length; i++) {
      positions[i] = (positions[i] & ~OWNER_MASK) ^ Long.MIN_VALUE;
    }
    Arrays.sort(positions);
    return positions;
  }

  /**
   * The positions of a node's points: a SplitMix64 sequence seeded by the hash of its id, so they
   * depend on the id (and the hasher's seed) alone.
   */
  static long[] pointPositions(KeyHasher hasher, String id, int count) {
    long[] positions = new long[count];
    long state = hasher.hash(id);
    for (int i = 0; i < count; i++) {
      state += GOLDEN_GAMMA;
      positions[i] = mix(state);
    }
    return positions;
  }

  /**
   * Publishes the ring for the members (sorted by id). A single addition or removal, the common
   * case, edits the current points in one linear pass (owner indexes above the change shift by one,
   * which keeps the order); anything else re-sorts all points. Both give the identical array.
   */
  @Override
  PlacementFormat.Kind kind() {
    return PlacementFormat.Kind.HASH_RING;
  }

  @Override
  void writeParameters(PlacementFormat.Writer out) {
    out.writeInt(virtualNodes);
  }

  @Override
  void publish(List<Member<N, long[]>> sorted) {
    Snapshot<N> current = snapshot;
    List<N> nodes = new ArrayList<>(sorted.size());
    for (Member<N, long[]> m : sorted) {
      nodes.add(m.node);
    }
    int changedAt = firstDifference(current.nodes, nodes);
    long[] points;
    if (nodes.size() == current.nodes.size() + 1) {
      points = withMember(current.points, sorted.get(changedAt).payload, changedAt);
    } else if (nodes.size() == current.nodes.size() - 1) {
      points = withoutMember(current.points, changedAt);
    } else {
      points = allPoints(sorted);
    }
    int[] zones = null;
    int zoneCount = 0;
    if (zoneOf != null) {
      // Zone names in sorted order get indexes 0..z-1: deterministic, independent of history.
      TreeMap<String, Integer> index = new TreeMap<>();
      String[] names = new String[nodes.size()];
      for (int k = 0; k < names.length; k++) {
        names[k] = Objects.requireNonNull(zoneOf.apply(nodes.get(k)), "zone");
        index.put(names[k], 0);
      }
      if (index.size() > MAX_ZONES) {
        throw new IllegalStateException("at most " + MAX_ZONES + " zones: " + index.size());
      }
      int z = 0;
      for (Map.Entry<String, Integer> e : index.entrySet()) {
        e.setValue(z++);
      }
      zones = new int[names.length];
      for (int k = 0; k < names.length; k++) {
        zones[k] = index.get(names[k]);
      }
      zoneCount = index.size();
    }
    snapshot = new Snapshot<>(points, Collections.unmodifiableList(nodes), zones, zoneCount);
  }

  /**
   * Index of the first position where two node lists hold different objects (or the shorter size).
   */
  private static <N> int firstDifference(List<N> a, List<N> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      if (a.get(i) != b.get(i)) {
        return i;
      }
    }
    return n;
  }

  /** Merges a new member's sorted points, as owner {@code at}, into the ring's points. */
  private static long[] withMember(long[] points, long[] memberPoints, int at) {
    long[] merged = new long[points.length + memberPoints.length];
    int i = 0;
    int j = 0;
    for (int k = 0; k < merged.length; k++) {
      long existing = i < points.length ? shiftedOwner(points[i], at, 1) : 0;
      long added = j < memberPoints.length ? memberPoints[j] | at : 0;
      if (j == memberPoints.length || (i < points.length && existing < added)) {
        merged[k] = existing;
        i++;
      } else {
        merged[k] = added;
        j++;
      }
    }
    return merged;
  }

  /** Drops owner {@code at}'s points; owners above it move down by one. */
  private static long[] withoutMember(long[] points, int at) {
    // One branch-free pass: every point is written, and the write position advances unless the
    // point was the removed owner's; then a copy trims the tail.
    long[] remaining = new long[points.length];
    int k = 0;
    for (long p : points) {
      remaining[k] = shiftedOwner(p, at, -1);
      k += (p & OWNER_MASK) != at ? 1 : 0;
    }
    return Arrays.copyOf(remaining, k);
  }

  /**
   * Adds {@code delta} to a packed point's owner index if the owner is at or above {@code from}.
   */
  private static long shiftedOwner(long point, int from, int delta) {
    // Branch-free: owners above the change are spread at random over the ring, so a branch would
    // mispredict for half the points. (from - 1 - owner) >> 63 is -1 exactly when owner >= from.
    return point - ((from - 1 - (point & OWNER_MASK)) >> 63) * delta;
  }

  /** All members' points packed with their owner index (position in id order), sorted. */
  private static <N> long[] allPoints(List<Member<N, long[]>> sorted) {
    int total = 0;
    for (Member<N, long[]> m : sorted) {
      total = Math.addExact(total, m.payload.length);
    }
    long[] points = new long[total];
    int p = 0;
    for (int owner = 0; owner < sorted.size(); owner++) {
      for (long position : sorted.get(owner).payload) {
        points[p++] = position | owner;
      }
    }
    Arrays.sort(points);
    return points;
  }

  // ------------------------------------------------------------------------------------------------
  // Lookups (lock-free: one volatile read of the snapshot)
  // ------------------------------------------------------------------------------------------------

  @Override
  public N ownerOf(long keyHash) {
    Snapshot<N> s = snapshot;
    return s.nodes.get(s.ownerAt(s.successor(keyHash)));
  }

  /**
   * Fills {@code out} with distinct nodes clockwise from the key, owner first. With zones
   * configured ({@link Builder#zoneOf}), a node whose zone already holds a replica is skipped while
   * some zone is still unused, so replicas spread over as many zones as there are, then fill up in
   * ring order. Allocation-free.
   */
  @Override
  public void preferenceList(long keyHash, N[] out) {
    Objects.requireNonNull(out, "out");
    Snapshot<N> s = snapshot;
    s.checkReplicas(out.length);
    int found = 0;
    long usedZones = 0; // bit z: zone z already holds a replica (at most 64 zones)
    int zonesUsed = 0;
    int i = s.successor(keyHash);
    while (found < out.length) {
      int owner = s.ownerAt(i);
      N candidate = s.nodes.get(owner);
      if (!containsIdentical(out, found, candidate)) {
        if (s.zones == null) {
          out[found++] = candidate;
        } else {
          long zoneBit = 1L << s.zones[owner];
          boolean newZone = (usedZones & zoneBit) == 0;
          if (newZone || zonesUsed == s.zoneCount) {
            out[found++] = candidate;
            if (newZone) {
              usedZones |= zoneBit;
              zonesUsed++;
            }
          }
        }
      }
      i = i + 1 == s.points.length ? 0 : i + 1;
    }
  }

  @Override
  public List<N> nodes() {
    return snapshot.nodes;
  }

  @Override
  public KeyHasher keyHasher() {
    return keyHasher;
  }

  /**
   * Returns the number of points on the ring (for analysis and tests).
   *
   * @return the total number of virtual nodes
   */
  public int pointCount() {
    return snapshot.points.length;
  }

  /**
   * The published snapshot, for a wrapper ({@link BoundedLoadBalancer}) that must read the ring and
   * its own per-node state from one consistent membership.
   */
  Snapshot<N> snapshot() {
    return snapshot;
  }

  @Override
  public String toString() {
    Snapshot<N> s = snapshot;
    return "HashRing{nodes=" + s.nodes.size() + ", points=" + s.points.length + "}";
  }

  private static <N> boolean containsIdentical(N[] array, int length, N node) {
    for (int j = 0; j < length; j++) {
      if (array[j] == node) {
        return true;
      }
    }
    return false;
  }

  /** SplitMix64's output function: spreads a node's consecutive states over the circle. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  // ------------------------------------------------------------------------------------------------
  // Snapshot
  // ------------------------------------------------------------------------------------------------

  /** An immutable ring: sorted packed points, the slice index over them, and the nodes by id. */
  static final class Snapshot<N> {
    /** Packed points (position | owner) XOR Long.MIN_VALUE, sorted ascending. */
    final long[] points;

    /** index[b] = first point whose top {@code 64 - shift} bits are >= b. */
    final int[] index;

    final int shift;
    final List<N> nodes;

    /** Zone index of each node (by node index), or null when zones are not configured. */
    final int[] zones;

    final int zoneCount;

    Snapshot(long[] points, List<N> nodes, int[] zones, int zoneCount) {
      this.points = points;
      this.nodes = nodes;
      this.zones = zones;
      this.zoneCount = zoneCount;
      int bits = points.length <= 1 ? 1 : 64 - Long.numberOfLeadingZeros(points.length - 1L);
      this.shift = 64 - bits;
      // A histogram of points per slice, then its prefix sums: two branch-free passes. (A merge of
      // slices and points mispredicts about once per point; it made this constructor the largest
      // cost of a membership change, 60% of the samples in a JFR profile of 100 nodes.)
      int[] starts = new int[(1 << bits) + 1];
      for (long point : points) {
        starts[(int) ((point ^ Long.MIN_VALUE) >>> shift) + 1]++;
      }
      for (int slice = 1; slice < starts.length; slice++) {
        starts[slice] += starts[slice - 1];
      }
      this.index = Arrays.copyOf(starts, 1 << bits);
    }

    static <N> Snapshot<N> empty() {
      return new Snapshot<>(new long[0], List.of(), null, 0);
    }

    /** Index of the first point at or clockwise after {@code keyHash}. */
    int successor(long keyHash) {
      long[] pts = points;
      if (pts.length == 0) {
        throw noNodes();
      }
      long biased = keyHash ^ Long.MIN_VALUE;
      int i = index[(int) (keyHash >>> shift)];
      while (i < pts.length && pts[i] < biased) {
        i++;
      }
      return i == pts.length ? 0 : i;
    }

    int ownerAt(int point) {
      return (int) (points[point] & OWNER_MASK);
    }

    void checkReplicas(int replicas) {
      CopyOnWriteMembership.checkReplicas(replicas, nodes.size());
    }
  }
}
