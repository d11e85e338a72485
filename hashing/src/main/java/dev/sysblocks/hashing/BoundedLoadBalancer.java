package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam): a key goes to the
 * node a consistent-hash ring gives it, unless that node already carries more than {@code c} times
 * its share of the load in flight; then it goes to another node drawn by the key, so no node
 * carries much more than {@code c} times the average.
 *
 * <pre>{@code
 * BoundedLoadBalancer<String> balancer =
 *     BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(1.25).build();
 * balancer.addAll(List.of("cache-a", "cache-b", "cache-c"));
 * String node = balancer.acquire("user:42");   // one unit of load on the chosen node
 * try {
 *   // ... serve the request on node ...
 * } finally {
 *   balancer.release(node);                    // the unit is given back
 * }
 * }</pre>
 *
 * <p><b>The bound.</b> With {@code n} nodes of equal weight and a total load {@code L} before an
 * acquire, the acquire puts its unit on a node whose load becomes at most {@code ceil(c * (L + 1) /
 * n)}; with weights, {@code ceil(c * (L + 1) * w / W)} for a node of weight {@code w} out of a
 * total {@code W}. Used from one thread, some node always has room and every acquire meets the
 * bound.
 *
 * <p><b>Placement.</b> The first choice is the key's owner on a {@link HashRing} with the same ids,
 * weights and key hasher, so while it has room a key goes where a ring would put it (cache
 * affinity, little movement on membership changes). When the owner is full, further choices come
 * from independent re-hashes of the key, looked up on the same ring: a full node's overflow is
 * spread over all nodes in proportion to their weights, not poured onto its ring neighbour. The
 * same key under the same loads always gets the same node.
 *
 * <p><b>Concurrency.</b> {@link #acquire} checks the bound and counts the unit in one
 * compare-and-set on the node's counter, against a total load that counts the acquire itself and
 * every acquire begun before it. Hence, while only acquires run, every node holds at most {@code
 * ceil(c * L / n)} plus the {@link #overflows} placed on it, at every instant, where {@code L} is
 * the {@link #totalLoad} at that instant. Releases lower the average later without moving any load,
 * so after releases a node may sit above the new bound until its own units come back.
 *
 * <p><b>When every node is full</b>, which only racing acquires can cause, {@code acquire} does not
 * fail: it counts the unit on the least loaded node it saw and adds one to {@link #overflows}.
 *
 * <p><b>Releases and membership.</b> {@link #release} gives back one unit; it returns {@code false}
 * and changes nothing for a node that is not a member or holds no load. Removing a node drops its
 * outstanding load from the total, and later releases for it are ignored; if a node with the same
 * id joins again, such late releases lower the new node's load instead (never below zero), so drain
 * a node before re-adding it when exact counts matter. Other nodes keep their counters across
 * membership changes.
 *
 * <p><b>Thread-safety.</b> Acquire, release and the load observers are lock-free and
 * allocation-free (a node is found by identity; a different object with the same id costs one call
 * of the id function). Membership changes are serialized and copy-on-write, as for {@link
 * HashRing}.
 *
 * @param <N> the node type
 */
public final class BoundedLoadBalancer<N> {

  /*
   * Problem
   * -------
   * A ring balances keys, not load: one hot key, or a hot range of keys, lands on one node, which
   * saturates while its peers idle. Moving the hot keys by hand defeats consistent hashing; ignoring
   * the key (least-loaded, power of two choices) defeats cache affinity. Wanted: keys stay where the
   * ring puts them, except what would push a node past c times the average load.
   *
   * Idea
   * ----
   * Mirrokni, Thorup and Zadimoghaddam [1]: give every node a capacity of ceil(c * (L + 1) / n),
   * where L is the load in flight, and send a key whose node is full onward. Their analysis (and
   * HAProxy's and Vimeo's implementation [3]) sends it to the next node clockwise. That walk
   * cascades: every key of a hot arc overflows onto the same neighbour, which fills and then pushes
   * its own keys onward [2][4]. Here probe 0 is the ring owner and probe i >= 1 looks up an
   * independent re-hash of the key, fmix64(keyHash + i * PROBE_GAMMA), on the same ring:
   *
   *   ring walk (HAProxy, Vimeo)               independent re-hash probes (here)
   *         hot arc                                  hot arc
   *            |                                        |
   *    ... -- [A full] --> [B] --> [C] -- ...    ... -- [A full] -- ...
   *            every key of the arc tries B          key k tries probe(k, 1), probe(k, 2), ...:
   *            first; B fills with A's overflow      points anywhere on the ring, so node i takes
   *            and then spills its own keys to C     ~ w_i / W of A's overflow
   *
   * Measured (BoundedLoadBalancerTest, 20 nodes, c = 1.25: 10,000 background units held, then 400
   * keys from one hot arc; the owner takes 85 of them): the ring walk put 54% of the other 315 on
   * the owner's successor and the rest on the next node, 2 nodes in all; the re-hash probes spread
   * them over all 19 other nodes, at most 7.3% on any one.
   *
   * Worked example: n = 4, c = 1.25, loads A 4, B 3, C 2, D 1, so L = 10 and each capacity is
   * ceil(1.25 * 11 / 4) = ceil(3.44) = 4. Key k's owner A would go to 5 > 4: full. Probe 1 lands on
   * a point of C: 2 + 1 = 3 <= 4, accepted. Afterwards L = 11 and the max is 4 <= ceil(1.25 * 11/4).
   *
   * Invariant
   * ---------
   * (1) total >= sum of the members' loads at every instant, with equality at quiescence: an
   *     acquire adds to the total before it adds to a node, a release subtracts after.
   * (2) Loads never go below zero: a release that finds zero changes nothing.
   * (3) Every checked placement satisfied load + 1 <= ceil(c * T * w / W) at its compare-and-set,
   *     where T is a total read during the placement (so it counts this acquire and every acquire
   *     begun before). With acquires only, the total never falls, so T <= the total at any later
   *     instant t, and at every t each node holds <= ceil(c * total(t) / n) + the overflows placed
   *     on it: its last checked placement met a bound that has only grown since. (A test reading
   *     load, then total, then overflows after each acquire checks exactly this, and catches a
   *     check-then-add race that a look at quiescence would miss: the bound grows over it.)
   * (4) Some node always has room when the total is exact (used from one thread, or quiescent):
   *     if every node had load >= c * (L + 1) * w / W, summing would give L >= c * (L + 1) > L.
   *     The bound test is done exactly, load * W < c * w * T as one fused multiply-add whose sign
   *     is exact, so rounding cannot make a fitting node look full (exact for equal weights).
   *
   * Cost
   * ----
   * Probing: less than a fraction 1/c of the weight can be full (by (4)'s sum), and a re-hash probe
   * lands on a node with probability ~ w / W (the ring's share), so it finds room with probability
   * ~ 1 - 1/c or better: at most ~ c / (c - 1) re-hash probes are expected even in the fullest
   * state the bound allows, 5 at c = 1.25. After MAX_PROBES misses, one scan of all n nodes from a
   * key-derived start, O(n). A probe is one ring lookup (O(1) expected, ~7 ns at n = 100,
   * NodeLookupSpeedBenchmark) and one read of a counter; a placement adds a compare-and-set on the
   * node and an atomic add on the total; a release, an identity-hash lookup, a compare-and-set and
   * an add. No allocation. Memory: the ring's points, plus ~280 bytes of padded counter per node.
   * Measured (BoundedLoadAcquireBenchmark, 2 forks x 5 s, JDK 17, 2-core AMD EPYC VM, 64 units per
   * node held): acquire + release 51 / 69 ns at n = 10 / 100 with uniform keys, 63 / 52 ns with
   * Zipf keys whose owners sit at capacity, 0 B/op; the plain ring lookup in the same harness takes
   * 13-20 ns (3.2-4.8x less) and Guava's consistentHash with an unbounded AtomicLongArray count
   * 29-57 ns. Errors are +-15-27 ns on this shared VM. The gap is mostly the four atomic
   * read-modify-writes (total and node, each way; Guava's row does two), not probing.
   * Two threads on one balancer (-t 2): 85-147 ns per pair (+-17-73) against 51-95 ns for the
   * unbounded count; the total's cache line crosses cores on every operation, the price of an
   * exact total (see Alternatives).
   *
   * Concurrency
   * -----------
   * Loads live in one padded counter object per node, carried by node id from snapshot to
   * snapshot, so a membership change never copies or resets a count that other threads are
   * updating. An AtomicLongArray, even strided to one cache line per node, would have to be
   * reallocated and copied when nodes join, racing with updates to the old array. Padding: nodes
   * added together are allocated next to each other, and an unpadded counter object is 24 bytes,
   * so two or three nodes' counters would share a cache line and every update of one would steal
   * the line from threads updating the others. 128 bytes on each side cover adjacent-line
   * prefetching. The total is the one line every operation writes; it is padded too (see
   * Alternatives for striping it). Measured: on the 2-core VM padding changes nothing visible
   * (-t 2, n = 10: 82 +- 3 ns padded, 82 +- 20 unpadded), as the total's line dominates there; it
   * is kept for many-core machines, where threads on different nodes would otherwise fight over
   * shared lines, and costs ~250 bytes per node. An acquire reserves its unit on the total first, then CASes a
   * node from load to load + 1 only if the bound holds for the total it just read; on a failed CAS
   * it re-reads both. Removal publishes the new membership, then swaps the node's counter to
   * RETIRED (negative) and subtracts what it held from the total: a CAS racing on the old snapshot
   * either landed before the swap (and its unit left with the node) or fails and probes elsewhere.
   *
   * Alternatives
   * ------------
   * HashRing, MaglevHash, RendezvousHash: placement without load; choose them when keys are data
   * (shards) rather than requests. Probing rendezvous ranks instead of re-hashes also avoids the
   * cascade (a key's second choice is independent of its neighbours'), but costs O(n) per probe.
   * Envoy [4] probes a shuffle of all hosts seeded by the hash (O(n) setup per overflowing pick) and
   * reads active-request counts that the pick itself does not update, so concurrent picks can
   * overshoot; here the check and the count are one CAS.
   * Striping the total (LongAdder) would relieve its cache line beyond a few cores, at the price of
   * an O(cores) read per probe that is no longer one atomic value; not measurable on 2 cores.
   *
   * References
   * ----------
   * [1] V. Mirrokni, M. Thorup, M. Zadimoghaddam, "Consistent Hashing with Bounded Loads",
   *     SODA 2018, https://arxiv.org/abs/1608.01350
   * [2] J. Chen, B. Coleman, A. Shrivastava, "Revisiting Consistent Hashing with Bounded Loads",
   *     AAAI 2021, https://arxiv.org/abs/1908.08762 (random jumps instead of the clockwise walk)
   * [3] A. Rodland, "Improving load balancing with a new consistent-hashing algorithm", Vimeo
   *     Engineering Blog, 2016, https://medium.com/vimeo-engineering-blog/improving-load-balancing-
   *     with-a-new-consistent-hashing-algorithm-9f1bd75709ed (HAProxy's hash-balance-factor)
   * [4] Envoy, ConsistentHashingLbConfig.hash_balance_factor, https://www.envoyproxy.io/docs/envoy/
   *     latest/api-v3/config/cluster/v3/cluster.proto
   */

  // ------------------------------------------------------------------------------------------------
  // Constants
  // ------------------------------------------------------------------------------------------------

  /**
   * The balance factor by default: no node above 1.25 times the average, the value of Google's and
   * Vimeo's write-ups; at most 5 probes are expected even in the fullest state the bound allows.
   */
  public static final double DEFAULT_BALANCE_FACTOR = 1.25;

  /**
   * Probes (the owner, then 15 re-hashes) before the O(n) scan. A re-hash probe finds room with
   * probability about 1 - 1/c or better, so all 15 miss at most ~3.5% of the time at c = 1.25
   * (0.8^15) and ~0.2% at c = 1.5, and only in the fullest state the bound allows.
   */
  static final int MAX_PROBES = 16;

  /**
   * Odd step between a key's probe hashes. Not SplitMix64's gamma, and fed to a different
   * finalizer, because the ring places node i's points at SplitMix64(hash(id_i) + k * gamma): a key
   * that hashes like a node id would otherwise probe exactly that node's points.
   */
  private static final long PROBE_GAMMA = 0xD1B54A32D192ED03L;

  /** A removed node's counter: negative, so every CAS that expects a load fails. */
  private static final long RETIRED = Long.MIN_VALUE;

  // ------------------------------------------------------------------------------------------------
  // State
  // ------------------------------------------------------------------------------------------------

  private final Function<? super N, String> nodeId;
  private final double balanceFactor;

  /** The placement; changed only under {@link #writeLock}, read through {@link #snapshot}. */
  private final HashRing<N> ring;

  /** Guards writers only: readers never take it. */
  private final Object writeLock = new Object();

  /** Counters and weights of the members by id; guarded by {@link #writeLock}. */
  private final Map<String, Slot> slots = new HashMap<>();

  /** Units acquired and not yet released or dropped, plus acquires and releases in flight. */
  private final PaddedCounter total = new PaddedCounter();

  /** Acquires that found every node full (see {@link #overflows}). */
  private final PaddedCounter overflows = new PaddedCounter();

  /** The published membership; every operation reads it once. */
  private volatile Snapshot<N> snapshot;

  private BoundedLoadBalancer(Builder<N> builder) {
    this.nodeId = builder.nodeId;
    this.balanceFactor = builder.balanceFactor;
    this.ring = HashRing.<N>builder(builder.nodeId).keyHasher(builder.keyHasher).build();
    this.snapshot = new Snapshot<>(ring.snapshot(), new PaddedCounter[0], new double[0], 0, nodeId);
  }

  /**
   * Starts building a balancer whose nodes are identified by {@code nodeId}.
   *
   * @param nodeId returns the stable id of a node; it must not return null
   * @param <N> the node type
   * @return a builder with the default settings
   * @throws NullPointerException if {@code nodeId} is null
   */
  public static <N> Builder<N> builder(Function<? super N, String> nodeId) {
    return new Builder<>(Objects.requireNonNull(nodeId, "nodeId"));
  }

  /** Settings of a {@link BoundedLoadBalancer}; each may be set once. */
  public static final class Builder<N> {
    private final Function<? super N, String> nodeId;
    private KeyHasher keyHasher = KeyHasher.xxh3();
    private boolean keyHasherSet;
    private double balanceFactor = DEFAULT_BALANCE_FACTOR;
    private boolean balanceFactorSet;

    private Builder(Function<? super N, String> nodeId) {
      this.nodeId = nodeId;
    }

    /**
     * Sets {@code c}: no node takes a unit that would lift it above {@code c} times its share of
     * the total load (default {@value BoundedLoadBalancer#DEFAULT_BALANCE_FACTOR}). Lower values
     * balance more tightly and move more keys off their first choice, with more probes per acquire:
     * at most {@code c / (c - 1)} expected.
     *
     * @param c greater than 1 and finite
     * @return this builder
     * @throws IllegalArgumentException if {@code c} is not greater than 1, or is infinite
     * @throws IllegalStateException if already set
     */
    public Builder<N> balanceFactor(double c) {
      if (balanceFactorSet) {
        throw new IllegalStateException("balanceFactor already set");
      }
      if (!(c > 1)) { // also rejects NaN
        throw new IllegalArgumentException("balanceFactor must be > 1: " + c);
      }
      if (Double.isInfinite(c)) {
        throw new IllegalArgumentException("balanceFactor must be finite: " + c);
      }
      this.balanceFactor = c;
      this.balanceFactorSet = true;
      return this;
    }

    /**
     * Sets the hasher for keys and node ids (default {@link KeyHasher#xxh3()}), as for {@link
     * HashRing.Builder#keyHasher}.
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
     * Builds an empty balancer; add nodes with {@link BoundedLoadBalancer#add} or {@link
     * BoundedLoadBalancer#addAll}.
     *
     * @return a new balancer
     */
    public BoundedLoadBalancer<N> build() {
      return new BoundedLoadBalancer<>(this);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Acquire and release (lock-free: one volatile read of the snapshot)
  // ------------------------------------------------------------------------------------------------

  /**
   * Picks a node for a key and counts one unit of load on it; give the unit back with {@link
   * #release}.
   *
   * @param key the key
   * @return the node that now carries the unit
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if there are no nodes
   */
  public N acquire(CharSequence key) {
    return acquire(keyHasher().hash(key));
  }

  /**
   * Picks a node for a key given as bytes and counts one unit of load on it.
   *
   * @param key the key
   * @return the node that now carries the unit
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if there are no nodes
   */
  public N acquire(byte[] key) {
    return acquire(keyHasher().hash(key));
  }

  /**
   * Picks a node for a pre-hashed key and counts one unit of load on it: the key's ring owner if
   * the unit fits under the bound there, else the first node with room among the key's re-hash
   * probes, else the first with room in a scan of all nodes, else (every node full, only possible
   * under races) the least loaded node seen, counted in {@link #overflows}. Never fails for lack of
   * room.
   *
   * @param keyHash the key's 64-bit hash (by {@link #keyHasher()} or any well-mixed hash)
   * @return the node that now carries the unit
   * @throws IllegalStateException if there are no nodes
   */
  public N acquire(long keyHash) {
    Snapshot<N> s = snapshot;
    if (s.size() == 0) {
      throw CopyOnWriteMembership.noNodes();
    }
    // Reserve first, so that every bound check made from now on counts this unit (invariant 1, 3).
    total.getAndAddVolatile(1);
    for (; ; ) {
      int chosen = place(s, keyHash);
      if (chosen >= 0) {
        return s.nodes.get(chosen);
      }
      // Every counter we could use was retired: a removal published a newer membership first.
      s = snapshot;
      if (s.size() == 0) {
        total.getAndAddVolatile(-1);
        throw CopyOnWriteMembership.noNodes();
      }
    }
  }

  /**
   * Gives back one unit of load acquired on {@code node}. The node is matched by identity, or else
   * by id.
   *
   * @param node a node returned by {@link #acquire}
   * @return true if a unit was released; false, with nothing changed, if the node is not a member
   *     (for example because it was removed, which dropped its load) or holds no load
   * @throws NullPointerException if {@code node} or its id is null
   */
  public boolean release(N node) {
    Objects.requireNonNull(node, "node");
    Snapshot<N> s = snapshot;
    int i = s.indexOf(node, nodeId);
    if (i < 0 || !s.loads[i].decrementIfPositive()) {
      return false;
    }
    // After the node, so the total never drops below the sum of the loads (invariant 1).
    total.getAndAddVolatile(-1);
    return true;
  }

  /** Places one reserved unit in {@code s}; returns the node's index, or -1 if all are retired. */
  private int place(Snapshot<N> s, long keyHash) {
    for (int probe = 0; probe < MAX_PROBES; probe++) {
      int i = s.ownerIndex(probe == 0 ? keyHash : probeHash(keyHash, probe));
      if (tryAdd(s, i)) {
        return i;
      }
    }
    int n = s.size();
    int start = scanStart(keyHash, n);
    int least = -1;
    long leastLoad = Long.MAX_VALUE;
    for (int j = 0; j < n; j++) {
      int i = start + j < n ? start + j : start + j - n;
      if (tryAdd(s, i)) {
        return i;
      }
      long load = s.loads[i].getVolatile(); // rare path: full everywhere so far
      if (load >= 0 && load < leastLoad) {
        least = i;
        leastLoad = load;
      }
    }
    if (least >= 0 && s.loads[least].incrementIfLive()) {
      overflows.getAndAddVolatile(1);
      return least;
    }
    return -1;
  }

  /** Adds one unit to node {@code i} if it fits under the bound; false if full or retired. */
  private boolean tryAdd(Snapshot<N> s, int i) {
    PaddedCounter load = s.loads[i];
    for (; ; ) {
      long current = load.getVolatile();
      // The total is re-read on every attempt: it only ever loosens the bound we saw before.
      if (current < 0 || !s.fits(i, current, total.getVolatile())) {
        return false;
      }
      if (load.compareAndSetVolatile(current, current + 1)) {
        return true;
      }
    }
  }

  /**
   * Probe {@code probe}'s hash of a key: murmur3's fmix64 finalizer of {@code keyHash + probe *
   * PROBE_GAMMA}, a different function from the ring's point placement (SplitMix64).
   */
  static long probeHash(long keyHash, int probe) {
    long z = keyHash + probe * PROBE_GAMMA;
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  /** Where the scan of all {@code n} nodes starts: a key-derived index, spread like the probes. */
  static int scanStart(long keyHash, int n) {
    return (int) (((probeHash(keyHash, MAX_PROBES) >>> 32) * n) >>> 32);
  }

  // ------------------------------------------------------------------------------------------------
  // Observers
  // ------------------------------------------------------------------------------------------------

  /**
   * Returns the units currently counted on a node.
   *
   * @param node the node (matched by identity, or else by id)
   * @return its load; 0 if it is not a member
   * @throws NullPointerException if {@code node} or its id is null
   */
  public long load(N node) {
    Objects.requireNonNull(node, "node");
    Snapshot<N> s = snapshot;
    int i = s.indexOf(node, nodeId);
    long load = i < 0 ? 0 : s.loads[i].getVolatile();
    return Math.max(load, 0); // a node removed meanwhile reads as RETIRED: it holds nothing
  }

  /**
   * Returns the total load: the units held on the members, plus acquires and releases that are
   * under way (exactly the sum of {@link #load}s when no operation is running).
   *
   * @return the total load
   */
  public long totalLoad() {
    return total.getVolatile();
  }

  /**
   * Returns how many acquires found every node at capacity and were placed above the bound, on the
   * least loaded node. Only concurrent acquires racing for the last room can cause this; a balancer
   * used from one thread always reports 0.
   *
   * @return the number of over-capacity placements so far
   */
  public long overflows() {
    return overflows.getVolatile();
  }

  /**
   * Returns the balance factor {@code c}.
   *
   * @return the balance factor
   */
  public double balanceFactor() {
    return balanceFactor;
  }

  /**
   * Returns the current nodes, ordered by id.
   *
   * @return an immutable snapshot of the nodes
   */
  public List<N> nodes() {
    return snapshot.nodes;
  }

  /**
   * Returns the number of nodes.
   *
   * @return the current number of nodes
   */
  public int size() {
    return snapshot.size();
  }

  /**
   * Returns the hasher applied to {@code CharSequence} and {@code byte[]} keys.
   *
   * @return the key hasher
   */
  public KeyHasher keyHasher() {
    return ring.keyHasher();
  }

  /**
   * Tests only: shifts the total without touching a node, to stage what racing acquires can make a
   * thread see (every node full against the total it read).
   */
  void shiftTotalForTesting(long delta) {
    total.getAndAddVolatile(delta);
  }

  @Override
  public String toString() {
    return "BoundedLoadBalancer{nodes="
        + snapshot.size()
        + ", totalLoad="
        + total.getVolatile()
        + ", balanceFactor="
        + balanceFactor
        + "}";
  }

  // ------------------------------------------------------------------------------------------------
  // Membership (copy-on-write, serialized)
  // ------------------------------------------------------------------------------------------------

  /**
   * Adds a node of weight 1 with no load.
   *
   * @param node the node
   * @throws NullPointerException if {@code node} or its id is null
   * @throws IllegalArgumentException if a node with the same id is already a member
   * @throws IllegalStateException if the ring is full ({@link HashRing#MAX_NODES})
   */
  public void add(N node) {
    add(node, 1.0);
  }

  /**
   * Adds a node with a weight: its share of keys and its capacity are {@code weight / totalWeight}
   * of the whole.
   *
   * @param node the node
   * @param weight positive and finite
   * @throws NullPointerException if {@code node} or its id is null
   * @throws IllegalArgumentException if the weight is not positive and finite, or a node with the
   *     same id is already a member
   * @throws IllegalStateException if the ring is full ({@link HashRing#MAX_NODES})
   */
  public void add(N node, double weight) {
    synchronized (writeLock) {
      ring.add(node, weight); // validates everything before changing anything
      slots.put(nodeId.apply(node), new Slot(weight));
      publish();
    }
  }

  /**
   * Adds several nodes of weight 1 with a single rebuild; all or nothing.
   *
   * @param nodes the nodes
   * @throws NullPointerException if {@code nodes}, one of them, or an id is null
   * @throws IllegalArgumentException if two nodes share an id, or one is already a member; then
   *     none is added
   * @throws IllegalStateException if the ring would be over capacity
   */
  public void addAll(Collection<? extends N> nodes) {
    synchronized (writeLock) {
      ring.addAll(nodes);
      for (N node : nodes) {
        slots.put(nodeId.apply(node), new Slot(1.0));
      }
      publish();
    }
  }

  /**
   * Removes the member with this node's id and drops its outstanding load from the total; later
   * {@link #release}s for it return false. Only keys whose first choice it was move.
   *
   * @param node the node (matched by id)
   * @return true if it was a member
   * @throws NullPointerException if {@code node} or its id is null
   */
  public boolean remove(N node) {
    synchronized (writeLock) {
      if (!ring.remove(node)) {
        return false;
      }
      Slot gone = slots.remove(nodeId.apply(node));
      publish(); // new operations no longer see the node ...
      // ... and a CAS still racing on the old snapshot fails from now on (invariant 1).
      long dropped = gone.load.getAndSetVolatile(RETIRED);
      total.getAndAddVolatile(-dropped);
      return true;
    }
  }

  /** Publishes the ring's current membership with each member's counter; caller holds the lock. */
  private void publish() {
    HashRing.Snapshot<N> r = ring.snapshot();
    int n = r.nodes.size();
    PaddedCounter[] loads = new PaddedCounter[n];
    double[] scaledWeights = new double[n];
    double totalWeight = 0;
    for (int i = 0; i < n; i++) {
      Slot slot = slots.get(nodeId.apply(r.nodes.get(i)));
      loads[i] = slot.load;
      scaledWeights[i] = balanceFactor * slot.weight;
      totalWeight += slot.weight;
    }
    snapshot = new Snapshot<>(r, loads, scaledWeights, totalWeight, nodeId);
  }

  /** A member's counter and weight; the counter outlives every snapshot the member is part of. */
  private static final class Slot {
    final PaddedCounter load = new PaddedCounter();
    final double weight;

    Slot(double weight) {
      this.weight = weight;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Snapshot
  // ------------------------------------------------------------------------------------------------

  /** One membership: the ring, each node's counter and scaled weight, and an index of the nodes. */
  private static final class Snapshot<N> {
    final HashRing.Snapshot<N> ring;
    final List<N> nodes;
    final PaddedCounter[] loads;

    /** {@code c * w} per node: the bound is {@code load * totalWeight < c * w * total}. */
    final double[] scaledWeights;

    final double totalWeight;

    /** Open-addressed identity table, node to index: releases find their node without an id. */
    final Object[] identityKeys;

    final int[] identityIndexes;
    final int identityShift;
    final Map<String, Integer> indexById;

    Snapshot(
        HashRing.Snapshot<N> ring,
        PaddedCounter[] loads,
        double[] scaledWeights,
        double totalWeight,
        Function<? super N, String> nodeId) {
      this.ring = ring;
      this.nodes = ring.nodes;
      this.loads = loads;
      this.scaledWeights = scaledWeights;
      this.totalWeight = totalWeight;
      int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, 2L * nodes.size() - 1));
      this.identityShift = 64 - bits;
      this.identityKeys = new Object[1 << bits];
      this.identityIndexes = new int[1 << bits];
      this.indexById = new HashMap<>();
      for (int i = 0; i < nodes.size(); i++) {
        N node = nodes.get(i);
        int slot = identitySlot(node);
        while (identityKeys[slot] != null) {
          slot = (slot + 1) & (identityKeys.length - 1);
        }
        identityKeys[slot] = node;
        identityIndexes[slot] = i;
        indexById.put(nodeId.apply(node), i);
      }
    }

    int size() {
      return nodes.size();
    }

    /** Index (in id order) of the node owning a hash on the ring. */
    int ownerIndex(long hash) {
      return ring.ownerAt(ring.successor(hash));
    }

    /**
     * Whether node {@code i} at {@code load} may take one more unit when the total (counting that
     * unit) is {@code total}: {@code load + 1 <= ceil(c * w * total / W)}, i.e. {@code load * W < c
     * * w * total}. The fused multiply-add rounds once, so its sign is the exact comparison's.
     */
    boolean fits(int i, long load, long total) {
      return Math.fma(scaledWeights[i], (double) total, -(load * totalWeight)) > 0;
    }

    /** The node's index, by identity first, else by id; -1 if not a member. */
    int indexOf(N node, Function<? super N, String> nodeId) {
      int mask = identityKeys.length - 1;
      for (int slot = identitySlot(node); identityKeys[slot] != null; slot = (slot + 1) & mask) {
        if (identityKeys[slot] == node) {
          return identityIndexes[slot];
        }
      }
      Integer byId = indexById.get(Objects.requireNonNull(nodeId.apply(node), "node id"));
      return byId == null ? -1 : byId;
    }

    private int identitySlot(Object node) {
      return (int) ((System.identityHashCode(node) * 0x9E3779B97F4A7C15L) >>> identityShift);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Padded counters
  // ------------------------------------------------------------------------------------------------

  /** 128 bytes ahead of the counter: two 64-byte lines, as adjacent-line prefetch pairs them. */
  @SuppressWarnings("unused") // padding: never read, only occupies the lines around the value
  private abstract static class PadBeforeValue {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p10, p11, p12, p13, p14, p15;
  }

  /** The counted value; fields of a superclass are laid out before those of its subclasses. */
  private abstract static class Value extends PadBeforeValue {
    @SuppressWarnings(
        "UnusedVariable") // accessed only through VALUE, in the mode each accessor names
    long value;
  }

  /**
   * A counter alone on its cache lines: a node's load, the total, or the overflow count. Every
   * access is volatile: the bound is only as good as the freshest load and total it can see, and on
   * x86 a volatile read costs the same as a plain one.
   */
  @SuppressWarnings("unused") // padding: never read, only occupies the lines around the value
  private static final class PaddedCounter extends Value {
    long p16, p17, p18, p19, p20, p21, p22, p23;
    long p24, p25, p26, p27, p28, p29, p30, p31;

    private static final VarHandle VALUE;

    static {
      try {
        VALUE = MethodHandles.lookup().findVarHandle(Value.class, "value", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    long getVolatile() {
      return (long) VALUE.getVolatile(this);
    }

    boolean compareAndSetVolatile(long expected, long next) {
      return VALUE.compareAndSet(this, expected, next);
    }

    long getAndAddVolatile(long delta) {
      return (long) VALUE.getAndAdd(this, delta);
    }

    long getAndSetVolatile(long next) {
      return (long) VALUE.getAndSet(this, next);
    }

    /** Adds one unless retired; the forced placement when every node is full. */
    boolean incrementIfLive() {
      for (; ; ) {
        long current = getVolatile();
        if (current < 0) {
          return false;
        }
        if (compareAndSetVolatile(current, current + 1)) {
          return true;
        }
      }
    }

    /** Subtracts one unless zero or retired: a load never goes below zero (invariant 2). */
    boolean decrementIfPositive() {
      for (; ; ) {
        long current = getVolatile();
        if (current <= 0) {
          return false;
        }
        if (compareAndSetVolatile(current, current - 1)) {
          return true;
        }
      }
    }
  }
}
