package dev.sysblocks.cache.jdbc;

import dev.sysblocks.cache.DataStore;
import dev.sysblocks.cache.DataStoreContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs the cache's {@link DataStore} contract against {@link JdbcDataStore} on PostgreSQL; skipped
 * (each test reported as such) unless SYSBLOCKS_TEST_POSTGRES_URL is set.
 */
class PostgresJdbcDataStoreContractTest extends DataStoreContractTest {

  private Tables tables;

  @BeforeEach
  void openDatabaseOrSkip() {
    tables = new Tables(TestDatabase.POSTGRES.pool());
  }

  @AfterEach
  void dropTables() {
    if (tables != null) {
      tables.close();
    }
  }

  @Override
  protected DataStore<String, String> newStore() {
    return tables.newStringStore();
  }
}
