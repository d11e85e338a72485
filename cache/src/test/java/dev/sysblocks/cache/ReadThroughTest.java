package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Read-through: misses load from the store, once per key however many callers miss together. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadThroughTest {

  private static final long WAIT_SECONDS = 10;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final InstrumentedStore<String, String> store = new InstrumentedStore<>();
  private final FakeTicker ticker = FakeTicker.create();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  private StoreBackedCacheBuilder<String, String> builder() {
    return StoreBackedCacheBuilder.newBuilder(
        store, CacheBuilder.newBuilder().recordStats().maximumSize(100).ticker(ticker));
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void aMissLoadsFromTheStoreAndTheNextGetHits() {
    store.backing.write("k", "v");
    StoreBackedCache<String, String> cache = builder().build();
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(store.loads).hasValue(1);
    CacheStats stats = cache.stats();
    assertThat(stats.hitCount()).isEqualTo(1);
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.loadSuccessCount()).isEqualTo(1);
  }

  @Test
  void sixtyFourConcurrentMissesOfOneKeyCauseOneStoreLoad() throws Exception {
    store.backing.write("k", "v");
    CountDownLatch loadEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeLoad =
        k -> {
          loadEntered.countDown();
          await(release);
        };
    StoreBackedCache<String, String> cache = builder().build();
    int threads = 64;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                return cache.get("k");
              }));
    }
    await(loadEntered);
    release.countDown();
    for (Future<String> result : results) {
      assertThat(result.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("v");
    }
    assertThat(store.loads).hasValue(1);
    assertThat(((StrategyCache<String, String>) cache).engine.pinnedKeys()).isZero();
  }

  @Test
  void waitersOfAFailedLoadReceiveItsExceptionAndNothingIsCached() throws Exception {
    store.backing.write("k", "v");
    CountDownLatch loadEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeLoad =
        k -> {
          loadEntered.countDown();
          await(release);
          throw new IllegalStateException("store down");
        };
    StoreBackedCache<String, String> cache = builder().build();
    Future<String> first = pool.submit(() -> cache.get("k"));
    await(loadEntered);
    Future<String> second = pool.submit(() -> cache.get("k"));
    release.countDown();
    assertThatThrownBy(() -> first.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> second.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(IllegalStateException.class);
    store.beforeLoad = k -> {};
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(cache.stats().loadFailureCount()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void withoutNegativeCachingEveryLookupOfAnAbsentKeyReachesTheStore() {
    StoreBackedCache<String, String> cache = builder().build();
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.get("missing")).isNull();
    assertThat(store.loads).hasValue(2);
  }

  @Test
  void negativeCachingRemembersAnAbsentKeyUntilItsTimeToLivePasses() {
    StoreBackedCache<String, String> cache =
        builder().negativeCaching(Duration.ofSeconds(30)).build();
    assertThat(cache.get("missing")).isNull(); // t=0: load, remembered as absent
    store.backing.write("missing", "now here"); // behind the cache's back
    ticker.advance(Duration.ofSeconds(29));
    assertThat(cache.get("missing")).isNull(); // t=29 s: still remembered, no load
    assertThat(store.loads).hasValue(1);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(cache.get("missing")).isEqualTo("now here"); // t=30 s: forgotten, loaded again
    assertThat(store.loads).hasValue(2);
  }

  @Test
  void invalidateForgetsANegativeEntry() {
    StoreBackedCache<String, String> cache =
        builder().negativeCaching(Duration.ofSeconds(30)).build();
    assertThat(cache.get("k")).isNull();
    store.backing.write("k", "v");
    cache.invalidate("k");
    assertThat(cache.get("k")).isEqualTo("v");
  }

  @Test
  void aLoadOverlappingAnInvalidateIsReturnedButNotCached() throws Exception {
    store.backing.write("k", "old");
    CountDownLatch loadRead = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeLoad =
        k -> {
          loadRead.countDown();
          await(release);
        };
    StoreBackedCache<String, String> cache = builder().build();
    // The load is parked inside the store; an invalidation lands; then the load finishes with
    // "old". Caching it would serve a value the application has declared stale.
    Future<String> reader = pool.submit(() -> cache.get("k"));
    await(loadRead);
    cache.invalidate("k"); // the application changed the store and invalidates...
    release.countDown(); // ...while the load that began before it is still running
    assertThat(reader.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(((StrategyCache<String, String>) cache).engine.peek("k")).isNull();
    store.beforeLoad = k -> {};
    store.backing.write("k", "new");
    assertThat(cache.get("k")).isEqualTo("new");
  }

  @Test
  void badInputIsRejectedNamingTheParameter() {
    CacheBuilder settings = CacheBuilder.newBuilder().recordStats().maximumSize(10);
    assertThatThrownBy(() -> StoreBackedCacheBuilder.newBuilder(null, settings))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("store");
    assertThatThrownBy(() -> StoreBackedCacheBuilder.newBuilder(store, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cacheSettings");
    assertThatThrownBy(() -> builder().negativeCaching(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeToLive");
    assertThatThrownBy(() -> builder().negativeCaching(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeToLive must be positive: PT0S");
    assertThatThrownBy(
            () ->
                builder()
                    .negativeCaching(Duration.ofSeconds(1))
                    .negativeCaching(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("negativeCaching already set: PT1S");
    StoreBackedCache<String, String> cache = builder().build();
    assertThatThrownBy(() -> cache.get(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.invalidate(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  void aCacheWithoutMaximumSizeIsRefusedAtBuild() {
    assertThatThrownBy(
            () ->
                StoreBackedCacheBuilder.newBuilder(store, CacheBuilder.newBuilder().recordStats())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maximumSize is required");
  }
}
