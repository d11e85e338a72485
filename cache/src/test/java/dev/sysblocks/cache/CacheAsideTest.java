package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cache-aside: the application reads and writes its database; the helper owns the cache. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CacheAsideTest {

  private static final long WAIT_SECONDS = 10;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final ConcurrentHashMap<String, String> db = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final CacheAside<String, String> aside =
      CacheAside.create(CacheBuilder.newBuilder().maximumSize(100));

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  private String query(String key) {
    queries.incrementAndGet();
    return db.get(key);
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
  void aMissQueriesTheSourceOnceAndAnInvalidationAfterWriteMakesTheNextGetReRead() {
    db.put("k", "v1");
    assertThat(aside.get("k", this::query)).isEqualTo("v1");
    assertThat(aside.get("k", this::query)).isEqualTo("v1");
    assertThat(queries).hasValue(1);
    db.put("k", "v2");
    aside.invalidateAfterWrite("k");
    assertThat(aside.get("k", this::query)).isEqualTo("v2");
    assertThat(queries).hasValue(2);
  }

  @Test
  void aLoadThatOverlapsAnInvalidationAfterWriteIsNotCached() throws Exception {
    db.put("k", "v1");
    CountDownLatch readOld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> reader =
        pool.submit(
            () ->
                aside.get(
                    "k",
                    k -> {
                      String v = db.get(k); // reads "v1"
                      readOld.countDown();
                      await(release); // ...and is slow to return it
                      return v;
                    }));
    await(readOld);
    db.put("k", "v2"); // the application's write commits
    aside.invalidateAfterWrite("k"); // and it invalidates, while the old read is in flight
    release.countDown();
    assertThat(reader.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("v1");
    assertThat(aside.peek("k")).isNull(); // unguarded cache-aside would now hold "v1"
    assertThat(aside.get("k", this::query)).isEqualTo("v2");
  }

  @Test
  void invalidatingBeforeTheCommitLeavesTheOldValueCached() {
    // The documented misuse: the stamp cannot help when the invalidation comes first.
    db.put("k", "v1");
    aside.invalidateAfterWrite("k"); // too early
    assertThat(aside.get("k", this::query)).isEqualTo("v1"); // a read re-caches "v1"
    db.put("k", "v2"); // the commit
    assertThat(aside.get("k", this::query)).isEqualTo("v1"); // stale until expiry
  }

  @Test
  void aSourceThatReadsItsOwnKeyAgainIsRefusedRatherThanDeadlocking() {
    assertThatThrownBy(() -> aside.get("k", k -> aside.get(k, this::query)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("recursive load of a key by its own source: k");
    db.put("k", "v");
    assertThat(aside.get("k", this::query)).isEqualTo("v"); // nothing left claimed
  }

  @Test
  void anAbsentKeyIsNotCached() {
    assertThat(aside.get("missing", this::query)).isNull();
    assertThat(aside.get("missing", this::query)).isNull();
    assertThat(queries).hasValue(2);
  }

  @Test
  void nullArgumentsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> CacheAside.create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cacheSettings");
    assertThatThrownBy(() -> aside.get(null, this::query))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> aside.get("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("source");
    assertThatThrownBy(() -> aside.invalidateAfterWrite(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }
}
