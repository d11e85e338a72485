package dev.sysblocks.cache;

import dev.sysblocks.core.Ticker;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The engine behind {@link StoreBackedCache} and {@link CacheAside}: single-flight loading from a
 * source, negative entries, and per-key guards that keep a load from caching a value older than a
 * write that overlapped it.
 */
final class GuardedCache<K, V> {

  /*
   * Strategies over a store: loads that cannot cache stale values
   * =============================================================
   * Problem. A cache in front of a store answers reads from memory and sends misses to the store.
   * Two things go wrong. (1) A stampede: 64 threads miss one hot key at once and send 64 identical
   * queries. (2) A stale fill: a load reads the store, a write (or an invalidation after an
   * out-of-band write) lands, and then the load puts what it read -- now older than the store --
   * into the cache, where it stays until it expires. (2) is the classic cache-aside race [1]:
   *
   *   t0  R: miss k; store.load(k) reads "v1"  ...slow...
   *   t1  W: store.write(k, "v2"); cache.invalidate(k)         (or cache.put(k, "v2"))
   *   t2  R: cache.put(k, "v1")     <- the cache now serves v1 while the store holds v2
   *
   * Idea. Single-flight, as in AbstractCache, for (1): the first missing caller places a future in
   * `loads`, loads, and completes it; the others join it. For (2), a per-key write counter (a
   * "stamp", after the lease tokens of [1]): a load reads the key's stamp before it calls the
   * store and, after the store answers, caches its result only if the stamp has not moved. Every
   * invalidation and every write moves the stamp under the key's lock, and the
   * stamp check plus the cache put run under the same lock, so "check, then put" cannot straddle
   * a write. In the figure, W moves the stamp at t1; at t2 R sees the move, returns "v1" to its
   * own caller (whose read overlapped the write, so either answer is linearizable) and caches
   * nothing; the next reader loads "v2".
   *
   * The counters live in KeyGuards: one Guard (a ReentrantLock and a long) per key that some
   * thread is using, created on first pin and dropped when the last user unpins. A load pins its
   * key from before reading the stamp until after its put, so a write that overlaps it finds the
   * same Guard; a write that overlaps no load may move the stamp of a fresh Guard that is then
   * dropped -- harmless, since no load was there to be stopped.
   *
   * Writes (write-through). Two writers of one key can interleave as badly as a load and a write:
   *
   *   t0  A: store.write(k, "a")            t1  B: store.write(k, "b"); cache.put(k, "b")
   *   t2  A: cache.put(k, "a")   <- the store holds "b" (B wrote last), the cache "a"
   *
   * So a write holds the key's lock from before its store write until after its cache update:
   * writes of one key are serialized, and reach the store and the cache in the same order. The
   * lock is per key (a Guard), so writers of other keys never wait; loads never take it across
   * the store call, so readers of the key are not blocked by a slow write unless they miss. If the
   * store write throws, the cache is not touched and the caller gets the exception; the stamp
   * still moves, because a failed write may have been applied (a timed-out commit) and a load
   * overlapping it must not cache a value the store may already have replaced. A write that
   * threw after being applied leaves the cache holding the previous value (or nothing) until it
   * expires or is written again: the caller, who got the exception, should retry or invalidate.
   *
   * Refresh-ahead. With a time-to-live T and a window W, a hit on an entry older than T - W
   * queues a background reload on the injected Executor and returns the old value at once; the
   * reload is a guarded load like any other, so it installs a fresh entry (with a fresh T) unless
   * a write overlapped it. A set of keys with a refresh queued keeps it to one per key. Worked
   * example: T = 60 s, W = 10 s, an entry cached at t = 0. Hits before t = 50 s do nothing; the
   * first hit at t >= 50 s queues one reload and returns the old value, as do the hits behind it;
   * the reload lands at, say, t = 50.2 s and the entry now lives to t = 110.2 s. A hot key is
   * thus never missed, and its readers never wait for the store:
   *
   *   t:  0 ........ 50 ....... 60          cached at 0, expires at 60
   *       [ serve  ][serve + refresh][gone]  without a hit in [50, 60) the entry just expires
   *
   * A failed or rejected refresh keeps the old value (until it expires) and is counted; the next
   * hit in the window tries again.
   *
   * Negative entries. An absent key can be cached as a Slot with a null value for its own time
   * to live (read through the cache's ticker on each negative hit), so a flood of lookups for a
   * key that does not exist (a scan for ids, a misbehaving client) reaches the store once per
   * TTL, not once per lookup. Worked example: with a 30 s negative TTL and 1,000 lookups a second
   * of one missing id, the store sees one load every 30 s instead of 30,000
   * (ReadThroughTest.negativeCachingRemembersAnAbsentKeyUntilItsTimeToLivePasses).
   *
   * Invariant. After a write or invalidation of k returns, the cache holds for k either nothing,
   * or a value put by a load that read the stamp after that write moved it (so whose store read
   * began after the write was applied), or the value of a later write. Writes of one key reach
   * the store and the cache in the same order (one lock spans both). A Guard is in `guards`
   * exactly while its pin count is positive; pin counts change only inside compute on the key.
   *
   * Cost. A hit is one cache hit plus a field read (and a ticker read for a negative entry, or
   * when refresh-ahead is on). A miss adds, to the store's own latency, one future and two map
   * operations on `loads`, a compute to pin and one to unpin, and two uncontended lock
   * acquisitions (stamp read, check-and-put). Not benchmarked: the store's round trip (100 us to
   * ms for a database) dominates by orders of magnitude.
   *
   * Concurrency. The store's load runs on the calling thread with no lock held; only callers of
   * the same key wait for it (uninterruptibly, without a timeout: give the store one). A load
   * holds the key's lock only around a counter read and a cache put -- never across the store's
   * load. A write holds it across the store's write: writers of one key queue behind a slow store
   * write, and a load of that key that missed waits for it only to install its result; readers
   * that hit and other keys never wait. Refreshes run on the injected executor. A source that reads its own key again through this cache would wait for
   * itself; the owner thread kept in each Flight turns that into an IllegalStateException.
   *
   * Alternatives. Caching the load inside Cache.get(key, loader) would give single-flight but
   * not the stamp check: AbstractCache puts the loader's result unconditionally. Locking the key
   * around the store load (as Guava's segment lock and ConcurrentHashMap.compute do) also rules
   * out stale fills, but then a slow load blocks writers of the key and, with striping, other
   * keys. Version numbers stored with the data (an "updated_at" column compared on put) need the
   * store to carry them; the stamp here needs nothing from the store. Among the siblings:
   * write-through when written data is read soon after, write-around when it is not, CacheAside
   * when the writes live in application code rather than behind a DataStore, write-behind
   * (WriteBehindQueue: the store written later, in batches; its writes queue under the same key
   * lock, and its loads read a pending write before the store) when write latency matters more
   * than what a crash loses.
   *
   * References.
   *  [1] R. Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013 (leases against stale
   *      sets and thundering herds),
   *      https://www.usenix.org/conference/nsdi13/technical-sessions/presentation/nishtala
   *  [2] golang.org/x/sync/singleflight, https://pkg.go.dev/golang.org/x/sync/singleflight
   */

