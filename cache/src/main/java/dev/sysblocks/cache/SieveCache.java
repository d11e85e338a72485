package dev.sysblocks.cache;

import dev.sysblocks.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A bounded cache with the SIEVE policy: a FIFO queue in which a hit only sets a "visited" bit, and
 * a hand that walks from old to new entries, clearing bits, and evicts the first unvisited entry it
 * meets. Built by {@link CacheBuilder} with {@link EvictionPolicy#SIEVE}.
 *
 * <p>Hits take no lock and allocate nothing. A write enters the map at once and is applied to the
 * queue from a write buffer, by whichever thread wins the eviction lock with {@code tryLock};
 * writers never wait for one another's evictions. On one thread with the default executor every
 * write is applied before {@code put} returns, so the policy and the size bound are exact; under
 * concurrency, or while a pooled drain is pending, the map may briefly hold more entries than the
 * maximum, and the size bound is exact once the buffer is drained ({@link #cleanUp()}).
 */
final class SieveCache<K, V> extends AbstractCache<K, V> {

  /*
   * Problem. LRU moves an entry on every hit, which costs a lock or the buffers of LruCache. FIFO
   * never moves anything -- a hit is free -- but evicts popular entries just because they are old.
   *
   * Idea (Zhang et al., NSDI 2024 [1]). Keep FIFO's insertion order, add one bit. A hit sets
   * `visited`. To evict, a hand starts where it last stopped (initially at the oldest entry) and
   * walks towards newer entries: a visited entry has its bit cleared and is passed over -- it stays
   * in place, unlike CLOCK, which would move it to the head -- and the first unvisited one is
   * evicted. The hand wraps from the newest back to the oldest. New entries enter at the head,
   * unvisited, so one-hit wonders that arrive in a burst are evicted quickly ("quick demotion"),
   * while entries that were hit survive one more pass of the hand ("lazy promotion").
   *
   *     newest                                         oldest
   *     head -> [e:0] -> [d:1] -> [c:0] -> [b:1] -> [a:1] <- tail
   *                                 ^ evicted     ^ hand (cleared to 0, passed over)
   *
   * Worked example (maximum 3). put a b c; get a; put d: the hand starts at a (oldest), visited:
   * clear it and move to b, unvisited: evict b; hand rests at c. Queue: d c a. put e: hand at c,
   * unvisited: evict c. Queue e d a -- a, hit once, has outlived two newer unvisited entries; LRU
   * would have evicted b then c as well here, but on a stream of one-hit wonders SIEVE evicts
   * them sooner.
   *
   * Write path. As in S3FifoCache and LruCache (after Caffeine [3]): put inserts a new node into
   * the map with putIfAbsent, offers it to a WriteBuffer (a bounded ring that never drops) and asks
   * the shared DrainScheduler for a drain; the drain takes the eviction lock with tryLock and, per
   * buffered node, moves the hand until there is room, then links the node at the head. A writer
   * that finds the lock taken leaves its node to the drainer, who goes round again for it: nobody
   * parks. Only a full write buffer (writers outrunning drains) makes a writer wait for the lock
   * and apply its node itself. Invalidation and expiry retire the node from the map at once and
   * buffer its removal the same way. An update of a present key writes the value into the node in
   * place, under the node's monitor (MappedNode), and sets its bit like a hit: no lock, no buffer.
   * Before, every insert waited for one ReentrantLock with lock(): on two threads that miss often a
   * writer parks behind the other's eviction, and a park and unpark cost microseconds against the
   * hand's walk of nanoseconds.
   *
   *   t0  A: putIfAbsent(x), offer(x), IDLE -> PROCESSING_TO_IDLE, wins tryLock, links x
   *   t1  B: putIfAbsent(y), offer(y), PROCESSING_TO_IDLE -> PROCESSING_TO_REQUIRED, returns
   *   t2  A: its closing CAS fails, so round 2: the hand evicts one entry, y is linked; IDLE
   *   (if the cache was full, the map holds maximumSize + 1 entries from t1 to t2; y is readable
   *   from t1 on)
   *
   * Invariant. The list never holds more than maximumSize nodes, even transiently: each add evicts
   * before it links. Every node in the map is linked or has its add pending in the write buffer;
   * every linked node is in the map or has its removal pending. So the map exceeds the maximum by
   * at most the adds not yet linked: a write buffer's capacity, one per writer between its
   * putIfAbsent and its offer (or holding its add while it waits for the lock with a full buffer),
   * and the one a drain is applying; by none once drained (BufferedWritePathStressTest checks the
   * bound after eight writers ran and the cache drained). The hand is null or a linked node.
   * Write events are idempotent: an add links a live, unlinked node; a removal unlinks a retired,
   * linked one; so an add and a removal of one node may be replayed in either order. The hand takes
   * a retired node it meets (its removal still buffered) as the victim: room made, no eviction
   * counted, since invalidate or expiry already removed it from the map.
   *
   * Exactness. On one thread with the default executor each write drains its own event before
   * returning, so evictions and links happen in exactly the order of the lock-based version this
   * replaced; the map holds the new entry a moment before the eviction that makes room for it,
   * invisible to that thread. Replayed on the shared traces (TraceHitRatioTest) this class
   * reproduces the `sieve` column of reference-hit-ratios.csv, which the NSDI pseudo code
   * produced, and SieveCachePropertyTest compares queue order, hand and results with an eager
   * reference after every operation. SIEVE beats LRU on web07 and web12 at every size; on loops
   * and scans (loop, scan) it falls to 0 % like LRU and FIFO: pick Caffeine there.
   *
   * Cost. getIfPresent: one map lookup, one volatile read, and an opaque write of `visited` only
   * if it was clear -- a hot entry's cache line is not written on every hit; a miss also reads the
   * drain status (opaque). put of a new key: a node, a putIfAbsent, one CAS on the write buffer,
   * one or two on the drain status, and -- on the thread that drains -- an eviction that clears at
   * most one bit per entry it passes, amortized O(1) (each bit cleared was set by a hit). Measured
   * (CacheGetPutBenchmark, readZipf10pct, 2 forks, 2-core VM, JDK 17, 2026-12-07, the day's last
   * full run): two threads 319 ns against Caffeine's 353 (1.11x; an earlier run that day, 422
   * against 395, 0.93x); with every write under one lock, earlier that day, 771 against 257
   * (0.33x). One thread 48.9 ns against 94.6. Memory per entry: the map's entry, a
   * node of key, value, write time, two links, visited, linked and retired flags (40 bytes with
   * compressed oops); the write buffer is a fixed ring (4 bytes a slot, 128 slots per processor,
   * at most 4,096).
   *
   * Concurrency. The bit is a hint: a hit racing with the hand may be lost (the hand just cleared
   * it) or may save an entry the hand already passed -- either changes which entry is evicted, never
   * the structure. Opaque mode (S8) suffices because nothing else is published through the bit.
   * The list, its size and the hand belong to the holder of the eviction lock (DrainScheduler); a
   * node leaves the map only through retire() (MappedNode), so an update never lands in a removed
   * node. Readers may return a value that is concurrently being evicted; that read linearizes
   * before the eviction. A drain left REQUIRED is picked up by the next write or miss; a hit never
   * schedules one, so under hits alone the map may stay above the maximum by the adds buffered
   * when the writers stopped, until the next miss, write or cleanUp(). The links live in the node,
   * unlike LruCache's: SIEVE never moves an entry on a hit, so drains write only the links of the
   * newest entry (on an insert) and of the victim's neighbours, not those of hot entries on every
   * reorder. Loads run outside all of this (AbstractCache).
   *
   * Alternatives. LruCache (exact LRU when single-threaded, scan-vulnerable as well), S3FifoCache
   * (a small filter queue and a ghost: higher hit ratios on most traces, more memory and moving
   * parts), CaffeineCache (W-TinyLFU: scan-resistant; its hits are buffered like LruCache's).
   *
   * References.
   *  [1] Y. Zhang, J. Yang, Y. Yue, Y. Vigfusson, K. V. Rashmi, "SIEVE is Simpler than LRU: an
   *      Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI 2024,
   *      https://www.usenix.org/conference/nsdi24/presentation/zhang-yazhuo
   *  [2] https://cachemon.github.io/SIEVE-website/
   *  [3] B. Manes, "Design of a modern cache",
   *      http://highscalability.com/blog/2016/1/25/design-of-a-modern-cache.html
   */

  private static final VarHandle VISITED;

  static {
    try {
      VISITED = MethodHandles.lookup().findVarHandle(Node.class, "visited", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long maximumSize;
  private final long ttlNanos; // 0: no expiry, and no clock read on a hit
  private final ConcurrentHashMap<K, Node<K, V>> data = new ConcurrentHashMap<>();
  private final WriteBuffer<Node<K, V>> writeBuffer =
      new WriteBuffer<>(WriteBuffer.defaultCapacity());

  /** The drain status and the eviction lock, in their own padded object (see LruCache). */
  private final DrainScheduler drains;

  /** Guarded by the eviction lock; padded, as a drain writes the size and hand on every insert. */
  private final Fifo<K, V> queue = new Fifo<>();

  SieveCache(
      long maximumSize, long ttlNanos, Ticker ticker, boolean recordStats, Executor executor) {
    super(ticker, recordStats);
    this.maximumSize = maximumSize;
    this.ttlNanos = ttlNanos;
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
    markVisited(node);
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
      markVisited(prior); // an update is a use
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
      Fifo<K, V> q = queue;
      for (Node<K, V> n = q.head; n != null; ) {
        Node<K, V> next = n.next;
        n.prev = null;
        n.next = null;
        n.linked = false;
        n = next;
      }
      q.head = null;
      q.tail = null;
      q.hand = null;
      q.size = 0;
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

  private static void markVisited(Node<?, ?> node) {
    if (!(boolean) VISITED.getOpaque(node)) {
      VISITED.setOpaque(node, true); // a hint for the hand; written only when it changes
    }
  }

  /** Records an add (a live node) or a removal (a retired one) for the queue. */
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
      if (node.linked) {
        queue.unlink(node);
      }
    } else if (!node.linked) {
      while (queue.size >= maximumSize) {
        evict();
      }
      queue.linkFirst(node);
    }
  }

  /** Moves the hand to the first unvisited entry, clearing bits on the way, and evicts it. */
  private void evict() {
    Fifo<K, V> q = queue;
    Node<K, V> node = q.hand == null ? q.tail : q.hand;
    // A retired node (its removal still buffered) is taken at once: it has already left the map.
    while (!node.retired && (boolean) VISITED.getOpaque(node)) {
      VISITED.setOpaque(node, false);
      node = node.prev == null ? q.tail : node.prev;
    }
    q.hand = node;
    q.unlink(node); // moves the hand on to node.prev, the next newer entry
    if (retire(node)) {
      stats.recordEviction();
    }
    // else: invalidated or expired before the hand reached it; its removal event is now a no-op
  }

  // ---------------------------------------------------------------------------------------------
  // Test hooks
  // ---------------------------------------------------------------------------------------------

  /** Test hook: the keys from newest to oldest. Drains first. */
  List<K> keysNewestFirst() {
    return drains.drainedRead(
        () -> {
          List<K> keys = new ArrayList<>();
          for (Node<K, V> n = queue.head; n != null; n = n.next) {
            keys.add(n.key);
          }
          return keys;
        });
  }

  /** Test hook: the key under the hand, or null if it rests past the newest entry. Drains first. */
  K handKey() {
    return drains.drainedRead(() -> queue.hand == null ? null : queue.hand.key);
  }

  /** Test hook: the queue's length as the policy counts it, after a drain. */
  long linkedSize() {
    return drains.drainedRead(() -> queue.size);
  }

  // ---------------------------------------------------------------------------------------------
  // Policy state and nodes. Padding (S8): fields of a subclass are laid out after all of its
  // superclass's, so the fields between CachePadLeft and Fifo's own padding share no cache line.
  // ---------------------------------------------------------------------------------------------

  /** The queue, newest at head, and the hand; owned by the holder of the eviction lock. */
  abstract static class FifoFields<K, V> extends CachePadLeft {
    Node<K, V> head;
    Node<K, V> tail;

    /** The next entry the hand looks at; null means "start at the tail". */
    Node<K, V> hand;

    long size;
  }

  /** The queue with padding after it: a drain writes head, hand and size on every insert. */
  static final class Fifo<K, V> extends FifoFields<K, V> {
    @SuppressWarnings("unused")
    private long q01, q02, q03, q04, q05, q06, q07, q08;

    void linkFirst(Node<K, V> node) {
      node.next = head;
      if (head == null) {
        tail = node;
      } else {
        head.prev = node;
      }
      head = node;
      node.linked = true;
      size++;
    }

    void unlink(Node<K, V> node) {
      if (hand == node) {
        hand = node.prev; // the next newer entry; null means "wrap to the tail"
      }
      Node<K, V> prev = node.prev;
      Node<K, V> next = node.next;
      if (prev == null) {
        head = next;
      } else {
        prev.next = next;
      }
      if (next == null) {
        tail = prev;
      } else {
        next.prev = prev;
      }
      node.prev = null;
      node.next = null;
      node.linked = false;
      size--;
    }
  }

  /** An entry: in the map, and (once its add is replayed) in the queue. */
  static final class Node<K, V> extends MappedNode<K, V> {
    /** Set by hits, cleared by the hand; accessed only through VISITED (opaque). */
    @SuppressWarnings("unused")
    boolean visited;

    /** True while in the queue; guarded by the eviction lock. */
    boolean linked;

    // Guarded by the eviction lock; prev points to the next newer entry.
    Node<K, V> prev;
    Node<K, V> next;

    Node(K key, V value, long writeNanos) {
      super(key, value, writeNanos);
    }
  }
}
