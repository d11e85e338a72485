package dev.sysblocks.cache;

import dev.sysblocks.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A bounded cache with the S3-FIFO policy: new entries wait in a small FIFO queue, and only those
 * hit at least twice there move on to the main queue; the keys of the others are remembered in a
 * ghost queue, and come straight back into the main queue if they are asked for again soon. Built
 * by {@link CacheBuilder} with {@link EvictionPolicy#S3_FIFO}.
 *
 * <p>Hits take no lock and allocate nothing. A write enters the map at once and is applied to the
 * queues from a write buffer, by whichever thread wins the eviction lock with {@code tryLock};
 * writers never wait for one another's evictions. On one thread with the default executor every
 * write is applied before {@code put} returns, so the policy and the size bound are exact; under
 * concurrency, or while a pooled drain is pending, the map may briefly hold more entries than the
 * maximum, and the size bound is exact once the buffer is drained ({@link #cleanUp()}).
 */
final class S3FifoCache<K, V> extends AbstractCache<K, V> {

  /*
   * Problem. Most objects in real traces are requested once or twice ("one-hit wonders": about half
   * the keys of web07). LRU and SIEVE give each of them a full trip through the cache before it is
   * evicted, pushing out entries that would have been hit again.
   *
   * Idea (Yang et al., SOSP 2023 [1]). Three FIFO queues. S, small (10 % of the capacity): every
   * new entry goes here. M, main (the remaining 90 %). G, ghost: keys only, as many as 90 % of
   * the capacity, of entries recently dropped from S. Each entry has a 2-bit counter, incremented
   * (up to 3) by each hit and never by a lock. When the cache is full:
   *  - if S holds at least its share (or M is empty), look at S's oldest entry: if it was hit more
   *    than once, move it to M (counter reset to 0) and look again; otherwise drop it, and put its
   *    key into G;
   *  - else look at M's oldest entry: if its counter is non-zero, decrement it and reinsert it at
   *    M's head (a 2-bit CLOCK); otherwise evict it.
   * A missed key found in G goes straight into M: it was evicted from S too early.
   *
   *   new key --> [ S: small FIFO ] --hit > 1--> [ M: main FIFO, 2-bit clock ] --freq 0--> evicted
   *                      |  hit <= 1                ^
   *                      v                          | miss of a key in G
   *               [ G: ghost keys ] ----------------+
   *
   * Worked example (maximum 10: S's share 1, M's 9, G's 9; S3FifoCacheTest replays it). Keys 1..10
   * arrive: the cache is not full, so all wait in S, beyond its share. 2 and 3 are hit twice each.
   * 11 arrives: the cache is full and S over its share, so S's oldest, 1 (never hit), is dropped
   * and its key goes to G. 12 arrives: S's oldest are 2 and 3, hit twice, so they move to M; the
   * next, 4, is dropped to G. Then 1 is requested again: a miss, but found in G, so after dropping
   * 5 from S it enters M directly. Resident now: S = 12..6, M = 1 3 2; G = 4 5. A scan of keys
   * seen once churns through S and G only; what reached M stays.
   *
   * Write path. As in LruCache (after Caffeine [3]): put inserts a new node into the map with
   * putIfAbsent, offers it to a WriteBuffer (a bounded ring that never drops) and asks the shared
   * DrainScheduler for a drain; the drain takes the eviction lock with tryLock and, per buffered
   * node, evicts until there is room, then links the node into S (or M, if G knew its key). A
   * writer that finds the lock taken leaves its node to the drainer, who goes round again for it:
   * nobody parks. Only a full write buffer (writers outrunning drains) makes a writer wait for the
   * lock and apply its node itself. An update of a present key writes the value into the node in
   * place, under the node's monitor, and bumps its counter like a hit: no lock, no buffer, no
   * allocation.
   *
   * Queues. S and M are ArrayDeques of node references, not links inside the nodes. An eviction
   * pass reinserts M's hot entries again and again (every counter > 0 buys one); with intrusive
   * links each reinsertion wrote into four nodes -- its own links and its neighbours' -- whose
   * cache lines readers on other cores load on every hit (key, value); with a deque it writes
   * array slots only, and the drain reads the queue sequentially. A removed entry (invalidate,
   * expiry) cannot be unlinked from a deque in O(1): its node is marked NONE and left in place,
   * skipped when it reaches the head; when such holes outnumber the live entries (plus 64) both
   * deques are compacted, O(length) paid for by the removals that made the holes. G is a
   * GhostQueue: a ring of 64-bit key fingerprints and an open-addressing table over it,
   * no allocation per insertion, no keys kept alive; for Long and Integer keys it is exact,
   * other keys may share a fingerprint with probability about ghosts / 2^32 (see GhostQueue).
   *
   * Invariant. After a drain: size(S) + size(M) <= maximumSize, where the sizes count linked,
   * non-retired nodes; every node in the map is linked or has its add pending in the write buffer;
   * every linked node is in the map or has its removal pending. A node leaves the map only through
   * retire() (under its monitor, marking it retired), so a put never writes into a removed node.
   * Write events are idempotent: an add links a live, unlinked node; a removal unlinks a retired,
   * linked one; so an add and a removal of one node may be replayed in either order.
   *
   * Exactness. On one thread with the default executor each put drains its own add before
   * returning: evictions, ghost lookups and links happen in exactly the order of the lock-based
   * version this replaced, which TraceHitRatioTest checks (the `s3fifo` column of
   * reference-hit-ratios.csv to the second decimal, every row). The map holds the new entry a
   * moment before the eviction that makes room for it, invisible to that thread.
   *
   * Cost. getIfPresent: one map lookup, one volatile read, and an opaque write of the counter
   * only if it is below 3; a miss also reads the drain status (opaque). put of a new key: a node,
   * a putIfAbsent, one CAS on the write buffer, one or two on the drain status, and -- on the
   * thread that drains -- O(1) amortized policy work (each move or reinsertion was paid for by a
   * hit, each hole skipped by a removal). Measured (CacheGetPutBenchmark, readZipf10pct, 2 forks,
   * 2-core VM, JDK 17, 2026-12-07, the day's last full run): two threads 357 ns against Caffeine's
   * 353 (0.99x), one thread 124 against 95. Not stable: an earlier full run that day gave 1,504
   * ns against 395, its iterations alternating between spells near 0.3 and of 1 to 3 us; the
   * last run, and about 150 iterations of single forks that day, showed no such spell, while
   * Caffeine's own iterations ranged from 161 to 567 ns in those forks. Instrumented once (not
   * kept): on two threads, drains held the eviction lock for 0.66 to 0.95 s of every second,
   * about 600 ns of lock time per insert, where a whole operation on one thread takes about 60.
   * Most likely that is cache lines moving between the cores (nodes, map bins, ghost table,
   * deques, the status word), not more instructions; this VM has no hardware counters to show it.
   * Memory per entry: the map's entry; a node of key, value, write time, counter, retired flag
   * and queue tag (40 bytes with compressed oops); a reference slot in S's or M's deque (4 bytes,
   * up to twice that as a deque doubles, and S's deque keeps the size it reached while the cache
   * filled). G: 32 to 64 bytes per remembered key, up to 0.9 x maximumSize of them.
   *
   * Concurrency. Counters are hints, like SIEVE's bit: a racing increment may be lost, or land on
   * an entry the eviction just passed; that changes a choice, never the structure. Opaque mode
   * (S8) suffices, nothing is published through them. Queues, sizes and G belong to the holder of
   * the eviction lock (DrainScheduler). Readers may return a value that is concurrently being
   * evicted; that read linearizes before the eviction. A drain left REQUIRED is picked up by the
   * next write or miss; a hit never schedules one (keeping hits to the map lookup and the
   * counter), so under hits alone pending adds wait, and the map may stay above the maximum by the
   * adds that were buffered when the writers stopped, until the next miss, write or cleanUp().
   *
   * Alternatives. SieveCache (one queue, one bit: simpler, a little lower hit ratio, no ghost
   * memory; the same buffered write path), LruCache, CaffeineCache (frequency sketch instead of
   * queues: the most robust, the most machinery).
   *
   * References.
   *  [1] J. Yang, Y. Zhang, Z. Qiu, Y. Yue, K. V. Rashmi, "FIFO queues are all you need for cache
   *      eviction", SOSP 2023, https://dl.acm.org/doi/10.1145/3600006.3613147
   *  [2] Caffeine simulator, S3FifoPolicy (the configuration of the reference column),
   *      https://github.com/ben-manes/caffeine/tree/master/simulator
   *  [3] B. Manes, "Design of a modern cache",
   *      http://highscalability.com/blog/2016/1/25/design-of-a-modern-cache.html
   */

  /** Share of the capacity for the small queue: 10 %, the paper's and the reference's default. */
  private static final double SMALL_SHARE = 0.1;

  /** Ghost keys remembered, as a share of the capacity: 90 %, the reference's default. */
  private static final double GHOST_SHARE = 0.9;

  /** Counters saturate here: 2 bits. */
  private static final int MAX_FREQUENCY = 3;

  /** An entry leaves S for M when hit more often than this while in S. */
  private static final int MOVE_TO_MAIN_THRESHOLD = 1;

  /**
   * Holes (removed nodes left in the deques) tolerated beyond the number of live entries before the
   * deques are compacted: 64 keeps a tiny cache from compacting on every removal.
   */
  private static final long HOLE_SLACK = 64;

  /** Node.queue: not linked (never yet, or no longer). */
  private static final byte NONE = 0;

  /** Node.queue: linked in S. */
  private static final byte SMALL = 1;

  /** Node.queue: linked in M. */
  private static final byte MAIN = 2;

  private static final VarHandle FREQUENCY;

  static {
    try {
      FREQUENCY = MethodHandles.lookup().findVarHandle(Node.class, "frequency", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long maximumSize;
  private final long maxSmall;
  private final long maxMain;
  private final long ttlNanos; // 0: no expiry, and no clock read on a hit
  private final ConcurrentHashMap<K, Node<K, V>> data = new ConcurrentHashMap<>();
  private final WriteBuffer<Node<K, V>> writeBuffer =
      new WriteBuffer<>(WriteBuffer.defaultCapacity());

  /** The drain status and the eviction lock, in their own padded object (see LruCache). */
  private final DrainScheduler drains;

  /** Guarded by the eviction lock; padded, as a drain writes its sizes on every insert. */
  private final Queues<K, V> queues;

  S3FifoCache(
      long maximumSize, long ttlNanos, Ticker ticker, boolean recordStats, Executor executor) {
    super(ticker, recordStats);
    this.maximumSize = maximumSize;
    this.maxSmall = (long) (maximumSize * SMALL_SHARE); // floor, as in the reference
    this.maxMain = maximumSize - maxSmall;
    this.ttlNanos = ttlNanos;
    this.queues = new Queues<>(new GhostQueue((long) (maximumSize * GHOST_SHARE)));
    this.drains = new DrainScheduler(this::drainOnce, executor);
  }

  // ---------------------------------------------------------------------------------------------
  // Cache operations
  // ---------------------------------------------------------------------------------------------

  @Override
  public V getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    Node<K, V> node = data.get(key);
    if (node == null) {
      stats.recordMiss();
      drains.scheduleIfRequired();
      return null;
    }
    V value = node.value;
    if (ttlNanos != 0 && ticker.read() - node.writeNanos >= ttlNanos) {
      stats.recordMiss();
      expire(node);
      return null;
    }
    recordHit(node);
    stats.recordHit();
    return value;
  }

  @Override
  V peek(K key) {
    Node<K, V> node = data.get(key);
    if (node == null) {
      return null;
    }
    V value = node.value; // first: the volatile read publishes writeNanos
    return ttlNanos != 0 && ticker.read() - node.writeNanos >= ttlNanos ? null : value;
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long now = ttlNanos == 0 ? 0 : ticker.read();
    for (; ; ) {
      Node<K, V> prior = data.get(key);
      if (prior == null) {
        Node<K, V> fresh = new Node<>(key, value, now);
        prior = data.putIfAbsent(key, fresh);
        if (prior == null) {
          afterWrite(fresh);
          return;
        }
      }
      // In place, under the node's monitor (MappedNode): never into a node that left the map.
      if (!prior.updateIfLive(value, now)) {
        continue; // removed since our get: look again, and insert if the key is now absent
      }
      recordHit(prior); // an update is a use
      return;
    }
  }

  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    Node<K, V> node = data.get(key);
    if (node != null && retire(node)) {
      afterWrite(node);
    }
    // else: absent, or removed by someone else after our get; either way the key was absent at
    // some instant during this call, which is all invalidate promises
  }

  @Override
  public void invalidateAll() {
    ReentrantLock lock = drains.lock();
    lock.lock();
    try {
      drains.drainLocked();
      for (Node<K, V> node : data.values()) {
        retire(node);
      }
      // Every linked node is now retired (those put since are not linked yet: their adds wait in
      // the buffer). Unlink them all, so that their pending removals, if any, find nothing to do.
      Queues<K, V> q = queues;
      for (Node<K, V> node : q.small) {
        node.queue = NONE;
      }
      for (Node<K, V> node : q.main) {
        node.queue = NONE;
      }
      q.small.clear();
      q.main.clear();
      q.sizeSmall = 0;
      q.sizeMain = 0;
      q.holes = 0;
      q.ghost.clear();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long estimatedSize() {
    return data.mappingCount();
  }

  @Override
  public void cleanUp() {
    drains.drainNow();
  }

  // ---------------------------------------------------------------------------------------------
  // Recording events
  // ---------------------------------------------------------------------------------------------

  private static void recordHit(Node<?, ?> node) {
    int f = (int) FREQUENCY.getOpaque(node);
    if (f < MAX_FREQUENCY) {
      FREQUENCY.setOpaque(node, f + 1); // a hint; a lost increment only changes a choice
    }
  }

  /** Records an add (a live node) or a removal (a retired one) for the queues. */
  private void afterWrite(Node<K, V> node) {
    drains.afterWrite(writeBuffer, node, applyUnderLock);
  }

  /** What a writer that found the write buffer full does under the lock (DrainScheduler). */
  private final Consumer<Node<K, V>> applyUnderLock = this::applyWrite;

  private void expire(Node<K, V> node) {
    if (retire(node)) {
      stats.recordEviction();
      afterWrite(node);
    }
  }

  /** See MappedNode: the only way an entry leaves the map. */
  private boolean retire(Node<K, V> node) {
    return node.retireFrom(data);
  }

  // ---------------------------------------------------------------------------------------------
  // Policy: only with the eviction lock held
  // ---------------------------------------------------------------------------------------------

  /** One round of the drain (DrainScheduler calls it): every buffered write, in order. */
  private void drainOnce() {
    for (Node<K, V> node; (node = writeBuffer.poll()) != null; ) {
      applyWrite(node);
    }
  }

  /** Replays a write event; idempotent, see the Invariant above. */
  private void applyWrite(Node<K, V> node) {
    if (node.retired) {
      if (node.queue != NONE) {
        unlinkRemoved(node);
      }
    } else if (node.queue == NONE) {
      insert(node);
    }
  }

  /** Makes room, then links a new node into S, or into M if G remembers its key. */
  private void insert(Node<K, V> node) {
    Queues<K, V> q = queues;
    while (q.sizeSmall + q.sizeMain >= maximumSize) {
      evict();
    }
    if (q.ghost.removeIfPresent(GhostQueue.fingerprint(node.key))) {
      node.queue = MAIN;
      q.main.addLast(node);
      q.sizeMain++;
    } else {
      node.queue = SMALL;
      q.small.addLast(node);
      q.sizeSmall++;
    }
  }

  private void evict() {
    Queues<K, V> q = queues;
    // "sizeSmall > 0" is ours: with fewer than 10 entries maxSmall is 0, and the reference's test
    // alone would pick an empty S forever once M is full. It changes nothing when maxSmall >= 1.
    if ((q.sizeSmall >= maxSmall && q.sizeSmall > 0) || q.sizeMain == 0) {
      evictFromSmall();
    } else {
      evictFromMain();
    }
  }

  private void evictFromSmall() {
    Queues<K, V> q = queues;
    while (q.sizeSmall > 0) {
      Node<K, V> victim = q.small.pollFirst();
      if (victim.queue != SMALL) {
        q.holes--; // removed earlier, left in place
        continue;
      }
      q.sizeSmall--;
      if (victim.retired) {
        victim.queue = NONE; // invalidated or expired, its removal still buffered: room made
        return;
      }
      if ((int) FREQUENCY.getOpaque(victim) > MOVE_TO_MAIN_THRESHOLD) {
        FREQUENCY.setOpaque(victim, 0); // starts afresh in M, as in the reference
        victim.queue = MAIN;
        q.main.addLast(victim);
        q.sizeMain++;
        if (q.sizeMain > maxMain) {
          evictFromMain();
        }
      } else {
        victim.queue = NONE;
        if (retire(victim)) {
          stats.recordEviction();
          q.ghost.add(GhostQueue.fingerprint(victim.key));
        }
        return;
      }
    }
  }

  private void evictFromMain() {
    Queues<K, V> q = queues;
    while (q.sizeMain > 0) {
      Node<K, V> victim = q.main.pollFirst();
      if (victim.queue != MAIN) {
        q.holes--;
        continue;
      }
      if (victim.retired) {
        victim.queue = NONE;
        q.sizeMain--;
        return;
      }
      int f = (int) FREQUENCY.getOpaque(victim);
      if (f > 0) {
        FREQUENCY.setOpaque(victim, f - 1);
        q.main.addLast(victim); // reinserted: the 2-bit clock's second chance
      } else {
        victim.queue = NONE;
        q.sizeMain--;
        if (retire(victim)) {
          stats.recordEviction();
        }
        return;
      }
    }
  }

  /** A removed node leaves its deque lazily: marked NONE here, skipped at the head later. */
  private void unlinkRemoved(Node<K, V> node) {
    Queues<K, V> q = queues;
    if (node.queue == SMALL) {
      q.sizeSmall--;
    } else {
      q.sizeMain--;
    }
    node.queue = NONE;
    q.holes++;
    if (q.holes > q.sizeSmall + q.sizeMain + HOLE_SLACK) {
      q.small.removeIf(S3FifoCache::isUnlinked);
      q.main.removeIf(S3FifoCache::isUnlinked);
      q.holes = 0;
    }
  }

  private static boolean isUnlinked(Node<?, ?> node) {
    return node.queue == NONE;
  }

  // ---------------------------------------------------------------------------------------------
  // Test hooks
  // ---------------------------------------------------------------------------------------------

  /** Test hook: the resident keys of S, then of M, each newest first. Drains first. */
  List<K> residentKeys() {
    return drains.drainedRead(
        () -> {
          List<K> keys = new ArrayList<>();
          addLinkedNewestFirst(queues.small, keys);
          addLinkedNewestFirst(queues.main, keys);
          return keys;
        });
  }

  private static <K, V> void addLinkedNewestFirst(ArrayDeque<Node<K, V>> queue, List<K> keys) {
    for (Iterator<Node<K, V>> it = queue.descendingIterator(); it.hasNext(); ) {
      Node<K, V> node = it.next();
      if (node.queue != NONE) {
        keys.add(node.key);
      }
    }
  }

  /** Test hook: the number of ghost keys. Drains first. */
  int ghostSize() {
    return drains.drainedRead(() -> queues.ghost.size());
  }

  /** Test hook: S's and M's sizes as the policy counts them, after a drain. */
  long linkedSize() {
    return drains.drainedRead(() -> queues.sizeSmall + queues.sizeMain);
  }

  // ---------------------------------------------------------------------------------------------
  // Policy state and nodes
  // ---------------------------------------------------------------------------------------------

  /** The policy's state, owned by the holder of the eviction lock. */
  abstract static class QueuesFields<K, V> extends CachePadLeft {
    /** S, oldest first; may hold removed nodes (queue NONE), counted in holes. */
    final ArrayDeque<Node<K, V>> small = new ArrayDeque<>();

    /** M, oldest first; may hold removed nodes too. */
    final ArrayDeque<Node<K, V>> main = new ArrayDeque<>();

    final GhostQueue ghost;
    long sizeSmall;
    long sizeMain;
    long holes;

    QueuesFields(GhostQueue ghost) {
      this.ghost = ghost;
    }
  }

  /** The policy's state with padding after it: a drain writes the sizes on every insert. */
  static final class Queues<K, V> extends QueuesFields<K, V> {
    @SuppressWarnings("unused")
    private long q01, q02, q03, q04, q05, q06, q07, q08;

    Queues(GhostQueue ghost) {
      super(ghost);
    }
  }

  /** A resident entry: in the map, and (once its add is replayed) in S or in M. */
  static final class Node<K, V> extends MappedNode<K, V> {
    /** Hits, saturating at 3; accessed only through FREQUENCY (opaque). */
    @SuppressWarnings("unused")
    int frequency;

    /** NONE, SMALL or MAIN; guarded by the eviction lock. */
    byte queue;

    Node(K key, V value, long writeNanos) {
      super(key, value, writeNanos);
    }
  }
}
