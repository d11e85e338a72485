package dev.sysblocks.cache;

import dev.sysblocks.core.Ticker;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What every policy shares: the statistics, the clock, and single-flight loading.
 *
 * <p>A policy implements lookups without side effects ({@link #peek}), plus the {@link Cache}
 * methods that touch its own structures; {@link #get} is written once here on top of them.
 */
abstract class AbstractCache<K, V> implements Cache<K, V> {

  /*
   * Single-flight loading
   * =====================
   * Problem. N threads miss the same key at once; the load behind it (a database query, an HTTP
   * call) should run once, not N times (a "stampede"). The usual fix, ConcurrentHashMap.compute
   * with the loader inside it, runs user code while holding the lock of a hash bin: a 5-second
   * load then blocks every other key that hashes to that bin, and any eviction that has to remove
   * one of them -- the complaint behind Caffeine issues about long computations under compute.
   *
   * Idea. Two maps. The policy's map holds values; a second map, `loads`, holds one InFlight
   * (a CompletableFuture plus the loading thread) per key being loaded. A missing caller places
   * its own InFlight with putIfAbsent -- one short bin-locked step that runs no user code. The
   * winner runs the loader on its own thread with no lock held, puts the value into the cache,
   * completes the future and removes its InFlight; the losers join the future.
   *
   *   t0  A: getIfPresent(k) miss      B: getIfPresent(k) miss
   *   t1  A: loads.putIfAbsent(k, fA) -> null (A loads)
   *   t2                               B: loads.putIfAbsent(k, fB) -> fA (B waits on fA)
   *   t3  A: v = loader(k)  ... no lock held; other keys and evictions go on ...
   *   t4  A: put(k, v); fA.complete(v); loads.remove(k, fA)   B: returns v
   *
   * Invariant. A key is loaded by at most one caller at a time: only the caller whose InFlight
   * is in `loads` loads. The value is put into the cache before the InFlight is removed, so a
   * caller arriving later finds either the InFlight or the value -- except in the window between
   * its own miss and its putIfAbsent, which the winner closes by looking the key up again (peek)
   * before loading. Worked example: 64 threads released together onto one missing key run the
   * loader once and all return its value
   * (CacheContractTest.concurrentMissesOfOneKeyRunTheLoaderOnce).
   *
   * Bulk loads (getAll) claim every missing key the same way, load the claimed ones with one call
   * of the bulk loader, complete their futures, and only then wait for keys that others were
   * already loading. Loading before waiting is what rules out deadlock: two bulk calls with
   * overlapping keys each finish their own batch before waiting for the other's, which is then
   * done. Single and bulk loads share `loads`, so a get(k) joins a getAll that is loading k.
   *
   * Cost. A miss allocates an InFlight and a CompletableFuture and does two map operations on
   * `loads`; a hit never touches `loads`.
   *
   * Concurrency. A waiter blocks in join() until the load finishes, uninterruptibly, as in
   * Caffeine; there is no timeout (wrap the loader with one if the source can hang). A loader
   * that loads its own key again would wait for itself forever; the owner thread recorded in the
   * InFlight turns that into an IllegalStateException.
   *
   * Alternatives. Caffeine's get(key, f) runs f inside compute (simple, blocks the bin);
   * Caffeine's AsyncCache stores the future as the value, as here, but in the cache map itself.
   * Guava's LocalCache places a LoadingValueReference in the segment, the same idea under a
   * segment lock.
   *
   * References.
   *  [1] golang.org/x/sync/singleflight, https://pkg.go.dev/golang.org/x/sync/singleflight
   *  [2] Caffeine wiki, "Compute": long computations block other writes to the same bin,
   *      https://github.com/ben-manes/caffeine/wiki/Compute
   */

  final StatsCounter stats;
  final Ticker ticker;
  private final ConcurrentHashMap<K, InFlight<V>> loads = new ConcurrentHashMap<>();

  AbstractCache(Ticker ticker, boolean recordStats) {
    this.ticker = ticker;
    this.stats = new StatsCounter(recordStats);
  }

  /** Returns the live value of {@code key} without counting a hit or a miss or recording use. */
  abstract V peek(K key);

  @Override
  public final V get(K key, Function<? super K, ? extends V> loader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(loader, "loader");
    V cached = getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    InFlight<V> mine = new InFlight<>(Thread.currentThread());
    InFlight<V> other = loads.putIfAbsent(key, mine);
    if (other != null) {
      if (other.owner == Thread.currentThread()) {
        throw new IllegalStateException("recursive load of a key by its own loader: " + key);
      }
      return other.await();
    }
    try {
      V raced = peek(key); // a load that finished between our miss and our putIfAbsent
      if (raced != null) {
        mine.future.complete(raced);
        return raced;
      }
      return load(key, loader, mine);
    } finally {
      loads.remove(key, mine);
    }
  }

  @Override
  public final Map<K, V> getAll(
      Iterable<? extends K> keys,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(bulkLoader, "bulkLoader");
    Set<K> order = new LinkedHashSet<>();
    for (K key : keys) {
      order.add(Objects.requireNonNull(key, "key"));
    }
    Map<K, V> found = new LinkedHashMap<>();
    Set<K> missing = new LinkedHashSet<>();
    for (K key : order) {
      V v = getIfPresent(key);
      if (v == null) {
        missing.add(key);
      } else {
        found.put(key, v);
      }
    }
    if (missing.isEmpty()) {
      return found; // in `order`: every key was found, in that order
    }
    // Claim what nobody is loading; remember what others are loading.
    Map<K, InFlight<V>> mine = new LinkedHashMap<>();
    Map<K, InFlight<V>> others = new LinkedHashMap<>();
    Thread self = Thread.currentThread();
    try {
      for (K key : missing) {
        InFlight<V> claim = new InFlight<>(self);
        InFlight<V> other = loads.putIfAbsent(key, claim);
        if (other == null) {
          mine.put(key, claim);
        } else if (other.owner == self) {
          throw new IllegalStateException("recursive load of a key by its own loader: " + key);
        } else {
          others.put(key, other);
        }
      }
      // Our own batch first, then wait: a wait never precedes our loads, so no cycle of waits.
      loadBatch(mine, bulkLoader);
    } finally {
      for (Map.Entry<K, InFlight<V>> claim : mine.entrySet()) {
        claim.getValue().future.complete(null); // no-op if completed; unblocks waiters otherwise
        loads.remove(claim.getKey(), claim.getValue());
      }
    }
    Map<K, V> result = new LinkedHashMap<>();
    for (K key : order) {
      V v = found.get(key);
      if (v == null) {
        InFlight<V> flight = mine.containsKey(key) ? mine.get(key) : others.get(key);
        v = flight.await();
      }
      if (v != null) {
        result.put(key, v);
      }
    }
    return result;
  }

  private void loadBatch(
      Map<K, InFlight<V>> mine,
      Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Set<K> toLoad = new LinkedHashSet<>();
    for (Map.Entry<K, InFlight<V>> claim : mine.entrySet()) {
      V raced = peek(claim.getKey()); // loaded between our miss and our claim
      if (raced == null) {
        toLoad.add(claim.getKey());
      } else {
        claim.getValue().future.complete(raced);
      }
    }
    if (toLoad.isEmpty()) {
      return;
    }
    long start = ticker.read();
    Map<? extends K, ? extends V> loaded;
    try {
      loaded = bulkLoader.apply(Collections.unmodifiableSet(toLoad));
    } catch (RuntimeException | Error e) {
      stats.recordLoadFailure(ticker.read() - start);
      for (K key : toLoad) {
        mine.get(key).future.completeExceptionally(e);
      }
      throw e;
    }
    long elapsed = ticker.read() - start;
    if (loaded == null) {
      stats.recordLoadFailure(elapsed);
      return; // the finally block of getAll completes every claim with null
    }
    stats.recordLoadSuccess(elapsed);
    for (K key : toLoad) {
      V v = loaded.get(key);
      if (v != null) {
        put(key, v); // before the claim leaves `loads`, as for a single load
        mine.get(key).future.complete(v);
      }
    }
  }

  private V load(K key, Function<? super K, ? extends V> loader, InFlight<V> mine) {
    long start = ticker.read();
    V value;
    try {
      value = loader.apply(key);
    } catch (RuntimeException | Error e) {
      stats.recordLoadFailure(ticker.read() - start);
      mine.future.completeExceptionally(e);
      throw e;
    }
    long elapsed = ticker.read() - start;
    if (value == null) {
      stats.recordLoadFailure(elapsed);
      mine.future.complete(null);
      return null;
    }
    stats.recordLoadSuccess(elapsed);
    put(key, value); // before the InFlight leaves `loads`: later callers find one or the other
    mine.future.complete(value);
    return value;
  }

  @Override
  public CacheStats stats() {
    return stats.snapshot();
  }

  /** A load in progress: its result, and the thread running it (to detect recursive loads). */
  private static final class InFlight<V> {
    final Thread owner;
    final CompletableFuture<V> future = new CompletableFuture<>();

    InFlight(Thread owner) {
      this.owner = owner;
    }

    V await() {
      try {
        return future.join();
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
}
