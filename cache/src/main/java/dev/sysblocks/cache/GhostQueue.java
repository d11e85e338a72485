package dev.sysblocks.cache;

import java.util.Arrays;

/**
 * S3-FIFO's ghost queue: a bounded FIFO set of 64-bit key fingerprints, with removal from the
 * middle, that allocates nothing per insertion. It behaves exactly like an insertion-ordered {@code
 * LinkedHashMap} key set of at most {@code capacity} keys, where adding at the capacity first drops
 * the oldest keys, and adding a key already present changes nothing. Not thread-safe: its owner
 * calls it under a lock.
 */
final class GhostQueue {

  /*
   * Problem. S3FifoCache remembers the keys it recently dropped from its small queue: up to 0.9 x
   * the maximum size of them, inserted on every such drop, looked up and removed on every insert
   * of a new key. A LinkedHashMap<K, Boolean> did this with an entry object (40 bytes) per
   * insertion, garbage once the key ages out, and kept the dropped keys themselves alive.
   *
   * Idea. Store fingerprints, not keys, in two preallocated structures that grow by doubling:
   *  - a ring of longs in insertion order; a key removed from the middle leaves a hole (0);
   *  - an open-addressing table (linear probing, backward-shift deletion, so no tombstones)
   *    from fingerprint to its slot in the ring, to find and remove a key in O(1).
   * A nonzero ring slot and a table entry are the same ghost: the ring gives the order, the table
   * the lookup.
   *
   *   ring  [ 0 | f7 | f2 | 0 | f9 | f4 | .. ]   head -> f7 (oldest); two holes: removed f3, f5
   *   table { f7 -> 1, f2 -> 2, f9 -> 4, f4 -> 5 }   live = 4
   *
   * Holes are skipped when the oldest is dropped. When the ring is full, it is compacted in place
   * (live entries slide towards the head, in order) if at most half of it is live, else it
   * doubles, up to 2 x capacity; either way at least half of it is free afterwards, so the
   * O(ring) work is paid for by the insertions that filled that half: amortized O(1).
   *
   * Invariant. live = table size = nonzero ring slots between head and head + length; live <=
   * capacity; each table entry holds the ring index of its fingerprint.
   *
   * Fingerprints. fingerprint() mixes a Long key's own 64 bits, any other key's hashCode, through
   * a bijective 64-bit finalizer. Long keys (and Integer keys, whose hash code is the value) thus
   * get distinct fingerprints: no collision at all, and the ghost behaves exactly like the
   * LinkedHashMap it replaced -- TraceHitRatioTest replays Long keys and still reproduces the
   * reference to the second decimal. Other keys carry the 32 bits of their hashCode: two keys
   * with equal hash codes share a fingerprint, so with g ghosts a new key is wrongly "found" with
   * probability about g / 2^32 (2 in 10,000 for a million ghosts, for well-spread hash codes).
   * The only effect is a placement choice: that key enters the main queue instead of the small
   * one. (0 marks an empty slot, so the one input that mixes to 0 is moved to 1, sharing that
   * fingerprint with the one input that mixes to 1.)
   *
   * Cost. add, removeIfPresent: O(1) amortized, one or two probes at a load factor <= 1/2.
   * Memory: 8 bytes per ring slot (1 to 2 slots per ghost) and 12 bytes per table slot (2 to 4
   * per ghost), grown as the ghost fills, never shrunk: 32 to 64 bytes per ghost at the peak,
   * against a LinkedHashMap's ~44 plus the key object it keeps alive; no garbage per insertion.
   *
   * Alternatives. Exact keys in the same ring (an Object[]): no false hits, but keeps the keys
   * alive. A Bloom-style filter ("was it dropped recently?"): smaller, but cannot drop exactly the
   * oldest key, so S3-FIFO's results would change.
   */

  /** Ghosts are capped here so that the ring, 2 x capacity longs, stays an int-indexed array. */
  static final int MAX_CAPACITY = 1 << 29;

  /** Initial ring and table length: 16 slots (128 bytes each), grown on demand. */
  private static final int INITIAL_SLOTS = 16;

  /** Marks an empty ring slot and an empty table slot; never a fingerprint. */
  private static final long EMPTY = 0L;

  private final int capacity;

  private long[] ring;
  private int head; // index of the oldest slot
  private int length; // slots in use from head, holes included
  private int live;

  private long[] tableKeys; // fingerprints, EMPTY where free
  private int[] tableSlots; // the ring index of tableKeys[i]
  private int tableMask;

  /**
   * @param capacity the most fingerprints held; 0 disables the ghost; above {@link #MAX_CAPACITY}
   *     it is capped there
   */
  GhostQueue(long capacity) {
    this.capacity = (int) Math.max(0, Math.min(capacity, MAX_CAPACITY));
    this.ring = new long[Math.min(INITIAL_SLOTS, Math.max(2, 2 * this.capacity))];
    this.tableKeys = new long[INITIAL_SLOTS];
    this.tableSlots = new int[INITIAL_SLOTS];
    this.tableMask = INITIAL_SLOTS - 1;
  }

  /** The fingerprint of {@code key}; see the class comment for what it distinguishes. */
  static long fingerprint(Object key) {
    long h = key instanceof Long l ? l : key.hashCode();
    // The MurmurHash3 64-bit finalizer: a bijection, every input bit affects every output bit.
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == EMPTY ? 1L : h;
  }

