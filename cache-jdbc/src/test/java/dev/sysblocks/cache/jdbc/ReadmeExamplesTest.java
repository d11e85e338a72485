package dev.sysblocks.cache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.cache.CacheBuilder;
import dev.sysblocks.cache.StoreBackedCache;
import dev.sysblocks.cache.StoreBackedCacheBuilder;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Mirrors the cache-jdbc snippet of the README (S10): it must compile and behave as shown. */
class ReadmeExamplesTest {

  @Test
  void readmeExampleJdbcStoreBehindAWriteThroughCache() {
    JdbcDataSource dataSource = new JdbcDataSource(); // in production: a pool over PostgreSQL
    dataSource.setURL("jdbc:h2:mem:readme;DB_CLOSE_DELAY=-1");
    // --- README snippet begins ---
    JdbcDataStore<String, String> userTable =
        JdbcDataStore.builder(dataSource, JdbcCodec.string(), JdbcCodec.string())
            .table("users") // a plain identifier, checked; keys and values are bound parameters
            .build() // the dialect, H2 or PostgreSQL, is read from the database
            .createTableIfMissing();
    StoreBackedCache<String, String> users =
        StoreBackedCacheBuilder.newBuilder(userTable, CacheBuilder.newBuilder().maximumSize(10_000))
            .build(); // write-through
    users.put("ada", "Ada Lovelace"); // one upsert, committed, then cached
    userTable.writeAll(Map.of("alan", "Alan Turing", "grace", "Grace Hopper")); // one transaction
    String grace = users.get("grace"); // a miss: one SELECT, then cached
    // --- README snippet ends ---

    assertThat(grace).isEqualTo("Grace Hopper");
    assertThat(userTable.dialect()).isEqualTo(JdbcDialect.H2);
    assertThat(userTable.load("ada")).isEqualTo("Ada Lovelace");
    assertThat(users.get("ada")).isEqualTo("Ada Lovelace");
    TestDatabase.execute(dataSource, "DROP TABLE users");
  }
}