  private final AbstractCache<K, Slot<V>> cache;
  private final Ticker ticker;
  private final long negativeTtlNanos; // 0: absent keys are not cached
  private final KeyGuards<K> guards = new KeyGuards<>();
  private final ConcurrentHashMap<K, Flight<V>> loads = new ConcurrentHashMap<>();
  private final long refreshAfterNanos; // age at which a hit starts a refresh; NO_REFRESH: never
  private final Executor refresher; // null when refresh-ahead is off
  private final Set<K> refreshing = ConcurrentHashMap.newKeySet(); // keys with a refresh queued
  private final AtomicLong refreshFailures = new AtomicLong();

  static final long NO_REFRESH = Long.MAX_VALUE;

  GuardedCache(CacheBuilder settings, long negativeTtlNanos) {
    this(settings, negativeTtlNanos, NO_REFRESH, null);
  }

  GuardedCache(
      CacheBuilder settings, long negativeTtlNanos, long refreshAfterNanos, Executor refresher) {
    this.cache = settings.buildCache();
    this.ticker = settings.tickerOrSystem();
    this.negativeTtlNanos = negativeTtlNanos;
    this.refreshAfterNanos = refreshAfterNanos;
    this.refresher = refresher;
  }

  // --- reads -----------------------------------------------------------------------------------

  /** Returns the cached value, or loads it from {@code source} once however many threads miss. */
  V read(K key, Function<? super K, ? extends V> source) {
    Slot<V> slot = cache.getIfPresent(key);
    if (slot != null && !slot.isAbsent()) {
      if (refreshAfterNanos != NO_REFRESH && ticker.read() - slot.cachedAt() >= refreshAfterNanos) {
        refreshInBackground(key, source);
      }
      return slot.value(); // the old value is served while a refresh runs
    }
    if (slot != null && negativeIsLive(slot)) {
      return null;
    }
    Flight<V> mine = new Flight<>(Thread.currentThread());
    Flight<V> other = loads.putIfAbsent(key, mine);
    if (other != null) {
      if (other.owner == Thread.currentThread()) {
        throw new IllegalStateException("recursive load of a key by its own source: " + key);
      }
      return await(other.future);
    }
    try {
      Slot<V> raced = cache.peek(key); // a load that ended between our miss and our claim
      if (raced != null && (!raced.isAbsent() || negativeIsLive(raced))) {
        mine.future.complete(raced.value());
        return raced.value();
      }
      V value = loadAndInstall(key, source);
      mine.future.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.future.completeExceptionally(e);
      throw e;
    } finally {
      loads.remove(key, mine);
    }
  }

