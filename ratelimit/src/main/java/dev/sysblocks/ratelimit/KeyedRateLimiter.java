package dev.sysblocks.ratelimit;

import dev.sysblocks.core.KeyHasher;
import dev.sysblocks.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One rate limit per key (per user, per client IP, per API token), created on a key's first
 * request, in memory bounded by a maximum number of keys however many distinct keys arrive.
 *
 * <pre>{@code
 * KeyedRateLimiter<String> perClient =
 *     KeyedRateLimiter.<String>builder(Limit.of(100, Duration.ofMinutes(1)))
 *         .maximumKeys(1_000_000)
 *         .build();
 * Decision d = perClient.decide(clientId, 1);
 * if (!d.allowed()) {
 *   response.setHeader("Retry-After", String.valueOf(d.retryAfterSeconds()));
 *   response.setStatus(429);
 * }
 * }</pre>
 *
 * <p>Keys may have limits of their own -- tiers of clients, a limit per API route -- given by a
 * function asked once when a key is first seen (see {@link Builder#limitPerKey}):
 *
 * <pre>{@code
 * Limit free = Limit.of(100, Duration.ofMinutes(1));
 * Limit paid = Limit.of(1_000, Duration.ofMinutes(1));
 * KeyedRateLimiter<String> perClient =
 *     KeyedRateLimiter.<String>builder(free)
 *         .limitPerKey(id -> paidClients.contains(id) ? paid : free)
 *         .maximumKeys(1_000_000)
 *         .build();
 * }</pre>
 *
 * <p>Each key is limited by GCRA (see {@link GcraLimiter}): a burst of its limit's capacity, then
 * its limit's rate. Thread-safe. A decision for a key already present takes no lock, and {@code
 * tryAcquire} allocates nothing; a key's first request takes a lock on one of up to 64 segments.
 * The table holds a key's 64-bit hash, not the key: two keys whose hashes collide share one bucket
 * (stricter, never looser; with the default randomly seeded hash the chance is about n²/2^65 for n
 * live keys, 3·10^-6 at 10^7; with the seed secret, choosing keys that collide is not practical,
 * though XXH3 is not a keyed cryptographic function). With {@code limitPerKey}, 8 of the 64 bits
 * hold the key's limit instead, so the chance is n²/2^63 (at least 65,536 {@code maximumKeys}; up
 * to n²/2^57 for smaller tables, whose n is small), and the second key of a colliding pair shares
 * the first one's limit as well as its bucket. A key whose bucket is full again is forgotten at no
 * cost to any decision (unless its limit starts keys with fewer permits than its capacity: such
 * keys are kept until evicted). Only when more keys than {@code maximumKeys} (roughly, per segment)
 * are paying off a burst at the same moment must keys be evicted: the segment is rebuilt without
 * the keys nearest to a full bucket. Like a key dropped from a size-bounded cache of buckets, an
 * evicted key returns with a full bucket; a stream of distinct keys gives a client nothing it could
 * not get from distinct keys alone. {@link #evictions()} counts these events.
 */
public final class KeyedRateLimiter<K> {

  /*
   * Problem. Per-client limits in front of an API: millions of keys, most seen once, a few very
   * hot. The usual answer -- a Caffeine cache of Bucket4j buckets -- costs, measured here, 2 to 3
   * µs and 64-73 B allocated per decision on a Zipf stream, and about 400 B of heap per live key
   * (a cache node, a hash map node, a bucket and its state; KeyedMemoryFootprint). An attacker who
   * sends 10^7 distinct keys either grows the heap or, with a size bound, evicts the buckets of
   * real clients.
   *
   * Idea. A GCRA bucket is one long (the theoretical arrival time, TAT), and a key can be replaced by
   * its 64-bit hash. So a key's whole record is two longs, stored side by side in an open-addressing
   * table (linear probing, never more than 3/4 full):
   *
   *     long[] table = [ hash0 | tat0 | hash1 | tat1 | hash2 | tat2 | ... ]   16 bytes per slot
   *                      `-- one slot --'   four slots per 64-byte cache line
   *
   * A decision hashes the key, probes (usually 1-2 slots, one cache line), and CASes the TAT exactly
   * like GcraLimiter. The table is split into up to 64 segments, each growing by doubling up to
   * ceil(maximumKeys / segments / 0.75) slots (rounded up to a power of two), so memory follows the
   * live keys and never passes 16 / 0.75 · 2 = 43 bytes per configured key (16 per slot, at least a
   * quarter of the slots empty, and a power-of-two rounding).
   *
   * Limits per key. The key word has room for more than a hash: the bits that choose a key's
   * segment (32 to 37, with 64 segments) are the same for every key of the segment. With
   * limitPerKey, bits 32 to 39 of the stored word hold the index of the key's limit in a table of
   * up to 256 distinct limits, each stored as its four GCRA constants (interval, tolerance,
   * capacity, initial debt: 8 KiB at most, per limiter). A lookup matches keys on the other 56
   * bits (the segment supplies up to 6 of the 8 it gives up) and reads the constants at the index
   * it finds: still one cache line of table per decision, 16 B per slot, nothing allocated. The
   * function runs only for a key not held, before the segment's lock is taken; its answers are
   * deduplicated by equals, so a new Limit object per call costs a scan of the table, not an
   * index. A limit with fewer initial permits than its capacity starts keys in debt, so its keys
   * are never forgotten when full (they would come back poorer), only evicted; keys of the other
   * limits are forgotten as before: a key that returns asks the function again and, for the same
   * answer, starts exactly where it left off.
   *
   * Forgetting. A key whose TAT is in the past has a full bucket: it is indistinguishable from a key
   * never seen: a segment with no room left gives its slot to a new key on the same probe run, and
   * a rebuild drops it. That is how 10^7 one-off keys pass through a table sized for 10^5 without
   * changing any decision. A rebuild keeps the segment's size only if at most a quarter of it
   * stays in use, and doubles it otherwise, so that a segment is not rebuilt so often that
   * clients are dropped between two of their requests and inserted again (KEEP_SIZE_LOAD). Only
   * when a segment at its largest size is 3/4 full of keys still paying off a burst must keys be
   * evicted: the segment is rebuilt at the same size, down to 5/8 full, without the keys nearest
   * to a full bucket (smallest TAT), which lose the fewest permits of debt; a rebuild costs
   * O(slots) and makes room for slots/8 new keys, so O(1) per new key. Failing closed instead (a
   * newcomer inheriting a victim's debt) was tried and rejected: under a flood the debts pile up
   * slot after slot and every new client is refused for minutes -- the attacker's goal, reached
   * through the limiter.
   *
   * Worked example. 100 per minute per client (T = 600 ms, capacity 100, tolerance 60 s), 10^6
   * maximum keys: 64 segments of at most 32,768 slots, 32 MiB when all are grown (33.6 B per
   * configured key); 10^5 live clients use about 64 x 4,096 slots = 4 MiB (42 B per live key). A
   * client that sent 100 requests at t = 0 has TAT = 60 s; at t = 60 s its bucket is full again and
   * its slot is free for reuse.
   *
   * Invariant (the slot protocol). A key and its TAT cannot be written in one atomic step, so a
   * decision must never commit against a slot that changed key under it. A slot changes key in
   * place only when its bucket is full (TAT < now) and its limit starts keys full, in three steps: (1) CAS tat -> BUSY, (2) write
   * the new hash, (3) write the new key's TAT, which is at least now: so a slot's TAT rises strictly
   * across a change of key, and never returns to a value it held. A decision reads the TAT, then
   * the hash (and the limit index with it), and commits with a CAS expecting that TAT: if the slot
   * changed key in between, the TAT differs and the CAS fails. A refusal writes nothing; it re-reads the TAT to check it still held.
   * Evicting a key in debt is never done in place: a rebuild marks every old slot MOVED (by CAS, so
   * no admission is lost) and publishes a new table without it.
   *
   * Cost. A hit: one key hash (XXH3, about 15-20 ns for a short string), one clock read, one volatile
   * read of the segment's table, a probe (a mask per slot), three reads of the small limit table
   * (in cache), one CAS. KeyedRateLimiterBenchmark (full mode, 2 forks, JDK 17, 2-core AMD EPYC
   * VM, 2026-12-07, Zipf over 10^5 and 10^6 client ids): 99 and 218 ns on one thread, 7.4 and
   * 4.4 times faster than Caffeine + Bucket4j; 151 and 293 ns per thread on two threads, 9.9 and
   * 7.0 times faster (the peer's cache maintenance contends); with two tiers of limits
   * (sysblocks-keyed-tiers) 109 and 223 ns on one thread. A later full run that day, each
   * implementation's forks in alternating rounds: 112 and 237 ns (6.2 and 3.8 times), two threads
   * 7.0 and 6.3 times. At 10^6 keys the table (2^21 slots,
   * 32 MiB) and the key strings are out of cache, and misses on both are the main cost (perf, one
   * thread: half of all samples in tryAcquire, where the probe and the key hash are inlined, 8 %
   * in rebuilds); under 12 B allocated per decision on average, by the rebuilds that drop
   * refilled keys. Heap: 33.8 B per live key at 10^6 keys, 40.1 at 10^5 (KeyedMemoryFootprint), at
   * most 43 B per configured key when all segments are grown (maximumKeys of 12 or more; smaller
   * tables have a 16-slot floor), and up to twice a segment's table for the moment of its rebuild.
   * Limits per key cost a mask in each probe and three reads of the small limit table (in cache) in
   * each decision, also for a single limit; the same bytes per key, plus 9 KiB per limiter with
   * limitPerKey. A decision on a held key allocates nothing either way (KeyedAllocationTest);
   * -prof gc, warmed, one thread: 0 and 9 B/op with one limit, 0 and 11 with two tiers
   * (sysblocks-keyed-tiers).
   *
   * Concurrency. Hits and refusals are lock-free. Inserting a key, reusing a slot and growing take
   * the segment's monitor; a reader that meets BUSY (a slot being rewritten, a few instructions) or
   * MOVED (a segment being rebuilt) yields and re-reads: the writer holding the monitor may have
   * been descheduled. A rebuild that fails (out of memory) puts the old slots back first.
   *
   * Alternatives. One limiter object per key in a ConcurrentHashMap (exact keys, unbounded memory),
   * or in Caffeine (bounded, with the costs above; needed if a key needs several limits at once, a
   * token bucket's grid, or more than 256 distinct limits). Redis with a Lua GCRA script (shared by many servers; a
   * network round trip per decision).
   *
   * References.
   *  [1] ATM Forum, "Traffic Management Specification 4.0", 1996 -- GCRA.
   *  [2] D. Knuth, "Notes on 'open' addressing", 1963 -- linear probing and its probe lengths.
   *  [3] Brandur Leach, "Rate limiting, cells, and GCRA", 2015, https://brandur.org/rate-limiting
   */

  /** Slots of a segment before its first growth (256 bytes). */
  static final int INITIAL_SLOTS = 16;

  /** Maximum fill of a segment before it grows: linear probing slows sharply past 0.75. */
  static final double MAX_LOAD = 0.75;

  /** Fill a segment at its size bound is brought down to by evicting: room for slots/8 keys. */
  static final double EVICTED_LOAD = 0.625;

  /**
   * A rebuild keeps a segment's size only if the keys still in debt fill at most this share of it;
   * otherwise the segment doubles (up to its bound). A quarter leaves room for half the slots in
   * new keys before the next rebuild. With a half, a Zipf stream over 10^6 client ids at 100 per
   * second (KeyedRateLimiterBenchmark) kept the tables so small that many keys were dropped between
   * two of their requests and inserted again: a quarter halved the rebuilds' allocation (18 to 9 B
   * per decision, full runs of 2026-12-07). The time per decision moved less than the noise: 213
   * and 218 ns (± 50) in those full runs; 250 against 206 ns in paired single forks. An eighth was
   * no faster there (213 ns), with larger tables.
   */
  static final double KEEP_SIZE_LOAD = 0.25;

  /** Upper bound on segments: enough that key insertions on many cores rarely share a monitor. */
  static final int MAX_SEGMENTS = 64;

  /** Largest maximumKeys: 64 segments of 2^29 slots (arrays of 2^30 longs), three quarters full. */
  public static final long MAX_KEYS = 1L << 34;

  /** A slot's TAT while its key is being rewritten; never a real TAT, which is at least 0. */
  static final long BUSY = Long.MIN_VALUE;

  /** A slot's TAT once its segment has been copied into a larger table. */
  static final long MOVED = Long.MIN_VALUE + 1;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  private static final int TAKEN = 1;
  private static final int DENIED = 0;
  private static final int ABSENT = -1;
  private static final int RETRY = -2;

  /** Most distinct limits a limiter with limitPerKey holds: a key word has 8 bits for its index. */
  public static final int MAX_LIMITS = 256;

  /** Position of a key's limit index in its stored word: the bits that also choose the segment. */
  private static final int LIMIT_SHIFT = 32;

  private final Ticker ticker;
  private final Limit limit;
  private final ToLongFunction<? super K> keyHash;
  private final Function<? super K, Limit> limitPerKey; // null: every key has `limit`
  private final long origin;

  /** Limit index bits of a stored key word, shifted down: 0xFF with limitPerKey, else 0. */
  private final int limitIndexMask;

  /** The bits of a stored key word that are its hash: all, or all but the limit index's. */
  private final long keyMask;

  /** The distinct limits keys have, by index (0: the builder's); published by limitCount. */
  private final Limit[] limits;

  /**
   * Each limit's GCRA constants, four per index i: the emission interval at 4i, the tolerance
   * (capacity times interval) at 4i + 1, the capacity at 4i + 2, and at 4i + 3 the TAT of a new key
   * relative to now (0 for a full bucket, more for fewer initial permits). Written before the
   * limit's index is published (limitCount, volatile), and read only after a key word holding the
   * index was read (volatile), so plain reads see them.
   */
  private final long[] constants;

  private volatile int limitCount; // written under limitsLock
  private final Object limitsLock = new Object();

  private final int segmentMask;
  private final int maxSlots;
  private final AtomicReferenceArray<long[]> tables;
  private final Segment[] segments;

  /** Bookkeeping of one segment, guarded by its monitor. */
  private static final class Segment {
    int occupied;
    long evictions;
  }

  private KeyedRateLimiter(Builder<K> b) {
    this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
    this.limit = b.limit;
    this.keyHash = b.keyHash == null ? defaultKeyHash(KeyHasher.randomlySeeded()) : b.keyHash;
    this.limitPerKey = b.limitPerKey;
    int maxLimits = limitPerKey == null ? 1 : MAX_LIMITS;
    this.limitIndexMask = maxLimits - 1;
    this.keyMask = ~((long) limitIndexMask << LIMIT_SHIFT);
    this.limits = new Limit[maxLimits];
    this.constants = new long[4 * maxLimits];
    register(0, limit);
    this.limitCount = 1;
    int segmentCount =
        (int) Math.min(MAX_SEGMENTS, Long.highestOneBit(Math.max(1, b.maximumKeys / 1024)));
    this.segmentMask = segmentCount - 1;
    long keysPerSegment = (b.maximumKeys + segmentCount - 1) / segmentCount;
    long slots = Math.max(INITIAL_SLOTS, (long) Math.ceil(keysPerSegment / MAX_LOAD));
    this.maxSlots = (int) Math.min(1 << 29, Long.highestOneBit(slots - 1) << 1);
    this.tables = new AtomicReferenceArray<>(segmentCount);
    this.segments = new Segment[segmentCount];
    for (int s = 0; s < segmentCount; s++) {
      tables.set(s, new long[2 * Math.min(INITIAL_SLOTS, maxSlots)]);
      segments[s] = new Segment();
    }
    this.origin = ticker.read();
  }

  /**
   * Starts building a keyed limiter that gives every key the same limit.
   *
   * @param limit each key's limit
   * @param <K> the key type
   * @return a builder
   * @throws NullPointerException if {@code limit} is null
   */
  public static <K> Builder<K> builder(Limit limit) {
    return new Builder<>(Objects.requireNonNull(limit, "limit"));
  }

  /**
   * Settings of a {@link KeyedRateLimiter}.
   *
   * @param <K> the key type
   */
  public static final class Builder<K> {
    private final Limit limit;
    private long maximumKeys = 100_000;
    private boolean maximumKeysSet;
    private Ticker ticker;
    private ToLongFunction<? super K> keyHash;
    private Function<? super K, Limit> limitPerKey;

    private Builder(Limit limit) {
      this.limit = limit;
    }

    /**
     * Sets how many keys may hold a partly used bucket at once (default 100,000); memory is at most
     * about 43 bytes per key of this bound, and grows with the keys actually seen.
     *
     * @param maximumKeys from 1 to {@value KeyedRateLimiter#MAX_KEYS}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder<K> maximumKeys(long maximumKeys) {
      if (maximumKeysSet) {
        throw new IllegalStateException("maximumKeys already set");
      }
      maximumKeysSet = true;
      if (maximumKeys < 1 || maximumKeys > MAX_KEYS) {
        throw new IllegalArgumentException(
            "maximumKeys must be between 1 and " + MAX_KEYS + ": " + maximumKeys);
      }
      this.maximumKeys = maximumKeys;
      return this;
    }

    /**
     * Sets the clock (default {@link Ticker#system()}); tests pass a {@code FakeTicker}.
     *
     * @param ticker the time source
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     * @throws IllegalStateException if already set
     */
    public Builder<K> ticker(Ticker ticker) {
      if (this.ticker != null) {
        throw new IllegalStateException("ticker already set");
      }
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets how a key becomes the 64-bit hash stored in place of it. The default hashes {@code
     * CharSequence}, {@code byte[]}, {@code Long} and {@code Integer} keys with XXH3 under a random
     * seed, and rejects other key types: give a function for them, with 64 well-mixed bits (a
     * 32-bit {@code hashCode} would make unrelated keys share limits after a few tens of thousands
     * of keys).
     *
     * @param keyHash the hash function
     * @return this builder
     * @throws NullPointerException if {@code keyHash} is null
     * @throws IllegalStateException if already set
     */
    public Builder<K> keyHash(ToLongFunction<? super K> keyHash) {
      if (this.keyHash != null) {
        throw new IllegalStateException("keyHash already set");
      }
      this.keyHash = Objects.requireNonNull(keyHash, "keyHash");
      return this;
    }

    /**
     * Gives each key a limit of its own: tiers of clients (free and paid), a limit per API route.
     * The function is asked when a key is not held -- its first request, or its first after the
     * table dropped it, which happens only once its bucket is full again (or by eviction) -- and
     * the answer holds for as long as the key is held: a changed answer (a client that upgraded)
     * takes effect when the key is next admitted afresh. It runs on the calling thread, outside any
     * lock, and may run more than once for a key that several threads see first at the same moment
     * (one answer wins); a pure function of the key is what it is meant to be. At most {@value
     * KeyedRateLimiter#MAX_LIMITS} distinct limits (by {@code equals}, the builder's counted) may
     * be returned over the limiter's life; the builder's limit is the one {@link
     * KeyedRateLimiter#limit()} reports, and need not be returned for any key.
     *
     * <p>Each returned limit is checked as the builder's is. A request for a key whose function
     * call fails throws what it threw, and leaves the key absent: {@code NullPointerException} for
     * a null limit, {@code IllegalArgumentException} for a limit GCRA cannot enforce, {@code
     * IllegalStateException} for a 257th distinct limit.
     *
     * @param limitPerKey the limit of each key
     * @return this builder
     * @throws NullPointerException if {@code limitPerKey} is null
     * @throws IllegalStateException if already set
     */
    public Builder<K> limitPerKey(Function<? super K, Limit> limitPerKey) {
      if (this.limitPerKey != null) {
        throw new IllegalStateException("limitPerKey already set");
      }
      this.limitPerKey = Objects.requireNonNull(limitPerKey, "limitPerKey");
      return this;
    }

    /**
     * Builds the limiter.
     *
     * @return a new limiter with no keys
     * @throws IllegalArgumentException if the limit has no whole-nanosecond emission interval (see
     *     {@link GcraLimiter})
     */
    public KeyedRateLimiter<K> build() {
      return new KeyedRateLimiter<>(this);
    }
  }

  static <K> ToLongFunction<K> defaultKeyHash(KeyHasher hasher) {
    return key -> {
      if (key instanceof CharSequence chars) {
        return hasher.hash(chars);
      } else if (key instanceof byte[] bytes) {
        return hasher.hash(bytes);
      } else if (key instanceof Long || key instanceof Integer) {
        return hasher.hash(((Number) key).longValue());
      } else if (key == null) {
        throw new NullPointerException("key");
      }
      throw new IllegalArgumentException(
          "keys of type "
              + key.getClass().getName()
              + " need a keyHash function (builder().keyHash(...))");
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Decisions
  // ------------------------------------------------------------------------------------------------

  /**
   * Takes one permit for {@code key} if one is available now.
   *
   * @param key the key
   * @return true if the permit was taken
   * @throws NullPointerException if {@code key} is null
   */
  public boolean tryAcquire(K key) {
    return tryAcquire(key, 1);
  }

  /**
   * Takes {@code permits} permits for {@code key} if all are available now; otherwise takes none.
   * Allocates nothing when the key is present.
   *
   * @param key the key
   * @param permits from 1 to the limit's capacity
   * @return true if the permits were taken
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  public boolean tryAcquire(K key, long permits) {
    checkPermits(permits);
    long kw = keyWord(key);
    int seg = segmentOf(kw);
    long now = elapsed();
    int index = -1; // the key's limit index, asked for once if the key is absent
    for (; ; ) {
      int result = tryAcquireIn(tables.get(seg), kw, now, permits);
      if (result >= 0) {
        return result == TAKEN;
      }
      if (result == ABSENT) {
        index = index < 0 ? limitIndexOf(key) : index;
        insert(seg, kw, index, now);
      }
    }
  }

  /**
   * Takes {@code permits} permits for {@code key} if all are available now, and reports what an
   * HTTP API puts in its {@code Retry-After} and {@code RateLimit-*} headers.
   *
   * @param key the key
   * @param permits from 1 to the limit's capacity
   * @return the decision
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  public Decision decide(K key, long permits) {
    checkPermits(permits);
    long kw = keyWord(key);
    int seg = segmentOf(kw);
    long now = elapsed();
    int index = -1;
    for (; ; ) {
      long[] t = tables.get(seg);
      int slot = find(t, kw, keyMask);
      if (slot == ABSENT) {
        index = index < 0 ? limitIndexOf(key) : index;
        insert(seg, kw, index, now);
        continue;
      }
      if (slot == RETRY) {
        continue;
      }
      long s = tatVolatile(t, slot);
      long k = keyVolatile(t, slot);
      if (s == BUSY || s == MOVED || ((k ^ kw) & keyMask) != 0) {
        continue; // a slot being rewritten or moved: find the key again
      }
      int c = constantsOf(k);
      long interval = constants[c];
      long tolerance = constants[c + 1];
      long capacity = constants[c + 2];
      if (permits > capacity) {
        throw tooManyPermits(permits, capacity);
      }
      long cost = permits * interval; // <= tolerance <= 2^62
      // Relative to now, so that nothing overflows even at a tolerance of 2^62 ns.
      long ahead = Math.max(s, now) - now; // at most the tolerance
      if (ahead > tolerance - cost) {
        if (tatVolatile(t, slot) != s) {
          continue; // the slot changed meanwhile (maybe its key): decide again
        }
        long remaining = (tolerance - ahead) / interval;
        return new Decision(false, capacity, remaining, ahead + cost - tolerance, ahead);
      }
      if (exchangeTat(t, slot, s, now + ahead + cost) == s) {
        long remaining = (tolerance - ahead - cost) / interval;
        return new Decision(true, capacity, remaining, 0, ahead + cost);
      }
    }
  }

  /**
   * Returns the permits {@code key} could take now (its limit's initial permits for a key not
   * present, asking {@code limitPerKey} for its limit without adding the key). Only an estimate
   * under concurrency.
   *
   * @param key the key
   * @return available permits
   * @throws NullPointerException if {@code key} is null
   */
  public long availablePermits(K key) {
    long kw = keyWord(key);
    int seg = segmentOf(kw);
    long now = elapsed();
    for (; ; ) {
      long[] t = tables.get(seg);
      int slot = find(t, kw, keyMask);
      if (slot == ABSENT) {
        int c = 4 * limitIndexOf(key);
        return Math.max(0, (constants[c + 1] - constants[c + 3]) / constants[c]);
      }
      if (slot == RETRY) {
        continue;
      }
      long s = tatVolatile(t, slot);
      long k = keyVolatile(t, slot);
      if (s != BUSY && s != MOVED && ((k ^ kw) & keyMask) == 0) {
        int c = constantsOf(k);
        return Math.max(0, (now + constants[c + 1] - Math.max(s, now)) / constants[c]);
      }
    }
  }

  /**
   * Returns the builder's limit: every key's, or with {@code limitPerKey} the default one.
   *
   * @return the limit
   */
  public Limit limit() {
    return limit;
  }

  /**
   * Returns the number of slots holding a key, including keys whose bucket is full again and which
   * will be forgotten when their slot is needed.
   *
   * @return the keys held
   */
  public long keysHeld() {
    long n = 0;
    for (Segment s : segments) {
      synchronized (s) {
        n += s.occupied;
      }
    }
    return n;
  }

  /**
   * Returns how many keys lost their slot while their bucket was not yet full (each comes back with
   * a full bucket). Zero unless about {@code maximumKeys} keys were paying off bursts at once.
   *
   * @return evictions of keys with a partly used bucket
   */
  public long evictions() {
    long n = 0;
    for (Segment s : segments) {
      synchronized (s) {
        n += s.evictions;
      }
    }
    return n;
  }

  /**
   * Returns the bytes of heap held by the tables now: 16 bytes per slot and the arrays' headers
   * (not the few hundred bytes of fixed objects).
   *
   * @return bytes of heap in the tables
   */
  public long tableBytes() {
    long bytes = 0;
    for (int s = 0; s < segments.length; s++) {
      bytes += 16 + 8L * tables.get(s).length;
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "KeyedRateLimiter["
        + limit
        + (limitPerKey == null ? "" : " and " + (limitCount - 1) + " more limits per key")
        + ", "
        + keysHeld()
        + " keys]";
  }

  // ------------------------------------------------------------------------------------------------
  // The table
  // ------------------------------------------------------------------------------------------------

  private int tryAcquireIn(long[] t, long kw, long now, long permits) {
    int slot = find(t, kw, keyMask);
    if (slot < 0) {
      return slot;
    }
    long s = tatVolatile(t, slot);
    for (; ; ) {
      if (s == BUSY || s == MOVED) {
        return RETRY;
      }
      long k = keyVolatile(t, slot);
      if (((k ^ kw) & keyMask) != 0) {
        return RETRY; // the key lost this slot after find: look again
      }
      // The limit comes with the key word: read after the TAT, like the key (see the protocol).
      int c = constantsOf(k);
      long tolerance = constants[c + 1];
      if (permits > constants[c + 2]) {
        throw tooManyPermits(permits, constants[c + 2]);
      }
      long cost = permits * constants[c]; // <= tolerance <= 2^62
      long base = Math.max(s, now);
      if (base - now > tolerance - cost) { // compared before adding: no overflow
        // A refusal writes nothing; it is this key's refusal only if the TAT is still the one read.
        return tatVolatile(t, slot) == s ? DENIED : RETRY;
      }
      // The CAS succeeds only if the TAT is still s, and a slot's TAT rises strictly across a
      // change of key (see the slot protocol): so s, read after this key was seen, is this key's.
      long witness = exchangeTat(t, slot, s, base + cost);
      if (witness == s) {
        return TAKEN;
      }
      s = witness;
    }
  }

  /**
   * The slot of {@code kw} (compared on the bits of {@code keyMask}), ABSENT, or RETRY if the table
   * was moved or a slot is being rewritten.
   */
  private static int find(long[] t, long kw, long keyMask) {
    int mask = (t.length >>> 1) - 1;
    // Linear probing to the first empty slot; a table is never more than 3/4 full.
    for (int i = (int) kw & mask, probe = 0; probe <= mask; probe++, i = (i + 1) & mask) {
      long s = tatVolatile(t, i); // before the key: see the slot protocol in the essay
      long k = keyVolatile(t, i);
      if (((k ^ kw) & keyMask) == 0) { // never an empty slot: kw has hash bits set (keyWord)
        if (s == BUSY || s == MOVED) {
          waitForSegmentWriter();
          return RETRY;
        }
        return i;
      }
      if (k == 0) {
        if (s == MOVED) {
          waitForSegmentWriter();
          return RETRY;
        }
        return ABSENT; // an insertion in progress holds the segment's monitor: insert waits for it
      }
    }
    return ABSENT;
  }

  /**
   * Waits a little for a slot being rewritten (BUSY: a few instructions) or a segment being rebuilt
   * (MOVED: microseconds). Both are done by a thread holding the segment's monitor, which may be
   * descheduled mid-way on a machine with few cores, so the caller yields rather than spins.
   */
  @SuppressWarnings("ThreadPriorityCheck") // a yield only shortens a rare wait
  private static void waitForSegmentWriter() {
    Thread.yield();
  }

  /**
   * Places {@code kw} with limit {@code index} in its segment unless present; growing, reusing or
   * evicting as needed.
   */
  private void insert(int seg, long kw, int index, long now) {
    long word = (kw & keyMask) | ((long) index << LIMIT_SHIFT); // the key word as stored
    long newTat = now + constants[4 * index + 3];
    Segment segment = segments[seg];
    synchronized (segment) {
      for (; ; ) {
        long[] t = tables.get(seg);
        int slots = t.length >>> 1;
        int mask = slots - 1;
        // The probe run from the key's home to the first empty slot: the only slots a lookup of
        // this key visits, so the only ones it may take.
        int empty = -1;
        int oldest = -1; // the smallest TAT among keys that may be forgotten when full
        long oldestTat = Long.MAX_VALUE;
        for (int i = (int) kw & mask, probe = 0; probe < slots; probe++, i = (i + 1) & mask) {
          long k = keyVolatile(t, i);
          if (((k ^ kw) & keyMask) == 0) {
            return; // inserted by another thread meanwhile
          }
          if (k == 0) {
            empty = i;
            break;
          }
          long s = tatVolatile(t, i); // BUSY and MOVED need the monitor, which this thread holds
          if (s < oldestTat && forgettable(k)) {
            oldestTat = s;
            oldest = i;
          }
        }
        if (segment.occupied + 1 <= (long) (slots * MAX_LOAD)) {
          // Room: take the empty slot that ended the run. Keys with a full bucket stay until the
          // segment runs out of room; taking their slots earlier only sent them back through this
          // lock (two threads on a Zipf stream spent most of their time here).
          claim(t, empty, 0, word, newTat);
          segment.occupied++;
          return;
        }
        if (oldest >= 0 && oldestTat < now) {
          // No room, but a full bucket on the run is free to take: its key loses nothing.
          if (claim(t, oldest, oldestTat, word, newTat)) {
            return;
          }
          continue; // its key was admitted meanwhile: look again
        }
        rebuild(seg, segment, t, now);
      }
    }
  }

  /** Rewrites a slot to {@code kw}; false if its TAT is no longer {@code expectedTat}. */
  private static boolean claim(long[] t, int i, long expectedTat, long kw, long newTat) {
    if (exchangeTat(t, i, expectedTat, BUSY) != expectedTat) {
      return false;
    }
    setKeyVolatile(t, i, kw);
    setTatVolatile(t, i, newTat);
    return true;
  }

  /**
   * Copies a segment into a new table, dropping keys whose bucket is full again: of the same size
   * if at most a quarter of it stays in use, else of twice the size up to the bound; at the bound,
   * also drops the keys with the smallest TATs down to {@link #EVICTED_LOAD}. The caller holds the
   * segment's monitor.
   */
  private void rebuild(int seg, Segment segment, long[] old, long now) {
    int oldSlots = old.length >>> 1;
    // Allocated before any slot is marked: if this throws, the segment is untouched.
    long[] states = new long[oldSlots];
    for (int i = 0; i < oldSlots; i++) {
      long s = tatVolatile(old, i);
      while (true) {
        long witness = exchangeTat(old, i, s, MOVED); // after this no admission can land here
        if (witness == s) {
          break;
        }
        s = witness;
      }
      states[i] = s;
    }
    try {
      publishRebuilt(seg, segment, old, states, now);
    } catch (RuntimeException | Error e) {
      for (int i = 0; i < oldSlots; i++) {
        setTatVolatile(old, i, states[i]); // give readers the old table back, as it was
      }
      throw e;
    }
  }

  /** The second half of {@link #rebuild}: every old slot is MOVED and its TAT is in states. */
  private void publishRebuilt(int seg, Segment segment, long[] old, long[] states, long now) {
    int oldSlots = states.length;
    int kept = 0;
    for (int i = 0; i < oldSlots; i++) {
      long k = keyVolatile(old, i);
      if (k != 0 && (states[i] >= now || !forgettable(k))) {
        kept++; // not empty, and not a full bucket (forgetting those changes no decision)
      }
    }
    // Same size if dropping the full buckets left at most a quarter of the table in use (see
    // KEEP_SIZE_LOAD), else twice the size up to the bound. At the bound, when more than 5/8 of the
    // slots are still in debt, evict down to 5/8, so that a rebuild makes room for slots/8 new
    // keys and costs O(1) per key amortized.
    int slots =
        kept + 1 <= (int) (oldSlots * KEEP_SIZE_LOAD) || oldSlots >= maxSlots
            ? oldSlots
            : 2 * oldSlots;
    int target = (int) (slots * EVICTED_LOAD);
    boolean evict = oldSlots >= maxSlots && kept > target;
    long threshold = Long.MIN_VALUE; // keys with a smaller TAT are evicted
    int tiesToEvict = 0; // and this many with a TAT equal to the threshold
    if (evict) {
      long[] sorted = new long[kept];
      int n = 0;
      for (int i = 0; i < oldSlots; i++) {
        long k = keyVolatile(old, i);
        if (k != 0 && (states[i] >= now || !forgettable(k))) {
          sorted[n++] = states[i];
        }
      }
      Arrays.sort(sorted);
      threshold = sorted[kept - target];
      int below = 0;
      while (below < kept && sorted[below] < threshold) {
        below++;
      }
      tiesToEvict = kept - target - below;
    }
    long[] fresh = new long[2 * slots];
    int mask = slots - 1;
    int occupied = 0;
    for (int i = 0; i < oldSlots; i++) {
      long k = keyVolatile(old, i);
      long tat = states[i];
      if (k == 0 || (tat < now && forgettable(k))) {
        continue;
      }
      if (tat < threshold || (tat == threshold && tiesToEvict > 0)) {
        if (tat == threshold) {
          tiesToEvict--;
        }
        if (tat >= now) {
          segment.evictions++; // a key still paying off a burst: it returns with a full bucket
        }
        continue;
      }
      int j = (int) k & mask;
      while (fresh[2 * j] != 0) {
        j = (j + 1) & mask; // at most 5/8 full after an eviction, 3/4 otherwise
      }
      fresh[2 * j] = k;
      fresh[2 * j + 1] = tat;
      occupied++;
    }
    segment.occupied = occupied;
    tables.set(seg, fresh); // volatile: publishes the copied slots to readers who saw MOVED
  }

  // ------------------------------------------------------------------------------------------------
  // Helpers and accessors
  // ------------------------------------------------------------------------------------------------

  private long keyWord(K key) {
    Objects.requireNonNull(key, "key");
    long h = keyHash.applyAsLong(key);
    return (h & keyMask) == 0 ? 1 : h; // 0 marks an empty slot: a stored word is never 0
  }

  /** Index into {@link #constants} of the limit of stored key word {@code k}. */
  private int constantsOf(long k) {
    return ((int) (k >>> LIMIT_SHIFT) & limitIndexMask) << 2;
  }

  /**
   * True if a full bucket of stored key word {@code k} may be forgotten: its limit starts new keys
   * full, so the key returns as it left. A limit with fewer initial permits would return it poorer.
   */
  private boolean forgettable(long k) {
    return constants[constantsOf(k) + 3] == 0;
  }

  /** The index of {@code key}'s limit: 0, or limitPerKey's answer, registered if new. */
  private int limitIndexOf(K key) {
    if (limitPerKey == null) {
      return 0;
    }
    Limit l = limitPerKey.apply(key);
    if (l == null) {
      throw new NullPointerException("limitPerKey returned null");
    }
    int n = limitCount; // volatile: the limits and constants below it are published
    for (int i = 0; i < n; i++) {
      if (limits[i].equals(l)) {
        return i;
      }
    }
    synchronized (limitsLock) {
      n = limitCount;
      for (int i = 0; i < n; i++) {
        if (limits[i].equals(l)) {
          return i;
        }
      }
      if (n == MAX_LIMITS) {
        throw new IllegalStateException(
            "limitPerKey returned more than " + MAX_LIMITS + " distinct limits: " + l);
      }
      try {
        register(n, l);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "limitPerKey returned a limit GCRA cannot enforce: " + e.getMessage(), e);
      }
      limitCount = n + 1; // volatile: publishes limits[n] and its constants
      return n;
    }
  }

  /** Checks {@code l} for GCRA and writes it and its constants at index i (not yet published). */
  private void register(int i, Limit l) {
    long interval = GcraLimiter.checkedIntervalOf(l); // IAE: fractional under 1 µs, or too long
    constants[4 * i] = interval;
    constants[4 * i + 1] = l.capacity() * interval;
    constants[4 * i + 2] = l.capacity();
    constants[4 * i + 3] = (l.capacity() - l.initialPermits()) * interval;
    limits[i] = l;
  }

  private int segmentOf(long kw) {
    return (int) (kw >>> 32) & segmentMask; // high bits; the slot index uses the low bits
  }

  private long elapsed() {
    return Math.max(0, ticker.read() - origin); // wrap-safe; a clock behind the origin counts as 0
  }

  /** Checks what can be checked before the key's limit is known. */
  private void checkPermits(long permits) {
    if (permits < 1 || (limitPerKey == null && permits > constants[2])) {
      throw new IllegalArgumentException(
          limitPerKey == null
              ? "permits must be between 1 and the capacity " + constants[2] + ": " + permits
              : "permits must be at least 1: " + permits);
    }
  }

  /** A request beyond its key's capacity: it could never pass. */
  private static IllegalArgumentException tooManyPermits(long permits, long capacity) {
    return new IllegalArgumentException(
        "permits must be between 1 and the key's capacity " + capacity + ": " + permits);
  }

  /** Volatile read of a slot's key: ordered after the TAT read that precedes it. */
  private static long keyVolatile(long[] t, int i) {
    return (long) SLOT.getVolatile(t, 2 * i);
  }

  /** Volatile read of a slot's TAT: pairs with the CAS of whoever admitted the permits in it. */
  private static long tatVolatile(long[] t, int i) {
    return (long) SLOT.getVolatile(t, 2 * i + 1);
  }

  /** Volatile write of a key: visible before the TAT that releases the slot. */
  private static void setKeyVolatile(long[] t, int i, long kw) {
    SLOT.setVolatile(t, 2 * i, kw);
  }

  /** Volatile write of a TAT: releases a slot claimed with BUSY. */
  private static void setTatVolatile(long[] t, int i, long tat) {
    SLOT.setVolatile(t, 2 * i + 1, tat);
  }

  /** Volatile compare-and-exchange of a TAT, returning the value found. */
  private static long exchangeTat(long[] t, int i, long expected, long next) {
    return (long) SLOT.compareAndExchange(t, 2 * i + 1, expected, next);
  }
}
