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
 *       <td>map lookup + set a bit (written only if clear)</td>
 *       <td>buffered, drained under tryLock; updates in place</td>
 *       <td>above LRU on most web traces (web07: 53.4 vs 50.6 % at 1,024 entries)</td>
 *       <td>web-like workloads with many one-hit wonders; simplest fast hit path</td></tr>
 *   <tr><td>{@link dev.sysblocks.cache.EvictionPolicy#S3_FIFO S3_FIFO}</td>
 *       <td>map lookup + bump a 2-bit counter (written only below 3)</td>
 *       <td>buffered, drained under tryLock; updates in place</td>
 *       <td>above SIEVE on web traces (web07: 54.2 % at 1,024); partly survives loops (loop at
 *       768: 60.5 %); collapses on zigzag (3.3 % at 500 where LRU gets 24.0)</td>
 *       <td>web-like workloads; a cheap hit path with some scan resistance; costs ghost key
 *       fingerprints (up to 0.9 x the maximum, 32 to 64 bytes each)</td></tr>
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
 *
 * <h2>Strategies over a backing store</h2>
 *
 * <p><b>Entry point.</b> {@link dev.sysblocks.cache.StoreBackedCacheBuilder}: a {@link
 * dev.sysblocks.cache.DataStore} (the system of record; {@link
 * dev.sysblocks.cache.InMemoryDataStore} for tests; {@code JdbcDataStore} in the separate {@code
 * sysblocks-cache-jdbc} module for one table in H2 or PostgreSQL) and a {@link
 * dev.sysblocks.cache.CacheBuilder} for the cache in front of it build a {@link
 * dev.sysblocks.cache.StoreBackedCache}; {@code writeBehind()} turns the builder into a {@link
 * dev.sysblocks.cache.WriteBehindBuilder} for a {@link dev.sysblocks.cache.WriteBehindCache}.
 *
 * <pre>{@code
 * StoreBackedCache<String, User> users =
 *     StoreBackedCacheBuilder.newBuilder(userStore, CacheBuilder.newBuilder().maximumSize(10_000))
 *         .build();
 * User ada = users.get("ada"); // read-through: one store load per miss, however many callers
 * }</pre>
 *
 * <p>Every strategy shares one rule: a store load that overlaps a write or invalidation of its key
 * is returned to its caller but not cached, so the cache never serves a value older than the last
 * write or invalidation made through it.
 *
 * <table class="striped">
 *   <caption>Cache strategies: what a reader can see, what a failure or crash loses</caption>
 *   <tr><th>Strategy</th><th>How to get it</th><th>Reads</th><th>Writes</th>
 *       <th>A reader can see</th><th>A store failure / crash</th></tr>
 *   <tr><td>read-through</td><td>{@code StoreBackedCache.get}</td>
 *       <td>cache, else one store load per key (single-flight); optional negative entries</td>
 *       <td>-</td>
 *       <td>the store's value as of the load; out-of-band store changes only after expiry or
 *       {@code invalidate}</td>
 *       <td>the load's exception reaches every waiting caller; nothing cached; a crash loses only
 *       cache contents</td></tr>
 *   <tr><td>write-through</td><td>{@code StoreBackedCache.put}, {@code delete}</td>
 *       <td>as read-through</td>
 *       <td>store, then cache, serialized per key (writers of other keys never wait)</td>
 *       <td>a value only once the store has accepted it; never a value older than the store's</td>
 *       <td>the caller gets the exception, the cache is unchanged; an acknowledged write is in
 *       the store, so a crash loses nothing acknowledged</td></tr>
 *   <tr><td>write-behind</td><td>{@code writeBehind()}, then {@link
 *       dev.sysblocks.cache.WriteBehindCache}</td>
 *       <td>cache, else the key's write still queued, else one store load</td>
 *       <td>cache, then a bounded queue (coalesced per key, writers block when full); batches of
 *       {@code writeAll} by size or age, one in flight, so a key's writes land in order; retries
 *       with backoff and jitter; dead letter after the budget; {@code flush}, {@code close}</td>
 *       <td>through the cache, every acknowledged write at once, even after eviction; readers of
 *       the store, only once it is flushed (about {@code maxWriteDelay})</td>
 *       <td>retried, then handed to the dead-letter handler, never silently dropped; a crash loses
 *       the whole queue (up to {@code maxQueueSize} writes: the last {@code maxWriteDelay}, or
 *       everything since the store went down)</td></tr>
 *   <tr><td>write-around</td><td>{@code writeStrategy(WRITE_AROUND)}</td><td>as read-through</td>
 *       <td>store, then drop the cached entry, serialized per key</td>
 *       <td>the next read loads the written value; the cache holds only what is read</td>
 *       <td>as write-through</td></tr>
 *   <tr><td>refresh-ahead</td><td>{@code refreshAhead(window, executor)}</td>
 *       <td>a hit within {@code window} of expiry serves the old value and queues one background
 *       reload per key</td><td>as chosen</td>
 *       <td>the old value until the reload lands; a write overlapping a reload wins</td>
 *       <td>a failed or rejected reload keeps the old value until it expires</td></tr>
 *   <tr><td>cache-aside</td><td>{@link dev.sysblocks.cache.CacheAside}</td>
 *       <td>{@code get(key, source)}: the application's query, single-flight</td>
 *       <td>the application's own; then {@code invalidateAfterWrite(key)}</td>
 *       <td>a load overlapping the invalidation is not cached; an invalidation made before the
 *       commit, or a write that never invalidates, leaves the old value until expiry</td>
 *       <td>the application's transaction decides; a crash loses only cache contents</td></tr>
 * </table>
 */
package dev.sysblocks.cache;
