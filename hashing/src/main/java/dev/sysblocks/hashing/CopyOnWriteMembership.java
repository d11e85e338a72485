package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Membership bookkeeping shared by the mutable locators: node ids, weights, validation, and
 * copy-on-write publication of a new immutable snapshot after every change.
 *
 * <p>Writers are serialized on a private lock; a change is validated completely before anything is
 * modified, so a rejected change leaves the membership as it was. Subclasses compute a per-node
 * payload once, when the node is added ({@link #prepare}), and build and publish their lookup
 * structure from all members sorted by id ({@link #publish}), which makes every layout independent
 * of the order of additions.
 *
 * @param <N> the node type
 * @param <P> what a subclass precomputes per node (a ring's point positions, a rendezvous salt)
 */
abstract class CopyOnWriteMembership<N, P> {

  /** A member: the user's node, its id and weight, and the subclass's precomputed payload. */
  static final class Member<N, P> {
    final N node;
    final String id;
    final double weight;
    final P payload;

    Member(N node, String id, double weight, P payload) {
      this.node = node;
      this.id = id;
      this.weight = weight;
      this.payload = payload;
    }
  }

  private final Function<? super N, String> nodeId;
  private final int maxNodes;

  /** Guards writers only: readers never take it. */
  private final Object writeLock = new Object();

  /**
   * Current members by id; read and replaced (never modified in place) under {@link #writeLock},
   * and replaced only after the new snapshot was built, so a change that fails leaves no trace.
   */
  private Map<String, Member<N, P>> members = new HashMap<>();

  CopyOnWriteMembership(Function<? super N, String> nodeId, int maxNodes) {
    this.nodeId = nodeId;
    this.maxNodes = maxNodes;
  }

  /**
   * Computes a node's payload; called outside the lock, before the node joins.
   *
   * @throws IllegalArgumentException if the weight cannot be represented
   */
  abstract P prepare(String id, double weight);

  /**
   * Builds and publishes a new snapshot; called under the write lock with members sorted by id. It
   * must assign its snapshot last, so that throwing leaves the published state untouched.
   */
  abstract void publish(List<Member<N, P>> sortedById);

  /** The format code of this algorithm's snapshots. */
  abstract PlacementFormat.Kind kind();

  /** The hasher the locator places with; snapshots record its fingerprint. */
  abstract KeyHasher keyHasher();

  /** Writes the algorithm's settings after the snapshot header; restore reads them back. */
  abstract void writeParameters(PlacementFormat.Writer out);

  /**
   * Serializes the membership and settings to bytes, with a format version and a checksum. A
   * locator restored from them with the same key hasher (each builder's {@code restore}) places
   * every key exactly as this one does: ship the bytes to every process that must agree.
   *
   * @return a self-contained snapshot; the format is described in the package documentation
   */
  public byte[] toBytes() {
    List<Member<N, P>> sorted;
    synchronized (writeLock) {
      sorted = sortedById(members);
    }
    PlacementFormat.Writer out = PlacementFormat.writer(kind(), keyHasher());
    writeParameters(out);
    out.writeInt(sorted.size());
    for (Member<N, P> m : sorted) {
      out.writeUtf(m.id);
      out.writeDouble(m.weight);
    }
    return out.finish();
  }

  /**
   * Reads the members of a snapshot (after its parameters) and makes them the membership of this
   * new, empty locator, resolving each id with {@code nodeById}.
   */
  final void restoreMembers(PlacementFormat.Reader in, Function<String, ? extends N> nodeById) {
    Objects.requireNonNull(nodeById, "nodeById");
    int count = in.readCount(2 + 8);
    checkCapacity(count);
    Map<String, Member<N, P>> next = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String id = in.readUtf();
      double weight = in.readDouble();
      N node = nodeById.apply(id);
      if (node == null) {
        throw new IllegalArgumentException("nodeById returned null for snapshot node " + id);
      }
      if (!id.equals(idOf(node))) {
        throw new IllegalArgumentException(
            "nodeById returned a node whose id is " + idOf(node) + " for snapshot node " + id);
      }
      checkAbsent(id, next);
      next.put(id, member(node, weight));
    }
    in.expectEnd();
    synchronized (writeLock) {
      if (!members.isEmpty()) {
        throw new IllegalStateException("restore needs an empty locator");
      }
      commit(next);
    }
  }

  /**
   * Adds a node of weight 1.
   *
   * @param node the node
   * @throws NullPointerException if {@code node} or its id is null
   * @throws IllegalArgumentException if a node with the same id is already a member
   * @throws IllegalStateException if the locator is full
   */
  public void add(N node) {
    add(node, 1.0);
  }

  /**
   * Adds a node with a weight: its share of keys is {@code weight / totalWeight}.
   *
   * @param node the node
   * @param weight positive and finite
   * @throws NullPointerException if {@code node} or its id is null
   * @throws IllegalArgumentException if the weight is not positive and finite, or a node with the
   *     same id is already a member
   * @throws IllegalStateException if the locator is full
   */
  public void add(N node, double weight) {
    Member<N, P> member = member(node, weight);
    synchronized (writeLock) {
      checkAbsent(member.id, members);
      checkCapacity(members.size() + 1);
      Map<String, Member<N, P>> next = new HashMap<>(members);
      next.put(member.id, member);
      commit(next);
    }
  }

  /**
   * Adds several nodes of weight 1 with a single rebuild; all or nothing.
   *
   * @param nodes the nodes
   * @throws NullPointerException if {@code nodes}, one of them, or an id is null
   * @throws IllegalArgumentException if two nodes share an id, or one is already a member; then
   *     none is added
   * @throws IllegalStateException if the locator would be over capacity
   */
  public void addAll(Collection<? extends N> nodes) {
    Objects.requireNonNull(nodes, "nodes");
    List<Member<N, P>> added = new ArrayList<>(nodes.size());
    for (N node : nodes) {
      added.add(member(node, 1.0));
    }
    synchronized (writeLock) {
      Map<String, Member<N, P>> next = new HashMap<>(members);
      for (Member<N, P> m : added) {
        checkAbsent(m.id, next);
        next.put(m.id, m);
      }
      checkCapacity(next.size());
      commit(next);
    }
  }

  /**
   * Removes the member with this node's id. Only keys it owned move.
   *
   * @param node the node (matched by id)
   * @return true if it was a member
   * @throws NullPointerException if {@code node} or its id is null
   */
  public boolean remove(N node) {
    String id = idOf(node);
    synchronized (writeLock) {
      if (!members.containsKey(id)) {
        return false;
      }
      Map<String, Member<N, P>> next = new HashMap<>(members);
      next.remove(id);
      commit(next);
      return true;
    }
  }

  /** Publishes a snapshot of {@code next}, then makes it the membership; caller holds the lock. */
  private void commit(Map<String, Member<N, P>> next) {
    List<Member<N, P>> sorted = sortedById(next);
    publish(sorted); // may throw (a subclass's validation): then nothing has changed
    members = next;
  }

  private static <N, P> List<Member<N, P>> sortedById(Map<String, Member<N, P>> members) {
    List<Member<N, P>> sorted = new ArrayList<>(members.values());
    sorted.sort(Comparator.comparing(m -> m.id));
    return sorted;
  }

  private Member<N, P> member(N node, double weight) {
    String id = idOf(node);
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be positive and finite: " + weight);
    }
    return new Member<>(node, id, weight, prepare(id, weight));
  }

  private String idOf(N node) {
    Objects.requireNonNull(node, "node");
    return Objects.requireNonNull(nodeId.apply(node), "node id");
  }

  private static void checkAbsent(String id, Map<String, ?> present) {
    if (present.containsKey(id)) {
      throw new IllegalArgumentException("node id already present: " + id);
    }
  }

  private void checkCapacity(int nodes) {
    if (nodes > maxNodes) {
      throw new IllegalStateException("at most " + maxNodes + " nodes: " + nodes);
    }
  }

  /** Throws the exception every lookup gives when there is nobody to answer. */
  static IllegalStateException noNodes() {
    return new IllegalStateException("there are no nodes");
  }

  /** Checks a replica count against the current number of nodes. */
  static void checkReplicas(int replicas, int nodes) {
    if (nodes == 0) {
      throw noNodes();
    }
    if (replicas < 1 || replicas > nodes) {
      throw new IllegalArgumentException(
          "replicas must be between 1 and the number of nodes (" + nodes + "): " + replicas);
    }
  }
}
