/**
 * Rate limiting: how many requests may pass now, and how long the others should wait.
 *
 * <p><b>Entry points.</b> {@link dev.sysblocks.ratelimit.TokenBucketLimiter} (bursts up to a
 * capacity, then a steady rate; several limits at once) and {@link
 * dev.sysblocks.ratelimit.GcraLimiter} (the same contract as a single timestamp); the window family
 * {@link dev.sysblocks.ratelimit.FixedWindowLimiter}, {@link
 * dev.sysblocks.ratelimit.SlidingWindowCounterLimiter} and {@link
 * dev.sysblocks.ratelimit.SlidingWindowLogLimiter} for limits stated as "N per window". Every
 * limiter implements {@link dev.sysblocks.ratelimit.RateLimiter}: {@code tryAcquire} for a yes or
 * no that allocates nothing, {@code decide} for the figures an HTTP API returns ({@code
 * Retry-After}, {@code RateLimit-*}). {@link dev.sysblocks.ratelimit.KeyedRateLimiter} gives every
 * key (user, client IP, API token) its own limit. The token bucket, GCRA and the window limiters
 * replace their limits at run time ({@code setLimits}, {@code setLimit}): what was admitted before
 * still counts, and no switch mints permits. The token bucket and GCRA also implement {@link
 * dev.sysblocks.ratelimit.ReservingRateLimiter}: blocking {@code acquire}, {@code tryAcquire} with
 * a timeout, {@code acquireAsync} and {@code reserve}, for callers that wait their turn (first
 * come, first served) instead of being refused. Limits are {@link dev.sysblocks.ratelimit.Limit}
 * values: permits per {@link java.time.Duration}, a burst capacity and the permits available at
 * start.
 *
 * <p><b>Conventions.</b> Time is read only from the {@link dev.sysblocks.core.Ticker} a limiter is
 * built with (tests drive a {@link dev.sysblocks.core.FakeTicker}); a clock that goes backwards
 * never creates permits. All limiters are thread-safe; the token bucket, GCRA, the window counters
 * and the keyed limiter decide without a lock and write no shared memory to refuse; the sliding
 * log, the warm-up limiter and the shaper take a short lock. When threads contend for one token
 * bucket or GCRA limiter, its single limit splits into padded stripes that together admit no more
 * than the one word would (see TokenBucketLimiter's essay), so throughput grows with threads.
 *
 * <table class="striped">
 *   <caption>When to choose which</caption>
 *   <tr><th>Limiter</th><th>State</th><th>Bursts</th><th>Choose it when</th></tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.TokenBucketLimiter}</td><td>one long per limit (a
 *       padded long per stripe once contended)</td>
 *       <td>up to the capacity</td>
 *       <td>the default: an average rate with tolerated bursts, or several limits at once; exact at
 *       any rate</td></tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.GcraLimiter}</td><td>one long (a timestamp)</td>
 *       <td>up to the capacity</td>
 *       <td>one limit whose emission interval is a whole number of nanoseconds (or at least 1
 *       µs); permits accrue from each request rather than on a grid; the retry time is one
 *       subtraction</td></tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.SlidingWindowLogLimiter}</td>
 *       <td>8 B per permit of the limit</td><td>none: exactly N in any window</td>
 *       <td>exactness over every sliding interval matters more than memory; a lock per decision</td>
 *       </tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.SlidingWindowCounterLimiter}</td><td>two counts</td>
 *       <td>at most 2N - 1 in a window, only when the previous window's permits came at its end</td>
 *       <td>"N per window" in constant memory; agrees with an exact count below the limit</td></tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.FixedWindowLimiter}</td><td>one count</td>
 *       <td>2N across a window boundary</td>
 *       <td>quotas that really are per calendar window (per minute, per day), or to show why the
 *       others exist</td></tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.KeyedRateLimiter}</td>
 *       <td>16 B per key in a table at most 3/4 full</td><td>up to the capacity, per key</td>
 *       <td>one limit per user, IP or API key, created on first use, the same for every key or
 *       chosen per key (tiers, routes: up to 256 distinct limits); memory bounded under any number
 *       of distinct keys</td></tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.WarmingUpLimiter}</td>
 *       <td>two numbers under a lock</td><td>none: requests are spaced</td>
 *       <td>the protected resource needs warming after idle time (Guava's warm-up model): a cold
 *       limiter spaces requests at three times the stable interval and speeds up with use</td>
 *       </tr>
 *   <tr><td>{@link dev.sysblocks.ratelimit.LeakyBucketShaper}</td>
 *       <td>a queue of at most Q tasks and one thread</td><td>none: one task per interval</td>
 *       <td>outbound calls that must be evenly spaced: it delays tasks instead of refusing
 *       them</td></tr>
 * </table>
 *
 * <p><b>Compared with the usual Java choices.</b>
 *
 * <ul>
 *   <li><b>Guava {@code RateLimiter}</b> ({@code SmoothBursty}, {@code SmoothWarmingUp}) takes a
 *       {@code synchronized} lock on every call and "pays later": a request after idle time always
 *       passes and the next one waits for it, so it spaces requests rather than allowing a burst
 *       (bursty mode stores at most one second of permits). One rate per limiter, no retry-after
 *       figures, and its clock can be replaced only through package-private API. {@link
 *       dev.sysblocks.ratelimit.WarmingUpLimiter} keeps its warm-up model; the token bucket and
 *       GCRA here refuse instead of making the next caller pay, which is what an HTTP API needs.
 *   <li><b>Bucket4j</b> (local lock-free bucket) keeps its state in an object swapped by
 *       compare-and-set, copying it on every call: 64 bytes allocated per decision, refusals
 *       included (measured in {@code RateLimiterAcquireBenchmark}). It offers several limits per
 *       bucket, greedy or interval refill, blocking consumption, a verbose probe with the wait
 *       time, configuration replacement at run time and distributed backends (JCache, Redis, JDBC).
 *       The token bucket here has the same model with the state in one primitive word per limit,
 *       exact refill arithmetic, and nothing allocated.
 *   <li><b>Resilience4j {@code AtomicRateLimiter}</b> is a cycle counter: {@code limitForPeriod}
 *       permits are available again at the start of every {@code limitRefreshPeriod}, so a client
 *       can pass twice the limit around a cycle boundary, as with {@link
 *       dev.sysblocks.ratelimit.FixedWindowLimiter}. Its state object is swapped by CAS (40 bytes
 *       per call), callers wait by parking up to a timeout, and events go to an event publisher.
 *   <li><b>Keyed limits</b> are not offered by any of the three: one assembles a Caffeine cache of
 *       buckets, measured here at about 400 bytes per key ({@code KeyedMemoryFootprint}) against
 *       34-40 for {@link dev.sysblocks.ratelimit.KeyedRateLimiter}.
 * </ul>
 */
package dev.sysblocks.ratelimit;
