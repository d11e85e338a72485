package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A hash ring laid out exactly as Ketama clients lay it out (libketama's MD5 scheme, as implemented
 * by spymemcached's {@code KetamaNodeLocator}): a Java service using it places every key on the
 * same memcached server as those clients do.
 *
 * <pre>{@code
 * KetamaRing<String> ring = KetamaRing.<String>builder(id -> id).build();
 * ring.addAll(List.of("10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"));
 * String server = ring.ownerOf("user:42");   // the server spymemcached picks for "user:42"
 * }</pre>
 *
 * <p><b>The layout.</b> A node's id is what the client prints for the server ({@code "host:port"}
 * for spymemcached's default format). For each repetition {@code r} in 0..39, {@code MD5(id + "-" +
 * r)} gives 16 bytes, read as four little-endian 32-bit points: 160 points per node. A key's point
 * is the first four bytes of {@code MD5(UTF-8 key)}, little-endian. The owner is the first node
 * point at or after the key's point, wrapping. Where two nodes share a point, the one later in id
 * order holds it (the clients' map keeps the last node put, and they put nodes in list order: give
 * them the list sorted by id to agree on those rare ties).
 *
 * <p>Compatibility costs speed: MD5 per key (and its allocations) instead of XXH3, and 32-bit
 * points (16,000 points at n = 100 collide about 3% of the time). {@link Builder#weighted()}
 * reproduces the clients' weighted layout. For new systems use {@link HashRing}. Lookups are
 * lock-free; membership changes are copy-on-write.
 *
 * @param <N> the node type
 */
public final class KetamaRing<N> extends CopyOnWriteMembership<N, long[]>
    implements NodeLocator<N> {

  /*
   * Design notes. The points are packed into one sorted long[] as (point << 32 | owner index): the
   * point is 32 bits here, so position and owner fit in one long without truncation. Ties (two nodes
   * at one point) are resolved when publishing by keeping only the entry of the later node, which is
   * what a TreeMap filled in id order ends up holding. The lookup is a binary search: Ketama rings
   * are small (160 points a node) and this class is about agreement, not speed; HashRing's slice
   * index is the fast layout.
   *
   * References.
   *  [1] R. Jones, libketama, last.fm, 2007.
   *  [2] spymemcached KetamaNodeLocator and DefaultHashAlgorithm.KETAMA_HASH,
   *      https://github.com/couchbase/spymemcached
   */

  /** Repetitions of MD5 per node; each digest yields 4 points, so 160 points per node. */
  static final int REPETITIONS = 40;

  private static final long OWNER_MASK = 0xFFFF_FFFFL;

  private volatile Snapshot<N> snapshot = new Snapshot<>(new long[0], List.of());

  /** Largest weight of the weighted layout: keeps the clients' integer total weight exact. */
  static final int MAX_WEIGHT = 1 << 16;

  private final boolean weighted;

  private KetamaRing(Function<? super N, String> nodeId, boolean weighted) {
    // The weighted layout gives one node at most 40 * n repetitions: cap n so points fit an int.
    super(nodeId, weighted ? 4096 : Integer.MAX_VALUE / (4 * REPETITIONS));
    this.weighted = weighted;
  }

  /**
   * Starts building a Ketama ring whose nodes are identified by {@code nodeId}, the string the
   * Ketama clients use for the server (for spymemcached: {@code "host:port"}).
   *
   * @param nodeId returns the node's Ketama id; it must not return null
   * @param <N> the node type
   * @return a builder
   * @throws NullPointerException if {@code nodeId} is null
   */
  public static <N> Builder<N> builder(Function<? super N, String> nodeId) {
    return new Builder<>(Objects.requireNonNull(nodeId, "nodeId"));
  }

  /**
   * Builder of a {@link KetamaRing}: the layout is fixed by the protocol; the one choice is whether
   * the ring is weighted the way libmemcached and spymemcached weight it.
   */
  public static final class Builder<N> {
    private final Function<? super N, String> nodeId;
    private boolean weighted;

    private Builder(Function<? super N, String> nodeId) {
      this.nodeId = nodeId;
    }

    /**
     * Lays the ring out as weighted Ketama (spymemcached's {@code KetamaNodeLocator} given a
     * non-empty weight map, libmemcached's weighted Ketama): a node of integer weight {@code w}
     * among {@code n} nodes of total weight {@code W} gets {@code 4 * floor(w / W * 40 * n)}
     * points, computed in single precision as those clients do. Every node's point count depends on
     * all the weights, so a membership change moves more keys than in the unweighted ring.
     *
     * @return this builder
     * @throws IllegalStateException if called twice
     */
    public Builder<N> weighted() {
      if (weighted) {
        throw new IllegalStateException("weighted was already set");
      }
      weighted = true;
      return this;
    }

    /**
     * Builds an empty ring.
     *
     * @return a new ring
     */
    public KetamaRing<N> build() {
      return new KetamaRing<>(nodeId, weighted);
    }

    /**
     * Restores a Ketama ring from {@link KetamaRing#toBytes()}: the same servers, weights and
     * layout (plain or weighted).
     *
     * @param snapshot bytes from {@link KetamaRing#toBytes()}
     * @param nodeById returns the node with a given id
     * @return a new ring with the snapshot's membership
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the bytes are not a readable, intact KetamaRing snapshot,
     *     if {@code weighted()} was called here but the snapshot is unweighted, or if {@code
     *     nodeById} returns null or a node with another id
     */
    public KetamaRing<N> restore(byte[] snapshot, Function<String, ? extends N> nodeById) {
      PlacementFormat.Reader in =
          PlacementFormat.reader(
              snapshot, PlacementFormat.Kind.KETAMA_RING, KetamaKeyHasher.INSTANCE);
      int layout = in.readByte();
      if (layout != 0 && layout != 1) {
        throw new IllegalArgumentException("snapshot is corrupt: Ketama layout " + layout);
      }
      if (weighted && layout == 0) {
        throw new IllegalArgumentException(
            "weighted() was set but the snapshot holds an unweighted ring");
      }
      KetamaRing<N> ring = new KetamaRing<>(nodeId, layout == 1);
      ring.restoreMembers(in, nodeById);
      return ring;
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
   * Adds a node. The unweighted layout accepts only weight 1; the {@linkplain Builder#weighted()
   * weighted} layout takes whole weights from 1 to {@value #MAX_WEIGHT}, as the clients' integer
   * weights.
   *
   * @param node the node
   * @param weight 1, or a whole number in [1, {@value #MAX_WEIGHT}] for a weighted ring
   * @throws NullPointerException if {@code node} or its id is null
   * @throws IllegalArgumentException if {@code weight} is not accepted, or the id is already
   *     present
   */
  @Override
  public void add(N node, double weight) {
    if (!weighted && weight != 1.0) {
      throw new IllegalArgumentException(
          "unweighted Ketama supports weight 1 only (see Builder.weighted()): " + weight);
    }
    if (weighted && !(weight >= 1 && weight <= MAX_WEIGHT && weight == Math.rint(weight))) {
      throw new IllegalArgumentException(
          "weighted Ketama takes whole weights from 1 to " + MAX_WEIGHT + ": " + weight);
    }
    super.add(node, weight);
  }

  @Override
  long[] prepare(String id, double weight) {
    return points(id, 0, REPETITIONS);
  }

  /** The 4 points of each repetition in [from, to): MD5(id + "-" + r), four little-endian ints. */
  private static long[] points(String id, int from, int to) {
    long[] points = new long[4 * (to - from)];
    for (int r = from; r < to; r++) {
      byte[] digest = md5((id + "-" + r).getBytes(StandardCharsets.UTF_8));
      for (int h = 0; h < 4; h++) {
        points[4 * (r - from) + h] = littleEndianInt(digest, 4 * h);
      }
    }
    return points;
  }

  /**
   * The weighted layout's repetitions for one node, in the clients' arithmetic: the share is a
   * float, the product is widened to double only to add 1e-10, narrowed again, then floored.
   */
  static int weightedRepetitions(int weight, int totalWeight, int nodes) {
    float share = (float) weight / (float) totalWeight;
    float repetitions = share * (4 * REPETITIONS) / 4f * nodes;
    return (int) Math.floor((float) (repetitions + 1e-10));
  }

  /** A member's points under the current layout: its prepared 160, or its weighted count. */
  private long[] layoutPoints(Member<N, long[]> m, int totalWeight, int nodes) {
    if (!weighted) {
      return m.payload;
    }
    int repetitions = weightedRepetitions((int) m.weight, totalWeight, nodes);
    if (repetitions <= REPETITIONS) {
      return Arrays.copyOf(m.payload, 4 * repetitions);
    }
    long[] all = Arrays.copyOf(m.payload, 4 * repetitions);
    long[] extra = points(m.id, REPETITIONS, repetitions);
    System.arraycopy(extra, 0, all, m.payload.length, extra.length);
    return all;
  }

  @Override
  PlacementFormat.Kind kind() {
    return PlacementFormat.Kind.KETAMA_RING;
  }

  @Override
  void writeParameters(PlacementFormat.Writer out) {
    out.writeByte(weighted ? 1 : 0);
  }

  @Override
  void publish(List<Member<N, long[]>> sorted) {
    int totalWeight = 0;
    for (Member<N, long[]> m : sorted) {
      totalWeight += (int) m.weight;
    }
    long[][] layout = new long[sorted.size()][];
    int total = 0;
    for (int owner = 0; owner < sorted.size(); owner++) {
      layout[owner] = layoutPoints(sorted.get(owner), totalWeight, sorted.size());
      total += layout[owner].length;
    }
    long[] packed = new long[total];
    int p = 0;
    for (int owner = 0; owner < sorted.size(); owner++) {
      for (long point : layout[owner]) {
        packed[p++] = (point << 32) | owner; // point < 2^32, so the packed value is non-negative
      }
    }
    Arrays.sort(packed);
    // Keep, for each point, the entry of the last node in id order (as a TreeMap filled in order).
    int kept = 0;
    for (int i = 0; i < packed.length; i++) {
      boolean lastOfItsPoint =
          i + 1 == packed.length || (packed[i + 1] >>> 32) != (packed[i] >>> 32);
      if (lastOfItsPoint) {
        packed[kept++] = packed[i];
      }
    }
    List<N> nodes = new ArrayList<>(sorted.size());
    for (Member<N, long[]> m : sorted) {
      nodes.add(m.node);
    }
    snapshot = new Snapshot<>(Arrays.copyOf(packed, kept), Collections.unmodifiableList(nodes));
  }

  /**
   * Returns the owner of a key's Ketama point.
   *
   * @param keyHash the key's Ketama point: {@link #keyHasher()}'s hash, an unsigned 32-bit value
   *     (higher bits are ignored)
   * @return the owner
   * @throws IllegalStateException if there are no nodes
   */
  @Override
  public N ownerOf(long keyHash) {
    Snapshot<N> s = snapshot;
    return s.nodes.get(s.ownerAt(s.successor(keyHash)));
  }

  @Override
  public void preferenceList(long keyHash, N[] out) {
    Objects.requireNonNull(out, "out");
    Snapshot<N> s = snapshot;
    checkReplicas(out.length, s.nodes.size());
    int found = 0;
    int i = s.successor(keyHash);
    while (found < out.length) {
      N candidate = s.nodes.get(s.ownerAt(i));
      boolean seen = false;
      for (int j = 0; j < found; j++) {
        seen |= out[j] == candidate;
      }
      if (!seen) {
        out[found++] = candidate;
      }
      i = i + 1 == s.points.length ? 0 : i + 1;
    }
  }

  @Override
  public List<N> nodes() {
    return snapshot.nodes;
  }

  /**
   * Returns the Ketama key hash: the first four bytes of MD5 of the key's UTF-8 bytes,
   * little-endian, as an unsigned value in a long. Its {@code long} overload takes the 8
   * little-endian bytes.
   *
   * @return the Ketama MD5 key hasher
   */
  @Override
  public KeyHasher keyHasher() {
    return KetamaKeyHasher.INSTANCE;
  }

  @Override
  public String toString() {
    return "KetamaRing{nodes=" + snapshot.nodes.size() + "}";
  }

  static long littleEndianInt(byte[] bytes, int offset) {
    return ((long) (bytes[offset + 3] & 0xFF) << 24)
        | ((long) (bytes[offset + 2] & 0xFF) << 16)
        | ((long) (bytes[offset + 1] & 0xFF) << 8)
        | (bytes[offset] & 0xFF);
  }

  static byte[] md5(byte[] input) {
    try {
      return MessageDigest.getInstance("MD5").digest(input);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide MD5 (MessageDigest's documented required algorithms).
      throw new IllegalStateException("MD5 is not available", e);
    }
  }

  /** The Ketama key hash, behind the KeyHasher interface so the NodeLocator defaults apply. */
  enum KetamaKeyHasher implements KeyHasher {
    INSTANCE;

    @Override
    public long hash(CharSequence key) {
      Objects.requireNonNull(key, "key");
      return hash(key.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long hash(byte[] key) {
      Objects.requireNonNull(key, "key");
      return littleEndianInt(md5(key), 0);
    }

    @Override
    public long hash(byte[] key, int offset, int length) {
      Objects.requireNonNull(key, "key");
      if ((offset | length) < 0 || length > key.length - offset) {
        throw new IndexOutOfBoundsException(
            "offset "
                + offset
                + " and length "
                + length
                + " do not fit in key of length "
                + key.length);
      }
      return hash(Arrays.copyOfRange(key, offset, offset + length));
    }

    @Override
    public long hash(long key) {
      byte[] bytes = new byte[8];
      for (int i = 0; i < 8; i++) {
        bytes[i] = (byte) (key >>> (8 * i));
      }
      return hash(bytes);
    }

    @Override
    public String toString() {
      return "ketama-md5";
    }
  }

  /** An immutable Ketama ring: sorted (point << 32 | owner) entries, nodes sorted by id. */
  private static final class Snapshot<N> {
    final long[] points;
    final List<N> nodes;

    Snapshot(long[] points, List<N> nodes) {
      this.points = points;
      this.nodes = nodes;
    }

    /** Index of the first point at or after the key's 32-bit point, wrapping to 0. */
    int successor(long keyHash) {
      if (points.length == 0) {
        throw noNodes();
      }
      long target = (keyHash & 0xFFFF_FFFFL) << 32; // smallest packed value at that point
      int i = Arrays.binarySearch(points, target);
      int index = i >= 0 ? i : -i - 1;
      return index == points.length ? 0 : index;
    }

    int ownerAt(int index) {
      return (int) (points[index] & OWNER_MASK);
    }
  }
}