  /**
   * Loads {@code key} and caches the result unless a write or invalidation of the key was recorded
   * after the load began (then the result may predate the store's current value: it is returned to
   * this caller, whose read overlapped that write, but not cached).
   */
  private V loadAndInstall(K key, Function<? super K, ? extends V> source) {
    KeyGuards.Guard guard = guards.pin(key);
    try {
      long stamp = guard.stamp(); // before the load: a write after this point discards the result
      long start = ticker.read();
      V value;
      try {
        value = source.apply(key);
      } catch (RuntimeException | Error e) {
        cache.stats.recordLoadFailure(ticker.read() - start);
        throw e;
      }
      long end = ticker.read();
      cache.stats.recordLoadSuccess(end - start); // an absent key is a successful answer
      guard.lock.lock();
      try {
        if (guard.writes() == stamp) {
          if (value != null) {
            cache.put(key, new Slot<>(value, end));
          } else if (negativeTtlNanos > 0) {
            cache.put(key, new Slot<>(null, end));
          } else {
            cache.invalidate(key); // a refresh that finds the key gone must not keep serving it
          }
        }
      } finally {
        guard.lock.unlock();
      }
      return value;
    } finally {
      guards.unpin(key);
    }
  }

  /**
   * Queues one reload of {@code key} on the refresher, unless one is already queued or running. A
   * refresh is a guarded load: a write overlapping it wins. A refresh that fails, or that the
   * executor rejects, changes nothing: the old value is served until it expires, and the next hit
   * in the window tries again.
   */
  private void refreshInBackground(K key, Function<? super K, ? extends V> source) {
    if (!refreshing.add(key)) {
      return; // one refresh per key at a time
    }
    try {
      refresher.execute(
          () -> {
            try {
              loadAndInstall(key, source);
            } catch (RuntimeException e) {
              refreshFailures.incrementAndGet(); // keep the old value; counted, not rethrown
            } finally {
              refreshing.remove(key);
            }
          });
    } catch (RuntimeException rejected) { // RejectedExecutionException, or a broken executor
      refreshing.remove(key);
      refreshFailures.incrementAndGet();
    }
  }

  private boolean negativeIsLive(Slot<V> absent) {
    return negativeTtlNanos > 0 && ticker.read() - absent.cachedAt() < negativeTtlNanos;
  }

  // --- writes --------------------------------------------------------------------------------

  /**
   * Runs {@code storeWrite}, then caches {@code newValue} (or, if it is null, drops the cached
   * entry), both under the key's lock, so that writes of one key reach the store and the cache in
   * the same order. The stamp moves whether or not the store write succeeds: a write that threw may
   * still have been applied, so a load overlapping it must not cache what it read. If the store
   * write throws, the cache is left as it was and the exception propagates.
   */
  void write(K key, Runnable storeWrite, V newValue) {
    tryWrite(
        key,
        () -> {
          storeWrite.run();
          return true;
        },
        newValue);
  }

  /**
   * As {@link #write}, for a store write that may decline: if {@code storeWrite} returns false the
   * cache is left as it was and this returns false. Write-behind uses it with "queue the write if
   * there is room", so that a writer never holds the key's lock while it waits for room.
   */
  boolean tryWrite(K key, BooleanSupplier storeWrite, V newValue) {
    KeyGuards.Guard guard = guards.pin(key);
    try {
      guard.lock.lock();
      try {
        boolean written;
        try {
          written = storeWrite.getAsBoolean();
        } finally {
          guard.recordWrite();
        }
        if (!written) {
          return false;
        }
        if (newValue != null) {
          cache.put(key, new Slot<>(newValue, ticker.read()));
        } else {
          cache.invalidate(key);
        }
        return true;
      } finally {
        guard.lock.unlock();
      }
    } finally {
      guards.unpin(key);
    }
  }

  // --- invalidation ----------------------------------------------------------------------------

  /**
   * Drops the cached entry and records a write, so that a load in flight, which may have read the
   * store before the change that prompted this call, does not cache its result.
   */
  void invalidate(K key) {
    KeyGuards.Guard guard = guards.pin(key);
    try {
      guard.lock.lock();
      try {
        guard.recordWrite();
        cache.invalidate(key);
      } finally {
        guard.lock.unlock();
      }
    } finally {
      guards.unpin(key);
    }
  }

  // --- for the strategies and tests ------------------------------------------------------------

  CacheStats stats() {
    return cache.stats();
  }

  /** The cached slot without counting a hit or miss (tests). */
  Slot<V> peek(K key) {
    return cache.peek(key);
  }

  long refreshFailures() {
    return refreshFailures.get();
  }

  int pinnedKeys() {
    return guards.pinnedKeys();
  }

  /** A load in progress: its result, and the thread running it (to refuse recursive loads). */
  private static final class Flight<V> {
    final Thread owner;
    final CompletableFuture<V> future = new CompletableFuture<>();

    Flight(Thread owner) {
      this.owner = owner;
    }
  }

  private static <V> V await(CompletableFuture<V> load) {
    try {
      return load.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
