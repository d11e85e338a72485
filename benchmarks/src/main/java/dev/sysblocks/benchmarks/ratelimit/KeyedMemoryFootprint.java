package dev.sysblocks.benchmarks.ratelimit;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.sysblocks.ratelimit.KeyedRateLimiter;
import dev.sysblocks.ratelimit.Limit;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Locale;

/**
 * Heap per live key of a keyed limiter: ours against a Caffeine cache of Bucket4j buckets. Not a
 * JMH benchmark (memory, not time): it fills each with {@code n} client ids that all stay in debt
 * (100 permits per hour, one taken), and reports the growth of the used heap after full
 * collections, excluding the key strings themselves.
 *
 * <p>Run: {@code java -XX:+UseSerialGC -Xmx2g -cp benchmarks/target/benchmarks.jar
 * dev.sysblocks.benchmarks.ratelimit.KeyedMemoryFootprint 1000000} (SerialGC: G1's humongous
 * regions make the heap delta of large arrays imprecise).
 */
public final class KeyedMemoryFootprint {

  private KeyedMemoryFootprint() {}

  /**
   * Prints bytes per key for both implementations.
   *
   * @param args the number of keys (default 1,000,000)
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "client-" + i;
    }
    Limit limit = Limit.of(100, Duration.ofHours(1));

    long before = usedHeap();
    KeyedRateLimiter<String> ours = KeyedRateLimiter.<String>builder(limit).maximumKeys(n).build();
    for (String k : keys) {
      ours.tryAcquire(k);
    }
    long oursBytes = usedHeap() - before;
    System.out.printf(
        Locale.ROOT,
        "sysblocks-keyed     n=%,d  %.1f B/key by heap delta, %.1f B/key in its tables%n",
        n,
        oursBytes / (double) n,
        ours.tableBytes() / (double) n);
    ours = null; // let it be collected before measuring the peer

    before = usedHeap();
    LoadingCache<String, Bucket> peer =
        Caffeine.newBuilder()
            .maximumSize(n)
            .expireAfterAccess(Duration.ofMinutes(1))
            .build(
                k ->
                    Bucket.builder()
                        .addLimit(l -> l.capacity(100).refillGreedy(100, Duration.ofHours(1)))
                        .build());
    for (String k : keys) {
      peer.get(k).tryConsume(1);
    }
    peer.cleanUp();
    long peerBytes = usedHeap() - before;
    System.out.printf(
        Locale.ROOT,
        "caffeine-bucket4j   n=%,d  %.1f B/key by heap delta (%d entries)%n",
        n,
        peerBytes / (double) n,
        peer.estimatedSize());
  }

  @SuppressWarnings("ExplicitGc") // the point: measure what survives a full collection
  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return r.totalMemory() - r.freeMemory();
  }
}
