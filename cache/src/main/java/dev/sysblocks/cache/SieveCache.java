package dev.sysblocks.cache;

import dev.sysblocks.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded cache with the SIEVE policy: a FIFO queue in which a hit only sets a "visited" bit, and
 * a hand that walks from old to new entries, clearing bits, and evicts the first unvisited entry it
 * meets. Built by {@link CacheBuilder} with {@link EvictionPolicy#SIEVE}.
 *
 * <p>Hits take no lock and allocate nothing. Writes and evictions take one lock. The size never
 * exceeds the maximum, even transiently.
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
   * Invariant. List and map hold the same nodes (every structural change happens under `lock`);
   * size == list length <= maximumSize at all times; the hand is null or a node in the list.
   *
   * Cost. getIfPresent: one map lookup, one volatile read, and an opaque write of `visited` only
   * if it was clear -- a hot entry's cache line is not written on every hit. put of a new key:
   * the lock, and an eviction that clears at most one bit per entry it passes, amortized O(1)
   * (each bit cleared was set by a hit). Memory per entry: key, value, two links, write time, bit.
   *
   * Hit ratio. Replayed on the shared traces (TraceHitRatioTest) this class reproduces the `sieve`
   * column of reference-hit-ratios.csv, which the NSDI pseudo code produced. SIEVE beats LRU on
   * web07 and web12 at every size; on loops and scans (loop, scan) it falls to 0 % like LRU and
   * FIFO, since nothing is hit twice before the hand reaches it: pick Caffeine there.
   *
   * Concurrency. The bit is a hint: a hit racing with the hand may be lost (the hand just cleared
   * it) or may save an entry the hand already passed -- either changes which entry is evicted, never
   * the structure. Opaque mode (S8) suffices because nothing else is published through the bit.
   * Updates of existing keys also take the lock, so a value is never written into a node that an
   * eviction has just removed. Loads run outside the lock (AbstractCache).
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
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock: the queue, newest at head, and the hand.
  private Node<K, V> head;
  private Node<K, V> tail;
  private Node<K, V> hand;
  private long size;

  SieveCache(long maximumSize, long ttlNanos, Ticker ticker, boolean recordStats) {
    super(ticker, recordStats);
    this.maximumSize = maximumSize;
    this.ttlNanos = ttlNanos;
  }

  @Override
  public V getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    Node<K, V> node = data.get(key);
    if (node == null) {
      stats.recordMiss();
      return null;
    }
    V value = node.value;
    if (ttlNanos != 0 && ticker.read() - node.writeNanos >= ttlNanos) {
      stats.recordMiss();
      expire(node);
      return null;
    }
    if (!(boolean) VISITED.getOpaque(node)) {
      VISITED.setOpaque(node, true); // a hint for the hand; written only when it changes
    }
    stats.recordHit();
    return value;
  }

  @Override
  V peek(K key) {
    Node<K, V> node = data.get(key);
    if (node == null) {
      return null;
    }
    V value = node.value;
    return ttlNanos != 0 && ticker.read() - node.writeNanos >= ttlNanos ? null : value;
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long now = ttlNanos == 0 ? 0 : ticker.read();
    lock.lock();
    try {
      Node<K, V> node = data.get(key);
      if (node != null) {
        node.writeNanos = now; // before the volatile write of value, which publishes it
        node.value = value;
        VISITED.setOpaque(node, true); // an update is a use
        return;
      }
      if (size >= maximumSize) {
        evict();
      }
      node = new Node<>(key, value, now);
      data.put(key, node);
      linkFirst(node);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      Node<K, V> node = data.remove(key);
      if (node != null) {
        unlink(node);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidateAll() {
    lock.lock();
    try {
      data.clear();
      head = null;
      tail = null;
      hand = null;
      size = 0;
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
    // Nothing is buffered: every write is applied under the lock when it is made.
  }

  private void expire(Node<K, V> node) {
    lock.lock();
    try {
      if (data.remove(node.key, node)) {
        unlink(node);
        stats.recordEviction();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves the hand to the first unvisited entry, clearing bits on the way, and evicts it. */
  private void evict() {
    Node<K, V> node = hand == null ? tail : hand;
    while ((boolean) VISITED.getOpaque(node)) {
      VISITED.setOpaque(node, false);
      node = node.prev == null ? tail : node.prev;
    }
    data.remove(node.key);
    hand = node;
    unlink(node); // moves the hand on to node.prev, the next newer entry
    stats.recordEviction();
  }

  private void linkFirst(Node<K, V> node) {
    node.next = head;
    if (head == null) {
      tail = node;
    } else {
      head.prev = node;
    }
    head = node;
    size++;
  }

  private void unlink(Node<K, V> node) {
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
    size--;
  }

  /** Test hook: the keys from newest to oldest. */
  List<K> keysNewestFirst() {
    lock.lock();
    try {
      List<K> keys = new ArrayList<>();
      for (Node<K, V> n = head; n != null; n = n.next) {
        keys.add(n.key);
      }
      return keys;
    } finally {
      lock.unlock();
    }
  }

  /** An entry of the queue. {@code prev} points to the next newer entry. */
  static final class Node<K, V> {
    final K key;
    volatile V value;

    /** Ticker reading of the last write; plain, published by the volatile write of value. */
    long writeNanos;

    /** Set by hits, cleared by the hand; accessed only through VISITED (opaque). */
    @SuppressWarnings("unused")
    boolean visited;

    // Guarded by the cache's lock.
    Node<K, V> prev;
    Node<K, V> next;

    Node(K key, V value, long writeNanos) {
      this.key = key;
      this.value = value;
      this.writeNanos = writeNanos;
    }
  }
}
