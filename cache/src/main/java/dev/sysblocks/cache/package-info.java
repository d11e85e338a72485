/**
 * Bounded concurrent caches: one {@link dev.sysblocks.cache.Cache} interface, several eviction
 * policies, single-flight loading.
 *
 * <p><b>Entry point.</b> {@link dev.sysblocks.cache.CacheBuilder}: a maximum size (required), an
 * {@link dev.sysblocks.cache.EvictionPolicy} (default LRU), an optional time-to-live and the {@link
 * dev.sysblocks.core.Ticker} it is measured with. Statistics come as immutable {@link
 * dev.sysblocks.cache.CacheStats} snapshots.
 *
 * <pre>{@code
 * Cache<String, byte[]> pages = CacheBuilder.newBuilder().maximumSize(10_000).build();
 * byte[] page = pages.get("/index.html", path -> render(path));
 * }</pre>
 *
 * <p><b>Conventions.</b> Keys and values are never null. Every cache is thread-safe. Hits take no
 * lock and allocate nothing. {@code get(key, loader)} loads each missing key once however many
 * threads ask for it, and runs the loader outside every lock: a stuck load of one key blocks only
 * the callers waiting for that key. Time is read only from the builder's ticker, and only when a
 * time-to-live is set (plus twice per load, to time it).
 *
 * <table class="striped">
 *   <caption>When to choose which</caption>
 *   <tr><th>Policy</th><th>Hit path</th><th>Write path</th><th>Hit ratio</th>
 *       <th>Choose it when</th></tr>
 *   <tr><td>{@link dev.sysblocks.cache.EvictionPolicy#LRU LRU}</td>
 *       <td>map lookup + a slot in a lossy ring buffer</td><td>buffered, drained under tryLock</td>
 *       <td>exact LRU on one thread; approximate under contention</td>
 *       <td>recency is what matters and the access pattern has no large loops or scans</td></tr>
 *   <tr><td>{@link dev.sysblocks.cache.EvictionPolicy#SIEVE SIEVE}</td>
 *       <td>map lookup + set a bit (written only if clear)</td><td>one lock</td>
 *       <td>above LRU on most web traces (web07: 53.4 vs 50.6 % at 1,024 entries)</td>
 *       <td>web-like workloads with many one-hit wonders; simplest fast hit path</td></tr>
 *   <tr><td>{@link dev.sysblocks.cache.EvictionPolicy#CAFFEINE CAFFEINE}</td>
 *       <td>Caffeine's buffered read</td><td>Caffeine's write buffer</td>
 *       <td>frequency-aware; best on loops and scans (loop at 512: 48 % where LRU and SIEVE get 0)
 *       </td><td>the default choice when the access pattern is unknown or scan-heavy</td></tr>
 * </table>
 *
 * <p><b>Blind spots.</b> LRU and SIEVE both fall to 0 % hits on a loop or scan over more keys than
 * the cache holds (the {@code loop} and {@code scan} traces of the LIRS suite): every key is
 * evicted just before it is used again. Only the CAFFEINE policy resists that.
 */
package dev.sysblocks.cache;
