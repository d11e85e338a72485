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
 * lock and allocate nothing. {@code get(key, loader)} and {@code getAll(keys, bulkLoader)} load
 * each missing key once however many threads ask for it, and run the loader outside every lock: a
 * stuck load of one key blocks only the callers waiting for that key. Time is read only from the
 * builder's ticker, and only when a time-to-live is set (plus twice per load, to time it).
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
 *   <tr><td>{@link dev.sysblocks.cache.EvictionPolicy#S3_FIFO S3_FIFO}</td>
 *       <td>map lookup + bump a 2-bit counter (written only below 3)</td><td>one lock</td>
 *       <td>above SIEVE on web traces (web07: 54.2 % at 1,024); partly survives loops (loop at
 *       768: 60.5 %); collapses on zigzag (3.3 % at 500 where LRU gets 24.0)</td>
 *       <td>web-like workloads; a cheap hit path with some scan resistance; costs ghost keys
 *       (up to 0.9 x the maximum)</td></tr>
 *   <tr><td>{@link dev.sysblocks.cache.EvictionPolicy#CAFFEINE CAFFEINE}</td>
 *       <td>Caffeine's buffered read</td><td>Caffeine's write buffer</td>
 *       <td>frequency-aware; best on loops and scans (loop at 512: 48 % where LRU and SIEVE get 0)
 *       </td><td>the default choice when the access pattern is unknown or scan-heavy</td></tr>
 * </table>
 *
 * <p><b>Blind spots.</b> LRU and SIEVE both fall to 0 % hits on a loop or scan over more keys than
 * the cache holds (the {@code loop} and {@code scan} traces of the LIRS suite, at every size
 * measured): every key is evicted just before it is used again. S3-FIFO also gets 0 % on them up to
 * half the loop's length (loop at 256 and 512, scan at 500 and 1,000) and recovers above it; only
 * the CAFFEINE policy holds up at every size (loop at 256: 23.8 %, about the optimum's 25.2).
 *
 * <p><b>Hit ratios</b> in percent, from the shared traces' reference table (exact LRU, SIEVE and
 * S3-FIFO are reproduced to the second decimal by this module's own classes, see TraceHitRatioTest;
 * Caffeine's column is Caffeine 3.2.3 itself):
 *
 * <table class="striped">
 *   <caption>Hit ratio (%) by trace and cache size</caption>
 *   <tr><th>trace @ entries</th><th>LRU</th><th>SIEVE</th><th>S3-FIFO</th><th>Caffeine</th>
 *       <th>optimal</th></tr>
 *   <tr><td>web07 @ 1,024</td><td>50.56</td><td>53.44</td><td>54.22</td><td>51.36</td>
 *       <td>63.72</td></tr>
 *   <tr><td>web12 @ 687</td><td>60.00</td><td>63.52</td><td>64.82</td><td>63.41</td>
 *       <td>74.67</td></tr>
 *   <tr><td>multi2 @ 2,000</td><td>49.00</td><td>50.94</td><td>65.72</td><td>69.27</td>
 *       <td>74.65</td></tr>
 *   <tr><td>loop @ 512</td><td>0.00</td><td>0.00</td><td>0.00</td><td>48.41</td><td>50.54</td></tr>
 *   <tr><td>zigzag @ 500</td><td>23.99</td><td>23.99</td><td>3.27</td><td>21.40</td>
 *       <td>23.99</td></tr>
 * </table>
 */
package dev.sysblocks.cache;
