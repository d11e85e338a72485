package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
                    .expireAfterWrite(Duration.ofMinutes(5)))
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
}
