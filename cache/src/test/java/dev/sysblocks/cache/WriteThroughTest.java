package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Write-through: the store first, then the cache; a failed store write changes nothing cached. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriteThroughTest {

  private static final long WAIT_SECONDS = 10;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final InstrumentedStore<String, String> store = new InstrumentedStore<>();
  private final StrategyCache<String, String> cache =
      (StrategyCache<String, String>)
          StoreBackedCacheBuilder.newBuilder(
                  store, CacheBuilder.newBuilder().recordStats().maximumSize(100))
              .build();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
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

  private String cached(String key) {
    Slot<String> slot = cache.engine.peek(key);
    return slot == null ? null : slot.value();
  }

  @Test
  void putWritesTheStoreAndTheCacheSoTheNextGetHitsWithoutALoad() {
    cache.put("k", "v");
    assertThat(store.snapshot()).containsEntry("k", "v");
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(store.loads).hasValue(0);
    assertThat(cache.stats().hitCount()).isEqualTo(1);
  }

  @Test
  void aFailedStoreWriteLeavesTheCacheUnchangedAndReachesTheCaller() {
    cache.put("k", "v1");
    store.beforeWrite =
        k -> {
          throw new IllegalStateException("disk full");
        };
    assertThatThrownBy(() -> cache.put("k", "v2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("disk full");
    assertThat(cached("k")).isEqualTo("v1");
    assertThat(store.snapshot()).containsEntry("k", "v1");
    assertThatThrownBy(() -> cache.put("new", "x")).isInstanceOf(IllegalStateException.class);
    assertThat(cached("new")).isNull();
  }

  @Test
  void deleteRemovesTheKeyFromTheStoreAndTheCache() {
    cache.put("k", "v");
    cache.delete("k");
    assertThat(store.snapshot()).doesNotContainKey("k");
    assertThat(cached("k")).isNull();
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void aFailedDeleteLeavesTheCacheUnchanged() {
    cache.put("k", "v");
    store.beforeWrite =
        k -> {
          throw new IllegalStateException("store down");
        };
    assertThatThrownBy(() -> cache.delete("k")).isInstanceOf(IllegalStateException.class);
    assertThat(cached("k")).isEqualTo("v");
  }

  @Test
  void aLoadThatReadTheOldValueBeforeAWriteDoesNotCacheIt() throws Exception {
    store.backing.write("k", "old");
    CountDownLatch loadRead = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.afterLoadRead =
        k -> {
          loadRead.countDown();
          await(release);
        };
    Future<String> reader = pool.submit(() -> cache.get("k"));
    await(loadRead); // the load has read "old" and is about to return it
    cache.put("k", "new"); // a write completes meanwhile
    release.countDown();
    assertThat(reader.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("old"); // overlapped: ok
    assertThat(cached("k")).isEqualTo("new"); // but "old" was not cached over "new"
  }

  @Test
  void aSlowWriteOfOneKeyDoesNotBlockWritesOfAnother() throws Exception {
    CountDownLatch writeEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeWrite =
        k -> {
          if (k.equals("slow")) {
            writeEntered.countDown();
            await(release);
          }
        };
    Future<?> slow = pool.submit(() -> cache.put("slow", "1"));
    await(writeEntered);
    cache.put("fast", "2"); // returns while "slow" is still inside the store
    assertThat(cached("fast")).isEqualTo("2");
    release.countDown();
    slow.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(cached("slow")).isEqualTo("1");
  }

  @Test
  void nullArgumentsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> cache.put(null, "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.put("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> cache.delete(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThat(store.writes).hasValue(0);
  }
}
