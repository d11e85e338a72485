package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Mirrors the usage snippet proposed for the README (S10): it must compile and behave as shown. */
class ReadmeExamplesTest {

  record User(String id, String name) {}

  static User loadUserFromDatabase(String id) {
    return new User(id, "name of " + id);
  }

  @Test
  void readmeExampleCacheWithLoader() {
    // --- README snippet begins ---
    Cache<String, User> users =
        CacheBuilder.newBuilder()
            .maximumSize(10_000)
            .policy(EvictionPolicy.SIEVE) // or LRU (default), S3_FIFO, CAFFEINE
            .expireAfterWrite(Duration.ofMinutes(5))
            .recordStats() // off by default, as in Caffeine: counting costs every read
            .build();

    User ada = users.get("ada", id -> loadUserFromDatabase(id)); // one load, however many callers
    User again = users.getIfPresent("ada"); // a hit: no lock, no allocation
    CacheStats stats = users.stats(); // hits 1, misses 1, loads 1
    // --- README snippet ends ---

    assertThat(ada).isEqualTo(new User("ada", "name of ada"));
    assertThat(again).isSameAs(ada);
    assertThat(stats.hitCount()).isEqualTo(1);
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.loadSuccessCount()).isEqualTo(1);
  }

  @Test
  void readmeExampleWriteThrough() {
    DataStore<String, User> userTable = InMemoryDataStore.create(); // a JDBC store in production
    // --- README snippet begins ---
    StoreBackedCache<String, User> users =
        StoreBackedCacheBuilder.newBuilder(
                userTable,
                CacheBuilder.newBuilder()
                    .maximumSize(10_000)
                    .expireAfterWrite(Duration.ofMinutes(5))
                    .recordStats())
            .writeStrategy(WriteStrategy.WRITE_THROUGH) // the default; or WRITE_AROUND
            .negativeCaching(Duration.ofSeconds(30)) // remember ids the store does not have
            .build();

    users.put("ada", new User("ada", "Ada Lovelace")); // the store first, then the cache
    User ada = users.get("ada"); // a hit; a miss loads once, however many callers
    User nobody = users.get("nobody"); // null, and the store is not asked again for 30 s
    // --- README snippet ends ---

    assertThat(ada).isEqualTo(new User("ada", "Ada Lovelace"));
    assertThat(userTable.load("ada")).isEqualTo(ada);
    assertThat(nobody).isNull();
    assertThat(users.stats().hitCount()).isEqualTo(1);
    assertThat(users.stats().loadCount()).isEqualTo(1);
  }

  @Test
  void readmeExampleWriteBehind() throws Exception {
    DataStore<String, User> userTable = InMemoryDataStore.create(); // a JDBC store in production
    List<PendingWrite<String, User>> failedWrites = new CopyOnWriteArrayList<>();
    // --- README snippet begins ---
    WriteBehindCache<String, User> users =
        StoreBackedCacheBuilder.newBuilder(userTable, CacheBuilder.newBuilder().maximumSize(10_000))
            .writeBehind()
            .maxQueueSize(50_000) // when full, writers wait up to 1 s, then WriteQueueFullException
            .batchSize(500) // one writeAll per 500 keys...
            .maxWriteDelay(Duration.ofMillis(200)) // ...or once the oldest write is 200 ms old
            .retry(12, Duration.ofMillis(100), Duration.ofSeconds(10)) // ~30 s of outage on average
            .deadLetterHandler((writes, cause) -> failedWrites.addAll(writes)) // after the budget
            .build();

    users.put("ada", new User("ada", "Ada Lovelace")); // cached and queued: no store round trip
    User ada = users.get("ada"); // read-your-writes, even if evicted before the flush
    users.flush(Duration.ofSeconds(5)); // every write acknowledged so far is in the store
    List<PendingWrite<String, User>> unwritten = users.close(Duration.ofSeconds(30)); // shutdown
    // --- README snippet ends ---

    assertThat(ada).isEqualTo(new User("ada", "Ada Lovelace"));
    assertThat(userTable.load("ada")).isEqualTo(ada);
    assertThat(unwritten).isEmpty();
    assertThat(failedWrites).isEmpty();
    WriteBehindStats stats = users.writeBehindStats();
    assertThat(stats.storedWrites()).isEqualTo(1);
    assertThat(stats.queueDepth()).isZero();
  }
}
