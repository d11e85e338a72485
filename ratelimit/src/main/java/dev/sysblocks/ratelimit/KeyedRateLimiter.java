package dev.sysblocks.ratelimit;

import dev.sysblocks.core.KeyHasher;
import dev.sysblocks.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 * <p>Each key is limited by GCRA (see {@link GcraLimiter}): a burst of the limit's capacity, then
 * the limit's rate. Thread-safe. A decision for a key already present takes no lock, and {@code
 * tryAcquire} allocates nothing; a key's first request takes a lock on one of up to 64 segments.
 * The table holds a key's 64-bit hash, not the key: two keys whose hashes collide share one limit
 * (stricter, never looser; with the default randomly seeded hash the chance is about n²/2^65 for n
 * live keys, 3·10^-6 at 10^7; with the seed secret, choosing keys that collide is not practical,
 * though XXH3 is not a keyed cryptographic function). A key whose bucket is full again is forgotten
 * at no cost to any decision. Only when more keys than {@code maximumKeys} (roughly, per segment)
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
   * Forgetting. A key whose TAT is in the past has a full bucket: it is indistinguishable from a key
   * never seen: a segment with no room left gives its slot to a new key on the same probe run, and
   * a rebuild drops it. That is how 10^7 one-off keys pass through a table sized for 10^5 without
   * changing any decision. Only when a segment at its largest size is 3/4 full of keys still paying
   * off a burst must keys be evicted: the segment is rebuilt at the same size, down to 5/8 full,
   * without the keys nearest to a full bucket (smallest TAT), which lose the fewest permits of
   * debt; a rebuild costs O(slots) and makes room for slots/8 new keys, so O(1) per new key. Failing closed instead (a newcomer
   * inheriting a victim's debt) was tried and rejected: under a flood the debts pile up slot after
   * slot and every new client is refused for minutes -- the attacker's goal, reached through the
   * limiter.
   *
   * Worked example. 100 per minute per client (T = 600 ms, capacity 100, tolerance 60 s), 10^6
   * maximum keys: 64 segments of at most 32,768 slots, 32 MiB when all are grown (33.6 B per
   * configured key); 10^5 live clients use about 64 x 4,096 slots = 4 MiB (42 B per live key). A
   * client that sent 100 requests at t = 0 has TAT = 60 s; at t = 60 s its bucket is full again and
   * its slot is free for reuse.
   *
   * Invariant (the slot protocol). A key and its TAT cannot be written in one atomic step, so a
   * decision must never commit against a slot that changed key under it. A slot changes key in
   * place only when its bucket is full (TAT < now), in three steps: (1) CAS tat -> BUSY, (2) write
   * the new hash, (3) write the new key's TAT, which is at least now: so a slot's TAT rises strictly
   * across a change of key, and never returns to a value it held. A decision reads the TAT, then
   * the hash, and commits with a CAS expecting that TAT: if the slot changed key in between, the TAT
   * differs and the CAS fails. A refusal writes nothing; it re-reads the TAT to check it still held.
   * Evicting a key in debt is never done in place: a rebuild marks every old slot MOVED (by CAS, so
   * no admission is lost) and publishes a new table without it.
   *
   * Cost. A hit: one key hash (XXH3, about 15-20 ns for a short string), one clock read, one volatile
   * read of the segment's table, a probe, one CAS. KeyedRateLimiterBenchmark (full mode, 2 forks,
   * JDK 17, 2-core AMD EPYC VM, quiet machine, Zipf over 10^5 and 10^6 client ids): 246 and 386 ns
   * on one thread, 3.0 and 3.7 times faster than Caffeine + Bucket4j; 274 and 371 ns per thread on
   * two threads, 6.4 times faster (the peer's cache maintenance contends). Cache misses on the table
   * and the key strings are the main cost (JFR: find and the key hash); under 15 B allocated per
   * decision on average, by the rebuilds that drop refilled keys. Heap: 33.8 B per live key at 10^6 keys, 40.1 at
   * 10^5 (KeyedMemoryFootprint), at most 43 B per configured key when all segments are grown
   * (maximumKeys of 12 or more; smaller tables have a 16-slot floor), and up to twice a segment's
   * table for the moment of its rebuild.
   *
   * Concurrency. Hits and refusals are lock-free. Inserting a key, reusing a slot and growing take
   * the segment's monitor; a reader that meets BUSY (a slot being rewritten, a few instructions) or
   * MOVED (a segment being rebuilt) yields and re-reads: the writer holding the monitor may have
   * been descheduled. A rebuild that fails (out of memory) puts the old slots back first.
   *
   * Alternatives. One limiter object per key in a ConcurrentHashMap (exact keys, unbounded memory),
   * or in Caffeine (bounded, with the costs above; needed if the limit must differ per key or be a
   * token bucket with several limits). Redis with a Lua GCRA script (shared by many servers; a
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

  private final Ticker ticker;
  private final Limit limit;
  private final ToLongFunction<? super K> keyHash;
  private final long origin;
  private final long interval;
  private final long capacity;
  private final long tolerance;

  /** TAT of a new key relative to now: 0 for a full bucket, more for fewer initial permits. */
  private final long initialDebt;

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
    this.interval = GcraLimiter.intervalOf(limit);
    this.capacity = limit.capacity();
    if (capacity > GcraLimiter.MAX_TOLERANCE_NANOS / interval) {
      throw new IllegalArgumentException(
          "capacity times the emission interval must be at most 2^62 ns (146 years): " + limit);
    }
    this.tolerance = capacity * interval;
    this.initialDebt = (capacity - limit.initialPermits()) * interval;
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
    long cost = permits * interval; // <= capacity * interval <= 2^62
    for (; ; ) {
      int result = tryAcquireIn(tables.get(seg), kw, now, cost);
      if (result >= 0) {
        return result == TAKEN;
      }
      if (result == ABSENT) {
        insert(seg, kw, now);
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
    long cost = permits * interval;
    for (; ; ) {
      long[] t = tables.get(seg);
      int slot = find(t, kw);
      if (slot == ABSENT) {
        insert(seg, kw, now);
        continue;
      }
      if (slot == RETRY) {
        continue;
      }
      long s = tatVolatile(t, slot);
      if (s == BUSY || s == MOVED || keyVolatile(t, slot) != kw) {
        continue; // a slot being rewritten or moved: find the key again
      }
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
   * Returns the permits {@code key} could take now (the capacity for a key not present). Only an
   * estimate under concurrency.
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
      int slot = find(t, kw);
      if (slot == ABSENT) {
        return Math.max(0, (tolerance - initialDebt) / interval);
      }
      if (slot == RETRY) {
        continue;
      }
      long s = tatVolatile(t, slot);
      if (s != BUSY && s != MOVED) {
        return Math.max(0, (now + tolerance - Math.max(s, now)) / interval);
      }
    }
  }

  /**
   * Returns every key's limit.
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
    return "KeyedRateLimiter[" + limit + ", " + keysHeld() + " keys]";
  }

  // ------------------------------------------------------------------------------------------------
  // The table
  // ------------------------------------------------------------------------------------------------

  private int tryAcquireIn(long[] t, long kw, long now, long cost) {
    int slot = find(t, kw);
    if (slot < 0) {
      return slot;
    }
    long s = tatVolatile(t, slot);
    for (; ; ) {
      if (s == BUSY || s == MOVED) {
        return RETRY;
      }
      if (keyVolatile(t, slot) != kw) {
        return RETRY; // the key lost this slot after find: look again
      }
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
   * The slot of {@code kw}, ABSENT, or RETRY if the table was moved or a slot is being rewritten.
   */
  private static int find(long[] t, long kw) {
    int mask = (t.length >>> 1) - 1;
    // Linear probing to the first empty slot; a table is never more than 3/4 full.
    for (int i = (int) kw & mask, probe = 0; probe <= mask; probe++, i = (i + 1) & mask) {
      long s = tatVolatile(t, i); // before the key: see the slot protocol in the essay
      long k = keyVolatile(t, i);
      if (k == kw) {
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

  /** Places {@code kw} in its segment unless present; growing, reusing or evicting as needed. */
  private void insert(int seg, long kw, long now) {
    Segment segment = segments[seg];
    synchronized (segment) {
      for (; ; ) {
        long[] t = tables.get(seg);
        int slots = t.length >>> 1;
        int mask = slots - 1;
        // The probe run from the key's home to the first empty slot: the only slots a lookup of
        // this key visits, so the only ones it may take.
        int empty = -1;
        int oldest = -1;
        long oldestTat = Long.MAX_VALUE;
        for (int i = (int) kw & mask, probe = 0; probe < slots; probe++, i = (i + 1) & mask) {
          long k = keyVolatile(t, i);
          if (k == kw) {
            return; // inserted by another thread meanwhile
          }
          if (k == 0) {
            empty = i;
            break;
          }
          long s = tatVolatile(t, i); // BUSY and MOVED need the monitor, which this thread holds
          if (s < oldestTat) {
            oldestTat = s;
            oldest = i;
          }
        }
        if (segment.occupied + 1 <= (long) (slots * MAX_LOAD)) {
          // Room: take the empty slot that ended the run. Keys with a full bucket stay until the
          // segment runs out of room; taking their slots earlier only sent them back through this
          // lock (two threads on a Zipf stream spent most of their time here).
          claim(t, empty, 0, kw, now + initialDebt);
          segment.occupied++;
          return;
        }
        if (oldest >= 0 && oldestTat < now && initialDebt == 0) {
          // No room, but a full bucket on the run is free to take: its key loses nothing.
          if (claim(t, oldest, oldestTat, kw, now + initialDebt)) {
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
   * if that freed half of it, else of twice the size up to the bound; at the bound, also drops the
   * keys with the smallest TATs down to {@link #EVICTED_LOAD}. The caller holds the segment's
   * monitor.
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
      if (keyVolatile(old, i) != 0 && (states[i] >= now || initialDebt != 0)) {
        kept++; // not empty, and not a full bucket (forgetting those changes no decision)
      }
    }
    // Same size if dropping the full buckets freed half the table, else twice the size up to the
    // bound. At the bound, when more than 5/8 of the slots are still in debt, evict down to 5/8,
    // so that a rebuild makes room for slots/8 new keys and costs O(1) per key amortized.
    int slots = kept + 1 <= oldSlots / 2 || oldSlots >= maxSlots ? oldSlots : 2 * oldSlots;
    int target = (int) (slots * EVICTED_LOAD);
    boolean evict = oldSlots >= maxSlots && kept > target;
    long threshold = Long.MIN_VALUE; // keys with a smaller TAT are evicted
    int tiesToEvict = 0; // and this many with a TAT equal to the threshold
    if (evict) {
      long[] sorted = new long[kept];
      int n = 0;
      for (int i = 0; i < oldSlots; i++) {
        if (keyVolatile(old, i) != 0 && (states[i] >= now || initialDebt != 0)) {
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
      if (k == 0 || (tat < now && initialDebt == 0)) {
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
    return h == 0 ? 1 : h; // 0 marks an empty slot
  }

  private int segmentOf(long kw) {
    return (int) (kw >>> 32) & segmentMask; // high bits; the slot index uses the low bits
  }

  private long elapsed() {
    return Math.max(0, ticker.read() - origin); // wrap-safe; a clock behind the origin counts as 0
  }

  private void checkPermits(long permits) {
    if (permits < 1 || permits > capacity) {
      throw new IllegalArgumentException(
          "permits must be between 1 and the capacity " + capacity + ": " + permits);
    }
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
