/**
 * Consistent hashing: which node owns a key, so that a change of membership moves few keys.
 *
 * <p>Available now (zone spreading, anchor/memento removal over jump and bounded loads are still to
 * come; {@link dev.sysblocks.hashing.PlacementAnalysis} measures any mapping):
 *
 * <table>
 *   <caption>When to choose which</caption>
 *   <tr><th>algorithm</th><th>lookup</th><th>memory</th><th>removal</th><th>choose it when</th></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.JumpHash}</td><td>O(log n)</td><td>none</td>
 *       <td>last bucket only</td>
 *       <td>placements must match Guava's {@code consistentHash}</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.JumpBackHash}</td><td>O(1) expected</td><td>none</td>
 *       <td>last bucket only</td>
 *       <td>shards are numbered and only grow or shrink at the end: the fastest choice</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.HashRing}</td><td>O(1) expected (indexed)</td>
 *       <td>8-16 B per virtual node</td><td>any node</td>
 *       <td>named nodes join and leave in any order; weights; replicas via preference lists</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.RendezvousHash}</td><td>O(n)</td><td>8-16 B per node</td>
 *       <td>any node</td>
 *       <td>up to a few hundred nodes; exact weights and perfectly random balance matter most</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.MaglevHash}</td><td>O(1): one table read</td>
 *       <td>4 B per slot (~400 B per node)</td><td>any node, with a little collateral movement</td>
 *       <td>load balancing: fastest lookups with near-perfect balance</td></tr>
 *   <tr><td>{@link dev.sysblocks.hashing.KetamaRing}</td><td>O(log P), MD5 per key</td>
 *       <td>8 B per point, 160 points per node</td><td>any node</td>
 *       <td>placements must match Ketama memcached clients (spymemcached, libketama)</td></tr>
 * </table>
 *
 * <p>{@link dev.sysblocks.hashing.NodeLocator} is the one API for "which node owns this key" and
 * "which r nodes hold its replicas". The bucket functions ({@code JumpHash}, {@code JumpBackHash})
 * take a pre-hashed {@code long} key; hash keys with {@link dev.sysblocks.core.KeyHasher}.
 */
package dev.sysblocks.hashing;
