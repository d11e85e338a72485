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
}
