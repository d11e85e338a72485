package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Cache} must have, whatever its policy. Each policy runs it through a
 * subclass that names the policy.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class CacheContractTest {

  /** Generous bound for waits that succeed in microseconds when the code is right. */
  private static final long WAIT_SECONDS = 10;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  abstract EvictionPolicy policy();

  <K, V> Cache<K, V> newCache(long maximumSize) {
    return CacheBuilder.newBuilder()
        .recordStats()
        .maximumSize(maximumSize)
        .policy(policy())
        .build();
  }

  <K, V> Cache<K, V> newCache(long maximumSize, Duration ttl, FakeTicker ticker) {
    return CacheBuilder.newBuilder()
        .recordStats()
        .maximumSize(maximumSize)
        .policy(policy())
        .expireAfterWrite(ttl)
        .ticker(ticker)
        .build();
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  // --- basic map behaviour ---------------------------------------------------------------------

  @Test
  void anEmptyCacheReturnsNullAndCountsAMiss() {
    Cache<String, String> cache = newCache(10);
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.stats()).isEqualTo(new CacheStats(0, 1, 0, 0, 0, 0));
  }

  @Test
  void aPutValueIsReturnedAndCountsAHit() {
    Cache<String, String> cache = newCache(10);
    cache.put("a", "1");
    assertThat(cache.getIfPresent("a")).isEqualTo("1");
    assertThat(cache.stats().hitCount()).isEqualTo(1);
    assertThat(cache.estimatedSize()).isEqualTo(1);
  }

  @Test
  void withoutRecordStatsEveryCounterStaysZero() {
    Cache<String, String> cache = CacheBuilder.newBuilder().maximumSize(2).policy(policy()).build();
    cache.put("a", "1");
    cache.getIfPresent("a");
    cache.getIfPresent("b");
    cache.get("c", k -> "3");
    cache.put("d", "4");
    cache.put("e", "5");
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(2);
    assertThat(cache.stats()).isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0));
  }

  @Test
  void recordStatsTwiceIsRefused() {
    CacheBuilder builder = CacheBuilder.newBuilder().recordStats();
    assertThatThrownBy(builder::recordStats)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("recordStats");
  }

  @Test
  void putReplacesTheValueWithoutGrowing() {
    Cache<String, String> cache = newCache(10);
    cache.put("a", "1");
    cache.put("a", "2");
    assertThat(cache.getIfPresent("a")).isEqualTo("2");
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(1);
  }

  @Test
  void invalidateRemovesOneEntryAndIsNotAnEviction() {
    Cache<String, String> cache = newCache(10);
    cache.put("a", "1");
    cache.put("b", "2");
    cache.invalidate("a");
    cache.invalidate("missing");
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.getIfPresent("b")).isEqualTo("2");
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(1);
    assertThat(cache.stats().evictionCount()).isZero();
  }

  @Test
  void invalidateAllEmptiesTheCacheWhichRemainsUsable() {
    Cache<Integer, Integer> cache = newCache(10);
    for (int i = 0; i < 10; i++) {
      cache.put(i, i);
    }
    cache.invalidateAll();
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isZero();
    for (int i = 0; i < 10; i++) {
      assertThat(cache.getIfPresent(i)).isNull();
    }
    cache.put(1, 100);
    assertThat(cache.getIfPresent(1)).isEqualTo(100);
  }

  @Test
  void entriesBelowTheMaximumAreNeverEvicted() {
    Cache<Integer, Integer> cache = newCache(100);
    for (int i = 0; i < 100; i++) {
      cache.put(i, -i);
    }
    cache.cleanUp();
    for (int i = 0; i < 100; i++) {
      assertThat(cache.getIfPresent(i)).isEqualTo(-i);
    }
    assertThat(cache.stats().evictionCount()).isZero();
  }

  @Test
  void theSizeNeverExceedsTheMaximumOnceCleanedUp() {
    Cache<Integer, Integer> cache = newCache(50);
    for (int i = 0; i < 1_000; i++) {
      cache.put(i, i);
      if (i % 7 == 0) {
        cache.getIfPresent(i / 2);
      }
    }
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(50);
    assertThat(cache.stats().evictionCount()).isEqualTo(950);
  }

  @Test
  void aCacheOfOneHoldsTheLastPut() {
    Cache<Integer, Integer> cache = newCache(1);
    cache.put(1, 1);
    cache.put(2, 2);
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(1);
  }

  // --- bad input ---------------------------------------------------------------------------------

  @Test
  void nullKeysAndValuesAreRejectedNamingTheParameter() {
    Cache<String, String> cache = newCache(10);
    assertThatThrownBy(() -> cache.getIfPresent(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.put(null, "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.put("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> cache.invalidate(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.get(null, k -> "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.get("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("loader");
  }

  // --- loading -----------------------------------------------------------------------------------

  @Test
  void getLoadsOnAMissAndThenHits() {
    Cache<String, Integer> cache = newCache(10);
    AtomicInteger loads = new AtomicInteger();
    Function<String, Integer> loader =
        k -> {
          loads.incrementAndGet();
          return k.length();
        };
    assertThat(cache.get("abc", loader)).isEqualTo(3);
    assertThat(cache.get("abc", loader)).isEqualTo(3);
    assertThat(loads).hasValue(1);
    CacheStats stats = cache.stats();
    assertThat(stats.hitCount()).isEqualTo(1);
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.loadSuccessCount()).isEqualTo(1);
    assertThat(stats.loadFailureCount()).isZero();
  }

  @Test
  void aLoaderReturningNullCachesNothingAndCountsAFailure() {
    Cache<String, String> cache = newCache(10);
    assertThat(cache.get("a", k -> null)).isNull();
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.stats().loadFailureCount()).isEqualTo(1);
  }

  @Test
  void aLoaderExceptionReachesTheCallerAndCachesNothing() {
    Cache<String, String> cache = newCache(10);
    IllegalStateException boom = new IllegalStateException("store down");
    assertThatThrownBy(
            () ->
                cache.get(
                    "a",
                    k -> {
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.stats().loadFailureCount()).isEqualTo(1);
    assertThat(cache.get("a", k -> "recovered")).isEqualTo("recovered");
  }

  @Test
  void loadTimeIsMeasuredWithTheBuildersTicker() {
    FakeTicker ticker = FakeTicker.create();
    Cache<String, String> cache =
        CacheBuilder.newBuilder()
            .recordStats()
            .maximumSize(10)
            .policy(policy())
            .ticker(ticker)
            .build();
    cache.get(
        "a",
        k -> {
          ticker.advance(Duration.ofMillis(30));
          return "v";
        });
    assertThat(cache.stats().totalLoadTimeNanos()).isEqualTo(30_000_000L);
    assertThat(cache.stats().averageLoadPenaltyNanos()).isEqualTo(30_000_000.0);
  }

  @Test
  void aLoaderThatLoadsItsOwnKeyFailsInsteadOfDeadlocking() {
    Cache<String, String> cache = newCache(10);
    assertThatThrownBy(() -> cache.get("a", k -> cache.get("a", k2 -> "inner")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("recursive load");
    assertThat(cache.get("a", k -> "ok")).isEqualTo("ok");
  }

  @Test
  void concurrentMissesOfOneKeyRunTheLoaderOnce() throws Exception {
    Cache<String, String> cache = newCache(10);
    int threads = 64;
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch loaderEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                return cache.get(
                    "k",
                    k -> {
                      loads.incrementAndGet();
                      loaderEntered.countDown();
                      await(release);
                      return "v";
                    });
              }));
    }
    assertThat(loaderEntered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    for (Future<String> result : results) {
      assertThat(result.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("v");
    }
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().loadCount()).isEqualTo(1);
  }

  @Test
  void waitersOfAFailedLoadReceiveItsException() throws Exception {
    Cache<String, String> cache = newCache(10);
    CountDownLatch loaderEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> loader =
        pool.submit(
            () ->
                cache.get(
                    "k",
                    k -> {
                      loaderEntered.countDown();
                      await(release);
                      throw new IllegalStateException("store down");
                    }));
    assertThat(loaderEntered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    AtomicInteger secondLoads = new AtomicInteger();
    Future<String> waiter =
        pool.submit(
            () ->
                cache.get(
                    "k",
                    k -> {
                      secondLoads.incrementAndGet();
                      return "second";
                    }));
    // The waiter either joins the failing load (and gets its exception) or, if it arrives after
    // the failure, loads for itself. Give it time to join, then fail the first load.
    waitUntilBlockedOrDone(waiter);
    release.countDown();
    assertThatThrownBy(() -> loader.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    if (secondLoads.get() == 0) {
      assertThatThrownBy(() -> waiter.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .hasRootCauseMessage("store down");
    } else {
      assertThat(waiter.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("second");
    }
  }

  @Test
  void aStuckLoadBlocksNoOtherKeyAndNoEviction() throws Exception {
    Cache<Integer, String> cache = newCache(10);
    CountDownLatch loaderEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> stuck =
        pool.submit(
            () ->
                cache.get(
                    -1,
                    k -> {
                      loaderEntered.countDown();
                      await(release);
                      return "slow";
                    }));
    assertThat(loaderEntered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    // While key -1 is stuck: every other key loads, puts, reads and evicts, on another thread.
    Future<?> others =
        pool.submit(
            () -> {
              for (int i = 0; i < 1_000; i++) {
                assertThat(cache.get(i, k -> "v" + k)).isEqualTo("v" + i);
                cache.put(i + 100_000, "p");
                cache.getIfPresent(i);
                cache.invalidate(i - 1);
              }
              cache.cleanUp();
            });
    others.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(10);
    assertThat(cache.stats().evictionCount()).isPositive();
    assertThat(stuck).isNotDone();

    release.countDown();
    assertThat(stuck.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("slow");
  }

  // --- bulk loading ------------------------------------------------------------------------------

  @Test
  void getAllLoadsOnlyTheMissingKeysInOneCallAndKeepsTheOrderOfTheKeys() {
    Cache<Integer, String> cache = newCache(100);
    cache.put(2, "cached");
    List<Set<? extends Integer>> calls = new ArrayList<>();
    Map<Integer, String> result =
        cache.getAll(
            List.of(3, 2, 1, 3),
            missing -> {
              calls.add(Set.copyOf(missing));
              Map<Integer, String> loaded = new HashMap<>();
              missing.forEach(k -> loaded.put(k, "loaded " + k));
              return loaded;
            });
    assertThat(calls).containsExactly(Set.of(1, 3));
    assertThat(result)
        .containsExactly(entry(3, "loaded 3"), entry(2, "cached"), entry(1, "loaded 1"));
    assertThat(cache.getIfPresent(1)).isEqualTo("loaded 1");
    assertThat(cache.stats().loadSuccessCount()).isEqualTo(1);
  }

  @Test
  void getAllWithEverythingCachedCallsNoLoader() {
    Cache<Integer, String> cache = newCache(10);
    cache.put(1, "a");
    Map<Integer, String> result =
        cache.getAll(
            List.of(1),
            missing -> {
              throw new AssertionError("no load expected");
            });
    assertThat(result).containsExactly(entry(1, "a"));
  }

  @Test
  void keysTheBulkLoaderLeavesOutAreAbsentAndNotCached() {
    Cache<Integer, String> cache = newCache(10);
    Map<Integer, String> result =
        cache.getAll(List.of(1, 2), missing -> Map.of(1, "one", 99, "not asked for"));
    assertThat(result).containsExactly(entry(1, "one"));
    assertThat(cache.getIfPresent(2)).isNull();
    assertThat(cache.getIfPresent(99)).isNull();
  }

  @Test
  void aBulkLoaderExceptionReachesTheCallerAndCachesNothing() {
    Cache<Integer, String> cache = newCache(10);
    assertThatThrownBy(
            () ->
                cache.getAll(
                    List.of(1, 2),
                    missing -> {
                      throw new IllegalStateException("store down");
                    }))
        .hasMessage("store down");
    assertThat(cache.getIfPresent(1)).isNull();
    assertThat(cache.stats().loadFailureCount()).isEqualTo(1);
    assertThat(cache.getAll(List.of(1), m -> Map.of(1, "ok"))).containsExactly(entry(1, "ok"));
  }

  @Test
  void getAllRejectsNullsNamingTheParameter() {
    Cache<Integer, String> cache = newCache(10);
    assertThatThrownBy(() -> cache.getAll(null, m -> Map.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keys");
    assertThatThrownBy(() -> cache.getAll(List.of(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("bulkLoader");
    assertThatThrownBy(() -> cache.getAll(Arrays.asList(1, null), m -> Map.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  @Test
  void aSingleGetWaitsForABulkLoadOfItsKeyInsteadOfLoadingAgain() throws Exception {
    Cache<Integer, String> cache = newCache(10);
    CountDownLatch bulkEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Map<Integer, String>> bulk =
        pool.submit(
            () ->
                cache.getAll(
                    List.of(1, 2),
                    missing -> {
                      bulkEntered.countDown();
                      await(release);
                      return Map.of(1, "bulk 1", 2, "bulk 2");
                    }));
    assertThat(bulkEntered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    AtomicInteger singleLoads = new AtomicInteger();
    Future<String> single =
        pool.submit(
            () ->
                cache.get(
                    2,
                    k -> {
                      singleLoads.incrementAndGet();
                      return "single";
                    }));
    assertThat(cache.get(3, k -> "other keys are not blocked")).isNotNull();
    release.countDown();
    assertThat(bulk.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasSize(2);
    String got = single.get(WAIT_SECONDS, TimeUnit.SECONDS);
    // The single get either joined the bulk load or, if it ran after the bulk load finished,
    // found the value in the cache: it never loads key 2 itself.
    assertThat(got).isEqualTo("bulk 2");
    assertThat(singleLoads).hasValue(0);
  }

  @Test
  void overlappingBulkLoadsOnManyThreadsLoadEachKeyOnceAndNeverDeadlock() throws Exception {
    Cache<Integer, Integer> cache = newCache(1_000);
    int threads = 8;
    int keys = 64;
    ConcurrentHashMap<Integer, AtomicInteger> loadsPerKey = new ConcurrentHashMap<>();
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<Map<Integer, Integer>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Integer> mine = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        mine.add((k * (t + 1)) % keys); // every thread asks for the keys in a different order
      }
      results.add(
          pool.submit(
              () -> {
                start.await();
                return cache.getAll(
                    mine,
                    missing -> {
                      Map<Integer, Integer> loaded = new HashMap<>();
                      for (Integer k : missing) {
                        loadsPerKey.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
                        loaded.put(k, -k);
                      }
                      return loaded;
                    });
              }));
    }
    for (Future<Map<Integer, Integer>> r : results) {
      Map<Integer, Integer> map = r.get(WAIT_SECONDS, TimeUnit.SECONDS);
      map.forEach((k, v) -> assertThat(v).isEqualTo(-k));
    }
    assertThat(loadsPerKey).hasSize(keys);
    loadsPerKey.forEach((k, n) -> assertThat(n.get()).as("loads of key %s", k).isEqualTo(1));
  }

  // --- time-to-live ------------------------------------------------------------------------------

  @Test
  void anEntryExpiresItsTimeToLiveAfterItsLastWrite() {
    FakeTicker ticker = FakeTicker.startingAt(Long.MAX_VALUE - 5_000_000_000L); // crosses overflow
    Cache<String, String> cache = newCache(10, Duration.ofSeconds(10), ticker);
    cache.put("a", "1");
    ticker.advance(Duration.ofSeconds(6));
    assertThat(cache.getIfPresent("a")).isEqualTo("1");
    cache.put("a", "2"); // a write restarts the clock
    ticker.advance(Duration.ofSeconds(6));
    assertThat(cache.getIfPresent("a")).isEqualTo("2");
    ticker.advance(Duration.ofSeconds(4));
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.get("a", k -> "3")).isEqualTo("3");
    cache.cleanUp();
    CacheStats stats = cache.stats();
    assertThat(stats.hitCount()).isEqualTo(2);
    assertThat(stats.missCount()).isEqualTo(2);
    assertThat(stats.evictionCount()).as("an expiry counts as an eviction").isEqualTo(1);
    assertThat(cache.estimatedSize()).isEqualTo(1);
  }

  @Test
  void withoutATimeToLiveEntriesNeverExpire() {
    FakeTicker ticker = FakeTicker.create();
    Cache<String, String> cache =
        CacheBuilder.newBuilder()
            .recordStats()
            .maximumSize(10)
            .policy(policy())
            .ticker(ticker)
            .build();
    cache.put("a", "1");
    ticker.advance(Duration.ofDays(365 * 100));
    assertThat(cache.getIfPresent("a")).isEqualTo("1");
  }

  // --- helpers -----------------------------------------------------------------------------------

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Lets a submitted task run until it blocks or ends; a bounded, best-effort pause. */
  private static void waitUntilBlockedOrDone(Future<?> task) throws InterruptedException {
    for (int i = 0; i < 200 && !task.isDone(); i++) {
      Thread.sleep(1);
    }
  }
}
