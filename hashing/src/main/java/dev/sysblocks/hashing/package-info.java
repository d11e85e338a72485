/**
 * Consistent hashing: which node owns a key, and which r nodes hold its replicas, so that a change
 * of membership moves few keys.
 *
 * <p>{@link dev.sysblocks.hashing.NodeLocator} is the one API for "which node owns this key" and
 * "which r distinct nodes hold its replicas" (owner first); every locator below implements it
 * except the stateless bucket functions ({@code JumpHash}, {@code JumpBackHash}), which map a
 * pre-hashed {@code long} key to a bucket number, and {@link
 * dev.sysblocks.hashing.BoundedLoadBalancer}, which also counts load. Hash keys with {@link
 * dev.sysblocks.core.KeyHasher}. {@link dev.sysblocks.hashing.PlacementAnalysis} measures any
 * mapping on your keys: balance and the keys a topology change moves.
 *
 * <table class="striped">
 *   <caption>When to choose which (lookup times: NodeLookupSpeedBenchmark, n = 100, pre-hashed
 *   keys, 2-core AMD EPYC VM, JDK 17, 2026-12-07; balance: peak/mean load at n = 100 over 10^6 keys, where a
 *   perfectly random assignment of those keys gives 1.028)</caption>
 *   <tr><th>algorithm</th><th>lookup</th><th>memory</th><th>balance</th><th>removal</th>
 *       <th>choose it when</th></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.JumpBackHash}</td><td>O(1) expected, 2.7-3.7 ns</td>
 *       <td>none</td><td>1.031</td><td>last bucket only</td>
 *       <td>shards are numbered and only grow or shrink at the end: the fastest choice</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.JumpHash}</td><td>O(log n), 13 ns</td><td>none</td>
 *       <td>1.022</td><td>last bucket only</td>
 *       <td>placements must match Guava's {@code consistentHash}</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.MementoHash}</td><td>O(1) expected while few nodes are
 *       removed; 9.6 ns with half the nodes removed</td><td>an int and a reference per bucket</td><td>as random (within 0.01, half the nodes removed)</td>
 *       <td>any node; no collateral movement</td>
 *       <td>numbered shards that fail or leave in any order, with jump's speed and memory</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.HashRing}</td><td>O(1) expected (indexed), 5.5 ns</td>
 *       <td>8 B per virtual node</td><td>1.10 (640 virtual nodes)</td><td>any node</td>
 *       <td>named nodes join and leave in any order; weights; replicas and zone-aware preference
 *       lists</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.MaglevHash}</td><td>O(1): one table read, 1.8 to 2.7 ns</td>
 *       <td>a reference per slot (~400 B per node)</td><td>1.022</td>
 *       <td>any node; 1.5% of the other keys move too (n = 100, default table)</td>
 *       <td>load balancing: fastest named-node lookups with near-perfect balance</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.RendezvousHash}</td><td>O(n), 211 ns</td>
 *       <td>16 B per node</td><td>1.025</td><td>any node</td>
 *       <td>up to a few hundred nodes; exact weights and the simplest correct algorithm</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.KetamaRing}</td><td>O(log P) plus MD5 per key</td>
 *       <td>8 B per point, 160 points per node</td><td>a ring of 160 points a node</td>
 *       <td>any node</td>
 *       <td>placements must match Ketama memcached clients (spymemcached, libketama)</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.BoundedLoadBalancer}</td><td>O(1) expected: a ring
 *       lookup and a CAS per acquire; 38-44 ns per acquire and release (n = 10, 100)</td>
 *       <td>the ring's, plus a padded counter per node</td>
 *       <td>no node above c times the average load in flight</td><td>any node</td>
 *       <td>requests with cache affinity whose load must stay even: a key stays on its ring node
 *       unless that node would exceed c times the average</td></tr>
 * </table>
 *
 * <p><b>Sharing a mapping.</b> HashRing, RendezvousHash, MaglevHash, KetamaRing and MementoHash
 * serialize to bytes ({@code toBytes()}) and their builders' {@code restore(bytes, nodeById)}
 * rebuild them, so all processes of a cluster can hold the identical mapping. The format is
 * big-endian: a magic number, a format version (1), the algorithm, a fingerprint of the key hasher
 * (restoring with another hasher fails instead of placing keys differently), the algorithm's
 * settings, the members with their weights, MementoHash's buckets and removal history (checked for
 * consistency on restore), and a CRC-32. Newer versions are refused by name.
 */
package dev.sysblocks.hashing;