  /** The number of fingerprints held. */
  int size() {
    return live;
  }

  /**
   * Appends {@code fingerprint} as the newest ghost, first dropping the oldest ones while the ghost
   * is at its capacity; does nothing else if it is already held.
   */
  void add(long fingerprint) {
    if (capacity == 0) {
      return;
    }
    while (live >= capacity) {
      dropOldest();
    }
    if (find(fingerprint) >= 0) {
      return; // as LinkedHashMap.put of a present key: its place in the order stays
    }
    if (length == ring.length) {
      makeRoom();
    }
    int slot = wrap(head + length);
    ring[slot] = fingerprint;
    length++;
    live++;
    tableInsert(fingerprint, slot);
  }

  /** Removes {@code fingerprint} if held; returns whether it was. */
  boolean removeIfPresent(long fingerprint) {
    int i = find(fingerprint);
    if (i < 0) {
      return false;
    }
    ring[tableSlots[i]] = EMPTY; // a hole, skipped when it becomes the oldest
    tableDelete(i);
    live--;
    return true;
  }

  /** Forgets every ghost; keeps the arrays at their grown size. */
  void clear() {
    Arrays.fill(ring, EMPTY);
    Arrays.fill(tableKeys, EMPTY);
    head = 0;
    length = 0;
    live = 0;
  }

  /** Test hook: the fingerprints held, oldest first. */
  long[] fingerprintsOldestFirst() {
    long[] out = new long[live];
    int w = 0;
    for (int i = 0, r = head; i < length; i++, r = wrap(r + 1)) {
      if (ring[r] != EMPTY) {
        out[w++] = ring[r];
      }
    }
    return out;
  }

  private void dropOldest() {
    for (; ; ) {
      long f = ring[head];
      ring[head] = EMPTY;
      head = wrap(head + 1);
      length--;
      if (f != EMPTY) {
        tableDelete(find(f));
        live--;
        return;
      }
    }
  }

  /** The ring is full: compact it if at most half is live, else double it. */
  private void makeRoom() {
    if (2 * (live + 1) <= ring.length) {
      compactInPlace();
    } else {
      long[] bigger = new long[(int) Math.min(2L * capacity, 2L * ring.length)];
      int w = 0;
      for (int i = 0, r = head; i < length; i++, r = wrap(r + 1)) {
        long f = ring[r];
        if (f != EMPTY) {
          bigger[w] = f;
          tableSlots[find(f)] = w;
          w++;
        }
      }
      ring = bigger;
      head = 0;
      length = w;
    }
  }

  /** Slides the live fingerprints towards the head, keeping their order; w never passes r. */
  private void compactInPlace() {
    int w = head;
    for (int i = 0, r = head; i < length; i++, r = wrap(r + 1)) {
      long f = ring[r];
      if (f == EMPTY) {
        continue;
      }
      if (w != r) {
        ring[w] = f;
        ring[r] = EMPTY;
        tableSlots[find(f)] = w;
      }
      w = wrap(w + 1);
    }
    length = live;
  }

  private int wrap(int index) {
    return index >= ring.length ? index - ring.length : index;
  }

  // ---------------------------------------------------------------------------------------------
  // The table: linear probing over a power-of-two array, load factor <= 1/2
  // ---------------------------------------------------------------------------------------------

  /** The table index holding {@code fingerprint}, or -1. */
  private int find(long fingerprint) {
    for (int i = home(fingerprint); ; i = (i + 1) & tableMask) {
      long k = tableKeys[i];
      if (k == fingerprint) {
        return i;
      }
      if (k == EMPTY) {
        return -1;
      }
    }
  }

  /** The fingerprint is already well mixed: its low bits are as good as any. */
  private int home(long fingerprint) {
    return ((int) fingerprint) & tableMask;
  }

  private void tableInsert(long fingerprint, int slot) {
    if (2 * live > tableKeys.length) { // live already counts this one
      growTable();
    }
    int i = home(fingerprint);
    while (tableKeys[i] != EMPTY) {
      i = (i + 1) & tableMask;
    }
    tableKeys[i] = fingerprint;
    tableSlots[i] = slot;
  }

  /** Deletes entry i, shifting later entries of its probe run back so no tombstone is needed. */
  private void tableDelete(int i) {
    int hole = i;
    for (int j = (hole + 1) & tableMask; tableKeys[j] != EMPTY; j = (j + 1) & tableMask) {
      int h = home(tableKeys[j]);
      // Entry j may move into the hole unless its home lies cyclically in (hole, j].
      boolean homeBetween = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!homeBetween) {
        tableKeys[hole] = tableKeys[j];
        tableSlots[hole] = tableSlots[j];
        hole = j;
      }
    }
    tableKeys[hole] = EMPTY;
  }

  private void growTable() {
    long[] oldKeys = tableKeys;
    int[] oldSlots = tableSlots;
    tableKeys = new long[oldKeys.length * 2];
    tableSlots = new int[oldKeys.length * 2];
    tableMask = tableKeys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      long k = oldKeys[i];
      if (k != EMPTY) {
        int j = home(k);
        while (tableKeys[j] != EMPTY) {
          j = (j + 1) & tableMask;
        }
        tableKeys[j] = k;
        tableSlots[j] = oldSlots[i];
      }
    }
  }
}
