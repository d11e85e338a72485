package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.util.List;

/**
 * Which node owns a key, and which {@code r} distinct nodes hold its replicas: the question behind
 * sharding, replication and load balancing, answered by every consistent-hashing algorithm here.
 *
 * <pre>{@code
 * HashRing<String> ring = HashRing.<String>builder(id -> id).build();
 * ring.add("cache-a");
 * ring.add("cache-b");
 * ring.add("cache-c");
 * String owner = ring.ownerOf("user:42");
 * List<String> replicas = ring.preferenceList("user:42", 2); // [owner, next distinct node]
 * }</pre>
 *
 * <p><b>Contract</b>, for every implementation:
 *
 * <ul>
 *   <li>{@code ownerOf(k)} is element 0 of {@code preferenceList(k, r)} for every {@code r}.
 *   <li>A preference list holds {@code r} <em>distinct</em> nodes in a deterministic rank order (a
 *       Dynamo-style preference list: replicas go to the first {@code r}).
 *   <li>Answers depend on the set of nodes (by id) and the key, never on the order nodes were
 *       added. The one exception is {@link MementoHash}, whose placement remembers the order of
 *       removals and later additions (as jump hashing's remembers the bucket count); it places the
 *       nodes of one {@code addAll} call by id.
 *   <li>String and byte keys are hashed with {@link #keyHasher()}; the {@code long} overloads take
 *       a key already hashed by it (or by any well-mixed 64-bit hash).
 *   <li>Lookups are thread-safe, lock-free and, except for the {@code List} forms, allocation-free.
 * </ul>
 *
 * @param <N> the node type: any user object with a stable id
 */
public interface NodeLocator<N> {

  /**
   * Returns the node that owns a pre-hashed key.
   *
   * @param keyHash the key's 64-bit hash
   * @return the owner
   * @throws IllegalStateException if there are no nodes
   */
  N ownerOf(long keyHash);

  /**
   * Returns the node that owns a key.
   *
   * @param key the key
   * @return the owner
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if there are no nodes
   */
  default N ownerOf(CharSequence key) {
    return ownerOf(keyHasher().hash(key));
  }

  /**
   * Returns the node that owns a key given as bytes.
   *
   * @param key the key
   * @return the owner
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if there are no nodes
   */
  default N ownerOf(byte[] key) {
    return ownerOf(keyHasher().hash(key));
  }

  /**
   * Fills {@code out} with the first {@code out.length} distinct nodes for a pre-hashed key, owner
   * first. Allocation-free.
   *
   * @param keyHash the key's 64-bit hash
   * @param out the array to fill; its length is the number of replicas wanted
   * @throws NullPointerException if {@code out} is null
   * @throws IllegalArgumentException if {@code out} is empty or longer than the number of nodes
   * @throws IllegalStateException if there are no nodes
   */
  void preferenceList(long keyHash, N[] out);

  /**
   * Returns the first {@code replicas} distinct nodes for a pre-hashed key, owner first.
   *
   * @param keyHash the key's 64-bit hash
   * @param replicas how many distinct nodes, from 1 to the number of nodes
   * @return an immutable list of {@code replicas} distinct nodes
   * @throws IllegalArgumentException if {@code replicas} is below 1 or above the number of nodes
   * @throws IllegalStateException if there are no nodes
   */
  default List<N> preferenceList(long keyHash, int replicas) {
    int nodes = nodes().size();
    if (nodes == 0) {
      throw new IllegalStateException("there are no nodes");
    }
    if (replicas < 1 || replicas > nodes) {
      throw new IllegalArgumentException(
          "replicas must be between 1 and the number of nodes (" + nodes + "): " + replicas);
    }
    @SuppressWarnings("unchecked") // holds only N values, and never escapes as an N[]
    N[] out = (N[]) new Object[replicas];
    preferenceList(keyHash, out);
    return List.of(out);
  }

  /**
   * Returns the first {@code replicas} distinct nodes for a key, owner first.
   *
   * @param key the key
   * @param replicas how many distinct nodes, from 1 to the number of nodes
   * @return an immutable list of {@code replicas} distinct nodes
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code replicas} is below 1 or above the number of nodes
   * @throws IllegalStateException if there are no nodes
   */
  default List<N> preferenceList(CharSequence key, int replicas) {
    return preferenceList(keyHasher().hash(key), replicas);
  }

  /**
   * Returns the current nodes, ordered by id.
   *
   * @return an immutable snapshot of the nodes
   */
  List<N> nodes();

  /**
   * Returns the hasher applied to {@code CharSequence} and {@code byte[]} keys.
   *
   * @return the key hasher
   */
  KeyHasher keyHasher();
}
