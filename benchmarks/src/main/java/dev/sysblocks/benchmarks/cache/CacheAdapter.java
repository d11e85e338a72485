package dev.sysblocks.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sysblocks.cache.Cache;
import dev.sysblocks.cache.CacheBuilder;
import dev.sysblocks.cache.EvictionPolicy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The two calls every cache of the benchmarks is measured on, with ours and each peer behind it.
 * Values are the keys themselves, so that a put allocates only what the cache does.
 *
 * @param <K> the key (and value) type
 */
interface CacheAdapter<K> {

  /** Every implementation, ours first, in the order of the report's rows. */
  List<String> IMPLS =
      List.of(
          "sysblocks-lru",
          "sysblocks-sieve",
          "sysblocks-s3fifo",
          "sysblocks-caffeinePolicy",
          "caffeine",
          "guava-cache",
          "jdk-syncLinkedHashMap");

  /**
   * The value cached for {@code key}, or null.
   *
   * @param key the key
   * @return the value or null
   */
  K get(K key);

  /**
   * Caches {@code value} for {@code key}.
   *
   * @param key the key
   * @param value the value
   */
  void put(K key, K value);

  /**
   * The number of entries once pending bookkeeping (buffered writes, evictions) is applied: for
   * set-up checks, not for measuring.
   *
   * @return the exact size
   */
  long size();

  /**
   * A new, empty cache of at most {@code capacity} entries.
   *
   * @param impl one of {@link #IMPLS}: {@code sysblocks-lru}, {@code -sieve}, {@code -s3fifo} and
   *     {@code -caffeinePolicy} are our {@link CacheBuilder} with that {@link EvictionPolicy};
   *     {@code caffeine} is Caffeine used directly; {@code guava-cache} is Guava's {@code
   *     CacheBuilder} with its default concurrency level (4 segments, each an LRU over its share of
   *     the maximum); {@code jdk-syncLinkedHashMap} is {@code Collections.synchronizedMap} of a
   *     {@code LinkedHashMap} in access order whose {@code removeEldestEntry} keeps the bound:
   *     exact LRU behind one lock; {@code sysblocks-lru-pool} (not in {@link #IMPLS}, timings only)
   *     is our LRU with its maintenance on the common fork-join pool, as Caffeine's default
   *     executor
   * @param capacity the maximum number of entries
   * @param sameThreadMaintenance for {@code caffeine}: evict on the calling thread ({@code
   *     executor(Runnable::run)}, deterministic, as the reference hit ratios were computed) rather
   *     than on Caffeine's default executor, the common fork-join pool; the others ignore it (our
   *     {@code caffeinePolicy} always runs on the calling thread)
   * @param <K> the key type
   * @return the adapter
   */
  static <K> CacheAdapter<K> create(String impl, int capacity, boolean sameThreadMaintenance) {
    return switch (impl) {
      case "sysblocks-lru" -> new Ours<>(EvictionPolicy.LRU, capacity);
      case "sysblocks-lru-pool" ->
          new Ours<>(EvictionPolicy.LRU, capacity, ForkJoinPool.commonPool());
      case "sysblocks-sieve" -> new Ours<>(EvictionPolicy.SIEVE, capacity);
      case "sysblocks-s3fifo" -> new Ours<>(EvictionPolicy.S3_FIFO, capacity);
      case "sysblocks-caffeinePolicy" -> new Ours<>(EvictionPolicy.CAFFEINE, capacity);
      case "caffeine" -> new CaffeineDirect<>(capacity, sameThreadMaintenance);
      case "guava-cache" -> new GuavaCache<>(capacity);
      case "jdk-syncLinkedHashMap" -> new SynchronizedLinkedHashMap<>(capacity);
      default -> throw new IllegalArgumentException("unknown impl: " + impl);
    };
  }

  // One final class per implementation: in a benchmark fork only one is loaded, so every call
  // site stays monomorphic.

  /** Our {@link Cache}. */
  final class Ours<K> implements CacheAdapter<K> {
    private final Cache<K, K> cache;

    Ours(EvictionPolicy policy, int capacity) {
      cache = CacheBuilder.newBuilder().maximumSize(capacity).policy(policy).build();
    }

    Ours(EvictionPolicy policy, int capacity, Executor maintenance) {
      cache =
          CacheBuilder.newBuilder()
              .maximumSize(capacity)
              .policy(policy)
              .executor(maintenance)
              .build();
    }

    @Override
    public K get(K key) {
      return cache.getIfPresent(key);
    }

    @Override
    public void put(K key, K value) {
      cache.put(key, value);
    }

    @Override
    public long size() {
      cache.cleanUp();
      return cache.estimatedSize();
    }
  }

  /** Caffeine's bounded cache, used directly. */
  final class CaffeineDirect<K> implements CacheAdapter<K> {
    private final com.github.benmanes.caffeine.cache.Cache<K, K> cache;

    CaffeineDirect(int capacity, boolean sameThreadMaintenance) {
      Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(capacity);
      if (sameThreadMaintenance) {
        builder.executor(Runnable::run);
      }
      cache = builder.build();
    }

    @Override
    public K get(K key) {
      return cache.getIfPresent(key);
    }

    @Override
    public void put(K key, K value) {
      cache.put(key, value);
    }

    @Override
    public long size() {
      cache.cleanUp();
      return cache.estimatedSize();
    }
  }

  /** Guava's {@code CacheBuilder}, default settings but the maximum size. */
  final class GuavaCache<K> implements CacheAdapter<K> {
    private final com.google.common.cache.Cache<K, K> cache;

    GuavaCache(int capacity) {
      cache = com.google.common.cache.CacheBuilder.newBuilder().maximumSize(capacity).build();
    }

    @Override
    public K get(K key) {
      return cache.getIfPresent(key);
    }

    @Override
    public void put(K key, K value) {
      cache.put(key, value);
    }

    @Override
    public long size() {
      cache.cleanUp();
      return cache.size();
    }
  }

  /** The textbook concurrent LRU: one lock around an access-ordered {@code LinkedHashMap}. */
  final class SynchronizedLinkedHashMap<K> implements CacheAdapter<K> {
    private final Map<K, K> map;

    SynchronizedLinkedHashMap(int capacity) {
      map = Collections.synchronizedMap(new BoundedLinkedHashMap<>(capacity));
    }

    @Override
    public K get(K key) {
      return map.get(key);
    }

    @Override
    public void put(K key, K value) {
      map.put(key, value);
    }

    @Override
    public long size() {
      return map.size();
    }
  }

  /** Access order, and the eldest (least recently used) entry dropped once above the bound. */
  final class BoundedLinkedHashMap<K, V> extends LinkedHashMap<K, V> {
    private static final long serialVersionUID = 1L;

    private final int capacity;

    BoundedLinkedHashMap(int capacity) {
      // Sized so that it never rehashes below the bound; true: access order.
      super((int) Math.ceil(capacity / 0.75) + 1, 0.75f, true);
      this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
      return size() > capacity;
    }
  }
}
