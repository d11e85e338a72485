package dev.sysblocks.benchmarks.cache;

import dev.sysblocks.benchmarks.runner.ReferenceImpl;
import dev.sysblocks.benchmarks.runner.ThreadCursor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What does one cache read or write cost, when reads hit, when a tenth of the keys fit, when a
 * quarter of the operations write, and when all do; on one thread and with two threads sharing the
 * cache?
 *
 * <p><b>Measures</b>: average time per operation (per thread) on one shared cache, the requests
 * being the standard {@link ZipfKeys} stream: Zipf(0.99) over 65,536 {@code Integer} keys. Ours
 * ({@code sysblocks-lru}, {@code -sieve}, {@code -s3fifo}) against Caffeine used directly, Guava's
 * {@code CacheBuilder} and {@code Collections.synchronizedMap} of an access-ordered {@code
 * LinkedHashMap} (exact LRU behind one lock), each with its defaults but the maximum size ({@link
 * CacheAdapter#create}). Our {@code EvictionPolicy.CAFFEINE} adapter is left out to keep smoke mode
 * short (each impl adds 8 forks): it is Caffeine's path plus our hit and miss counters, and its hit
 * ratios are in {@link CacheHitRatio}; {@code -p impl=sysblocks-caffeinePolicy} measures it. The
 * {@code workload}s, and what each shows:
 *
 * <ul>
 *   <li>{@code readAllHits}: {@code getIfPresent} on a cache holding every key (maximum twice the
 *       key space, so that none is ever evicted, Guava's segments included; set-up checks that the
 *       cache holds every key). The hit path alone: a lookup plus whatever records the access. This
 *       is where the synchronized map pays most, since an access-ordered {@code get} relinks the
 *       entry under the lock, and where buffered, lock-free hits (our LRU, Caffeine) or hits that
 *       only set a bit (SIEVE, S3-FIFO) should scale to the second core.
 *   <li>{@code readZipf10pct}: a cache-aside read on a cache of 6,553 entries, 10 % of the key
 *       space: {@code getIfPresent}, and on a miss {@code put} (which evicts). Hits and misses in
 *       the proportion each policy earns (CacheHitRatio, one thread: 71.4 % for LRU, 76.1 % for
 *       SIEVE, 76.4 % for S3-FIFO, 76.8 % for Caffeine), so the score mixes the hit path with the
 *       insert-and-evict path (24 to 29 % of the operations), and draining of buffers under
 *       contention. A faster policy with a lower hit ratio is not better: in a real cache-aside
 *       read each miss also pays the load, which this benchmark leaves out. Warmed up in set-up by
 *       the first 65,536 requests, so the cache starts full.
 *   <li>{@code read75write25}: the full cache of {@code readAllHits}; every fourth operation of a
 *       thread is a {@code put} that replaces a present key's value, the others are reads. Writes
 *       take locks in every implementation (a map bin, an eviction lock or the one monitor), so
 *       this shows how well reads hold up beside them.
 *   <li>{@code write100}: the same full cache, every operation a replacing {@code put}. The write
 *       path without eviction (eviction costs are in {@code readZipf10pct}): our LRU's map update
 *       and write buffer with drains under {@code tryLock} against one monitor.
 * </ul>
 *
 * <p><b>Targets</b> of issue 5, as ratios in one run. The tables give each row's speed relative to
 * the best peer and to {@code jdk-syncLinkedHashMap}; a ratio to {@code caffeine} is a row's "speed
 * vs jdk-syncLinkedHashMap" divided by Caffeine's (when Caffeine is the best peer, it is the "speed
 * vs best peer" column itself):
 *
 * <ul>
 *   <li>{@code sysblocks-lru}: {@code twoThreads, readAllHits} at least 2.5x {@code
 *       jdk-syncLinkedHashMap} and 0.8x {@code caffeine}; {@code twoThreads, readZipf10pct} at
 *       least 1.2x {@code jdk-syncLinkedHashMap} and 0.8x {@code caffeine}; {@code oneThread} at
 *       least 0.7x {@code jdk-syncLinkedHashMap}; 0 B/op on {@code readAllHits}.
 *   <li>{@code sysblocks-sieve} and {@code sysblocks-s3fifo}: {@code twoThreads} reads ({@code
 *       readAllHits}, {@code readZipf10pct}) at least 1.0x {@code caffeine}.
 *   <li>For orientation, measured before this benchmark existed (issue 5): Caffeine ran 3.1x the
 *       synchronized map on two threads with all hits and 1.36x at 10 % capacity; on one thread the
 *       synchronized map was the fastest; a simple SIEVE prototype ran at 1.1-1.5x Caffeine.
 * </ul>
 *
 * <p><b>Pitfalls avoided</b>: the stream is drawn and its keys boxed once per JVM, so the score
 * holds no random numbers and no boxing; each thread walks the stream from its own offset (a {@code
 * Scope.Thread} cursor; the second thread starts 47 % into the stream), so the two threads do not
 * request the same key at the same moment and share no cursor; values are the keys themselves, so a
 * put allocates only what the cache does; the cache is shared ({@code Scope.Benchmark}), the
 * contended case; every result is returned; each implementation and workload runs in its own fork,
 * so every call site is monomorphic. Caffeine runs its maintenance on its default executor (the
 * common fork-join pool), as users run it; on two cores that pool competes with the benchmark
 * threads, which is part of the real cost.
 *
 * <p><b>Run</b>: {@code ./bench quick CacheGetPut} for the ratio tables (with {@code -prof gc}
 * built in; {@code ./bench full Cache} also writes the hit-ratio table of {@link CacheHitRatio}),
 * or {@code java -jar benchmarks/target/benchmarks.jar CacheGetPut -prof gc}. Bytes allocated per
 * hit, the 0 B/op target: {@code java -jar benchmarks/target/benchmarks.jar
 * 'CacheGetPut.*oneThread' -p workload=readAllHits -p impl=sysblocks-lru -prof gc} and read {@code
 * gc.alloc.rate.norm}; the cache module's {@code HitAllocationTest} holds LRU, SIEVE and S3-FIFO to
 * the same figure in every build.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@ReferenceImpl("jdk-syncLinkedHashMap")
public class CacheGetPutBenchmark {

  private static final int MASK = ZipfKeys.REQUESTS - 1;

  /** Capacity of the caches that hold every key: twice the key space (see readAllHits). */
  static final int FULL_CAPACITY = 2 * ZipfKeys.KEY_SPACE;

  /** Capacity of the readZipf10pct cache: 10 % of the key space. */
  static final int TENTH_CAPACITY = ZipfKeys.KEY_SPACE / 10;

  /**
   * Requests replayed into the readZipf10pct cache in set-up: as many as there are keys, ten times
   * its capacity, so that it starts full and holds mostly hot keys.
   */
  static final int WARM_UP_REQUESTS = ZipfKeys.KEY_SPACE;

  @Param({
    "sysblocks-lru",
    "sysblocks-lru-pool",
    "sysblocks-sieve",
    "sysblocks-s3fifo",
    "caffeine",
    "guava-cache",
    "jdk-syncLinkedHashMap"
  })
  public String impl;

  @Param({"readAllHits", "readZipf10pct", "read75write25", "write100"})
  public String workload;

  private Integer[] requests;
  private CacheAdapter<Integer> cache;
  private Workload operation;

  @Setup
  public void setUp() {
    ZipfKeys stream = ZipfKeys.standard();
    requests = stream.requests();
    operation = Workload.named(workload);
    if (operation == Workload.READ_ZIPF_10PCT) {
      cache = CacheAdapter.create(impl, TENTH_CAPACITY, false);
      for (int i = 0; i < WARM_UP_REQUESTS; i++) {
        Workload.READ_ZIPF_10PCT.apply(cache, requests[i], i);
      }
    } else {
      cache = CacheAdapter.create(impl, FULL_CAPACITY, false);
      Integer[] keys = stream.keys();
      for (Integer key : keys) {
        cache.put(key, key);
      }
      if (cache.size() != keys.length) { // only these keys were put: all are present
        throw new IllegalStateException(
            impl + " holds " + cache.size() + " of the " + keys.length + " keys put");
      }
    }
  }

  /** One thread: the uncontended cost. */
  @Benchmark
  @Threads(1)
  public Integer oneThread(ThreadCursor cursor) {
    int i = cursor.next();
    return operation.apply(cache, requests[i & MASK], i);
  }

  /**
   * Two threads on one cache (the machine has two cores): the time per operation of each thread, so
   * total throughput holds when this equals {@code oneThread}.
   */
  @Benchmark
  @Threads(2)
  public Integer twoThreads(ThreadCursor cursor) {
    int i = cursor.next();
    return operation.apply(cache, requests[i & MASK], i);
  }

  /** What one operation does with the request {@code key}, the {@code index}-th of its thread. */
  enum Workload {
    READ_ALL_HITS("readAllHits") {
      @Override
      Integer apply(CacheAdapter<Integer> cache, Integer key, int index) {
        return cache.get(key);
      }
    },
    READ_ZIPF_10PCT("readZipf10pct") {
      @Override
      Integer apply(CacheAdapter<Integer> cache, Integer key, int index) {
        Integer value = cache.get(key);
        if (value == null) {
          cache.put(key, key); // cache-aside: the "load" is free, the insert and eviction are not
          return key;
        }
        return value;
      }
    },
    READ_75_WRITE_25("read75write25") {
      @Override
      Integer apply(CacheAdapter<Integer> cache, Integer key, int index) {
        if ((index & 3) == 0) {
          cache.put(key, key);
          return key;
        }
        return cache.get(key);
      }
    },
    WRITE_100("write100") {
      @Override
      Integer apply(CacheAdapter<Integer> cache, Integer key, int index) {
        cache.put(key, key);
        return key;
      }
    };

    private final String paramName;

    Workload(String paramName) {
      this.paramName = paramName;
    }

    abstract Integer apply(CacheAdapter<Integer> cache, Integer key, int index);

    static Workload named(String name) {
      for (Workload w : values()) {
        if (w.paramName.equals(name)) {
          return w;
        }
      }
      throw new IllegalArgumentException("unknown workload: " + name);
    }
  }
}
