package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Maglev hashing (Google's network load balancer): a lookup table of a prime number of slots,
 * filled so that every node owns an almost equal number of them, and a lookup is one multiply and
 * one array read.
 *
 * <pre>{@code
 * MaglevHash<String> maglev = MaglevHash.<String>builder(id -> id).build();
 * maglev.addAll(List.of("backend-1", "backend-2", "backend-3"));
 * String backend = maglev.ownerOf("flow:10.0.0.1:443");
 * }</pre>
 *
 * <p><b>Guarantees.</b> With equal weights, the numbers of slots two nodes own differ by at most
 * one, so balance is as good as the table is large (default: the smallest prime at or above 100
 * times n rounded up to a power of two, so shares are within ~1% of each other). <b>When n crosses
 * a power of two the default table is resized and nearly every key moves</b>; fix the size with
 * {@link Builder#tableSize} for clusters that grow and shrink across such a boundary. Weights scale
 * a node's slot count. <b>Disruption is not minimal</b>: when membership changes, most keys stay,
 * but a few keys also move between nodes that did not change (the paper reports a small fraction;
 * {@link PlacementAnalysis#movement} measures it, and MaglevHashTest pins an upper bound). Choose
 * Maglev when lookup speed and balance matter more than perfectly minimal movement, as for
 * connection-level load balancing.
 *
 * <p>Lookups are lock-free and allocation-free; membership changes rebuild the table ({@code O(M
 * log M)} expected for {@code M} slots) copy-on-write.
 *
 * @param <N> the node type
 */
public final class MaglevHash<N> extends CopyOnWriteMembership<N, long[]>
    implements NodeLocator<N> {

  /*
   * Problem. A ring's lookup is a search and its balance needs many points; rendezvous balances
   * perfectly but costs O(n). A load balancer forwarding millions of packets per second wants O(1)
   * with near-perfect balance, and accepts a little extra movement on (rare) backend changes.
   *
   * Idea (Eisenbud et al., NSDI 2016). Give every node a permutation of the M table slots, defined by
   * two hashes of its id: offset in [0, M) and skip in [1, M); the node's j-th preference is
   * (offset + j * skip) mod M, a permutation because M is prime. Then fill the table in rounds: each
   * node in turn claims its next preferred slot that is still free, until all M slots are taken.
   *
   *   M = 7, nodes A (offset 3, skip 4), B (offset 0, skip 2), C (offset 3, skip 1):
   *   A prefs 3 0 4 1 5 2 6    B prefs 0 2 4 6 1 3 5    C prefs 3 4 5 6 0 1 2
   *   round 1: A->3  B->0  C->4 (3 taken)      round 2: A->1 (0,4 taken)  B->2  C->5
   *   round 3: A->6 (5,2 taken)  table full:   slot 0 1 2 3 4 5 6
   *                                                  B A B A C C A
   *
   * Invariant. Each round gives each node (of weight 1) one slot, so slot counts differ by at most 1.
   * A node's preferences depend only on its id, so after a change most slots are claimed by the same
   * node as before; but a node's claims depend on which slots others took first, so a few slots
   * change hands between unchanged nodes: that is the disruption.
   *
   * Disruption, measured (PlacementAnalysis.movement, 10^6 keys; remove 1 of n nodes; ideal = 1/n):
   *
   *      n   table (default)   moved    collateral  |  table 65,537 (655,373 at n=1000)  collateral
   *     10        1,601        12.6%       2.6%     |                                       0.2%
   *    100       12,809         2.5%       1.5%     |                                       0.6%
   *   1000      102,407         0.67%      0.58%    |                                       0.32%
   *
   * Bigger tables disrupt less. Balance in the same runs matched a random assignment of the sample
   * (coefficient of variation 0.003 / 0.010 / 0.033 against 0.003 / 0.010 / 0.032).
   *
   * Weights. A node of weight w claims w / max(w) slots per round on average: each round it gains
   * w / max(w) credit and claims one slot per whole unit.
   *
   * Cost. Lookup: slot = high 64 bits of (keyHash * M) (Lemire's multiply-shift reduction, no
   * division), then one array read that yields the node itself: O(1). Build: O(M log M) expected (a
   * node's probe sequence lengthens as the table fills, like coupon collecting). Memory: one
   * reference per slot, 4 bytes with compressed references (heaps under 32 GB), else 8: 400 KB at
   * 1,000 nodes (102,407 slots).
   *
   * Where a lookup's time goes. The work is a multiply and a few loads, so the time is the chain of
   * dependent loads: the table reference, then the slot. The table is read at a random slot, so
   * once it outgrows L1 (48 KB on the benchmark machine's cores; the default table for 65 to 128
   * nodes, 12,809 slots, is 51 KB) lookups pay L2 reads: the step from nodes=100 to nodes=1000.
   * The table stores node references, not 16-bit node indexes into a node array (the previous
   * design: half the memory, but a second dependent read per lookup). Measured
   * (NodeLookupSpeedBenchmark, 2 forks, 2-core VM, JDK 17, 2026-12-07): 1.80 / 1.85 / 2.71 ns at
   * n = 10 / 100 / 1,000 against 3.26 / 3.26 / 3.31 ns for Long.remainderUnsigned(hash, n), which
   * reads no table (an earlier run that day: 1.84 / 1.88 / 3.03); over 1,024 keys per call
   * (NodeLookupBatchBenchmark) 2.64 / 2.73 / 3.92 ns against 3.18 / 3.33 / 3.36, 1.17x the
   * remainder at 1,000 nodes, where the table outgrows the L1 cache. The 16-bit design measured
   * 2.82 / 3.07 / 5.18 ns against 3.11 / 3.10 / 2.59 (2026-11-23), 2.0x the remainder at 1,000.
   *
   * Concurrency. As HashRing: lookups read one immutable table through a volatile field; changes
   * rebuild under a lock and publish.
   *
   * Alternatives. HashRing: minimal disruption and preference lists, at a search per lookup.
   * JumpBackHash: no table at all, but numbered buckets. Rendezvous: perfect and minimal, O(n).
   *
   * References.
   *  [1] D. Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016.
   *  [2] D. Lemire, "A fast alternative to the modulo reduction", 2016.
   */

  /** Table slots per node by default: M is the smallest prime at or above this times n. */
  public static final int DEFAULT_SLOTS_PER_NODE = 100;

  /**
   * Largest table: 2^24 slots (64 MB of ints would be absurd for a load balancer's lookup table).
   */
  static final int MAX_TABLE_SIZE = 1 << 24;

  private final KeyHasher keyHasher;
  private final int slotsPerNode;
  private final int fixedTableSize;
  private volatile Snapshot<N> snapshot = new Snapshot<>(new int[0], List.of());

  /**
   * The current snapshot's {@code owners} table, published on its own so that {@link #ownerOf}
   * reads the table straight from this object: one hop fewer than through the snapshot. Always
   * written together with {@code snapshot}, table first, under the membership lock.
   */
  private volatile Object[] lookupTable = snapshot.owners;

  private MaglevHash(Builder<N> builder, int slotsPerNode, int fixedTableSize) {
    super(builder.nodeId, MAX_TABLE_SIZE / slotsPerNode);
    this.keyHasher = builder.keyHasher;
    this.slotsPerNode = slotsPerNode;
    this.fixedTableSize = fixedTableSize;
  }

  /**
   * Starts building a Maglev table whose nodes are identified by {@code nodeId}.
   *
   * @param nodeId returns the stable id of a node; it must not return null
   * @param <N> the node type
   * @return a builder
   * @throws NullPointerException if {@code nodeId} is null
   */
  public static <N> Builder<N> builder(Function<? super N, String> nodeId) {
    return new Builder<>(Objects.requireNonNull(nodeId, "nodeId"));
  }

  /** Settings of a {@link MaglevHash}; each may be set once. */
  public static final class Builder<N> {
    private final Function<? super N, String> nodeId;
    private KeyHasher keyHasher = KeyHasher.xxh3();
    private boolean keyHasherSet;
    private int slotsPerNode = DEFAULT_SLOTS_PER_NODE;
    private boolean slotsSet;
    private int tableSize;

    private Builder(Function<? super N, String> nodeId) {
      this.nodeId = nodeId;
    }

    /**
     * Sets the table size per node (default {@value #DEFAULT_SLOTS_PER_NODE}); the table has the
     * smallest prime number of slots at or above {@code slotsPerNode} times n rounded up to a power
     * of two. More slots: finer balance and weights, a larger table to build and cache.
     *
     * @param slotsPerNode from 10 to 10,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder<N> slotsPerNode(int slotsPerNode) {
      if (slotsSet) {
        throw new IllegalStateException("slotsPerNode already set");
      }
      if (slotsPerNode < 10 || slotsPerNode > 10_000) {
        throw new IllegalArgumentException(
            "slotsPerNode must be between 10 and 10000: " + slotsPerNode);
      }
      this.slotsPerNode = slotsPerNode;
      this.slotsSet = true;
      return this;
    }

    /**
     * Fixes the table size instead of deriving it from the number of nodes: no membership change
     * then ever resizes (and so reshuffles) the table. The paper uses 65,537 for hundreds of
     * backends.
     *
     * @param primeSlots a prime number of slots, from 3 to 2^24
     * @return this builder
     * @throws IllegalArgumentException if not a prime in range
     * @throws IllegalStateException if already set
     */
    public Builder<N> tableSize(int primeSlots) {
      if (tableSize != 0) {
        throw new IllegalStateException("tableSize already set");
      }
      if (primeSlots < 3 || primeSlots > MAX_TABLE_SIZE || !isPrime(primeSlots)) {
        throw new IllegalArgumentException(
            "tableSize must be a prime from 3 to 2^24: " + primeSlots);
      }
      this.tableSize = primeSlots;
      return this;
    }

    /**
     * Sets the hasher for keys and node ids (default {@link KeyHasher#xxh3()}).
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
     * Builds an empty Maglev table.
     *
     * @return a new instance
     */
    public MaglevHash<N> build() {
      return new MaglevHash<>(this, slotsPerNode, tableSize);
    }

    /**
     * Restores a Maglev table from {@link MaglevHash#toBytes()}: the same nodes, weights and table
     * sizing, so the table and every key's placement are those of the instance the bytes came from.
     *
     * @param snapshot bytes from {@link MaglevHash#toBytes()}
     * @param nodeById returns the node with a given id
     * @return a new instance with the snapshot's membership
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the bytes are not a readable, intact MaglevHash snapshot
     *     taken with this builder's hasher, if {@code slotsPerNode} or {@code tableSize} was set
     *     here to another value, or if {@code nodeById} returns null or a node with another id
     */
    public MaglevHash<N> restore(byte[] snapshot, Function<String, ? extends N> nodeById) {
      PlacementFormat.Reader in =
          PlacementFormat.reader(snapshot, PlacementFormat.Kind.MAGLEV_HASH, keyHasher);
      int storedSlots = in.readInt();
      int storedTable = in.readInt();
      if (storedSlots < 10
          || storedSlots > 10_000
          || (storedTable != 0 && (storedTable < 3 || !isPrime(storedTable)))) {
        throw new IllegalArgumentException(
            "snapshot is corrupt: slotsPerNode " + storedSlots + ", tableSize " + storedTable);
      }
      if (slotsSet && storedSlots != slotsPerNode) {
        throw new IllegalArgumentException(
            "slotsPerNode was set to " + slotsPerNode + " but the snapshot holds " + storedSlots);
      }
      if (tableSize != 0 && storedTable != tableSize) {
        throw new IllegalArgumentException(
            "tableSize was set to " + tableSize + " but the snapshot holds " + storedTable);
      }
      MaglevHash<N> hash = new MaglevHash<>(this, storedSlots, storedTable);
      hash.restoreMembers(in, nodeById);
      return hash;
    }
  }

  /**
   * Returns the number of nodes.
   *
   * @return the current number of nodes
   */
  public int size() {
    return snapshot.nodes.size();
  }

  /**
   * Returns the number of slots in the current table (a prime, or 0 when empty).
   *
   * @return the table size
   */
  public int tableSize() {
    return snapshot.size;
  }

  /** The two id hashes that define a node's permutation, reduced once the table size is known. */
  @Override
  long[] prepare(String id, double weight) {
    long h = keyHasher.hash(id);
    return new long[] {mix(h), mix(h ^ 0x5851F42D4C957F2DL)};
  }

  @Override
  PlacementFormat.Kind kind() {
    return PlacementFormat.Kind.MAGLEV_HASH;
  }

  @Override
  void writeParameters(PlacementFormat.Writer out) {
    out.writeInt(slotsPerNode);
    out.writeInt(fixedTableSize);
  }

  @Override
  void publish(List<Member<N, long[]>> sorted) {
    int n = sorted.size();
    List<N> nodes = new ArrayList<>(n);
    for (Member<N, long[]> m : sorted) {
      nodes.add(m.node);
    }
    if (n == 0) {
      install(new Snapshot<>(new int[0], List.of()));
      return;
    }
    int size = fixedTableSize > 0 ? fixedTableSize : defaultTableSize(n, slotsPerNode);
    if (size < n) {
      throw new IllegalStateException("a table of " + size + " slots cannot hold " + n + " nodes");
    }
    long[] next = new long[n]; // each node's next preference index j
    int[] offset = new int[n];
    int[] skip = new int[n];
    double maxWeight = 0;
    for (Member<N, long[]> m : sorted) {
      maxWeight = Math.max(maxWeight, m.weight);
    }
    double[] rate = new double[n];
    double[] credit = new double[n];
    for (int i = 0; i < n; i++) {
      Member<N, long[]> m = sorted.get(i);
      offset[i] = (int) Long.remainderUnsigned(m.payload[0], size);
      skip[i] = (int) Long.remainderUnsigned(m.payload[1], size - 1) + 1;
      rate[i] = m.weight / maxWeight;
    }
    int[] table = new int[size];
    java.util.Arrays.fill(table, -1);
    int filled = 0;
    while (filled < size) {
      for (int i = 0; i < n && filled < size; i++) {
        credit[i] += rate[i];
        while (credit[i] >= 1 && filled < size) {
          credit[i] -= 1;
          int slot;
          do {
            slot = (int) ((offset[i] + next[i] * skip[i]) % size);
            next[i]++;
          } while (table[slot] >= 0);
          table[slot] = i;
          filled++;
        }
      }
    }
    install(new Snapshot<>(table, Collections.unmodifiableList(nodes)));
  }

  private void install(Snapshot<N> next) {
    lookupTable = next.owners;
    snapshot = next;
  }

  @Override
  @SuppressWarnings("unchecked") // the table holds only N values
  public N ownerOf(long keyHash) {
    Object[] table = lookupTable;
    return (N) table[slotOf(keyHash, table.length)];
  }

  /**
   * Fills {@code out} with distinct nodes: the owner, then the owners of the following table slots
   * (wrapping), skipping repeats. Maglev itself defines only the owner; this walk is deterministic
   * and spreads replicas by the same balanced table.
   */
  @Override
  public void preferenceList(long keyHash, N[] out) {
    Objects.requireNonNull(out, "out");
    Snapshot<N> s = snapshot;
    checkReplicas(out.length, s.nodes.size());
    int found = 0;
    int slot = s.slotOf(keyHash);
    while (found < out.length) {
      N candidate = s.node(slot);
      boolean seen = false;
      for (int j = 0; j < found; j++) {
        seen |= out[j] == candidate;
      }
      if (!seen) {
        out[found++] = candidate;
      }
      slot = slot + 1 == s.size ? 0 : slot + 1;
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

  @Override
  public String toString() {
    Snapshot<N> s = snapshot;
    return "MaglevHash{nodes=" + s.nodes.size() + ", slots=" + s.size + "}";
  }

  /**
   * The default table size for {@code n} nodes: the smallest prime at or above {@code slotsPerNode}
   * times n rounded up to a power of two. It depends on n alone (never on history), stays put while
   * n moves within a power of two, and is always at least {@code slotsPerNode * n}.
   */
  static int defaultTableSize(int n, int slotsPerNode) {
    int roundedUp = Integer.highestOneBit(Math.max(1, n - 1)) << (n > 1 ? 1 : 0);
    return smallestPrimeAtLeast(Math.max(2, slotsPerNode * roundedUp));
  }

  static int smallestPrimeAtLeast(int n) {
    for (int candidate = n; ; candidate++) {
      if (isPrime(candidate)) {
        return candidate;
      }
    }
  }

  static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    for (int d = 2; (long) d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * SplitMix64's finalizer: turns an id hash into the two independent-looking permutation seeds.
   */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * An immutable table: slot to node, nodes sorted by id. The table holds the node references
   * themselves, so a lookup is one dependent read after the slot is known. An earlier version held
   * 16-bit node indexes (half the memory: 2 bytes per slot instead of 4 with compressed references,
   * 8 without) and read the node from a second array; that second read sat on every lookup's
   * critical path behind the table read, which at 1,000 nodes misses L1 (NodeLookupSpeedBenchmark,
   * maglev rows, nodes=1000). The same table is published on its own in {@link #lookupTable}.
   */
  private static final class Snapshot<N> {
    /** Slot to node; its length is the table size, 0 when there are no nodes. */
    final Object[] owners;

    final int size;
    final List<N> nodes;

    Snapshot(int[] table, List<N> nodes) {
      this.size = table.length;
      this.nodes = nodes;
      Object[] nodeArray = nodes.toArray();
      owners = new Object[table.length];
      for (int i = 0; i < table.length; i++) {
        owners[i] = nodeArray[table[i]];
      }
    }

    /** The node in a slot. */
    @SuppressWarnings("unchecked") // owners holds only N values
    N node(int slot) {
      return (N) owners[slot];
    }

    int slotOf(long keyHash) {
      return MaglevHash.slotOf(keyHash, size);
    }
  }

  /** Lemire's reduction: the high word of keyHash (as unsigned) times the table size. */
  static int slotOf(long keyHash, int size) {
    if (size == 0) {
      throw noNodes();
    }
    return (int) Math.multiplyHigh(keyHash >>> 1, (long) size << 1);
  }
}
