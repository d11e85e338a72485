package dev.sysblocks.cache.jdbc;

import dev.sysblocks.cache.DataStore;
import dev.sysblocks.cache.DataStoreContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Runs the cache's {@link DataStore} contract against {@link JdbcDataStore} on in-memory H2. */
class H2JdbcDataStoreContractTest extends DataStoreContractTest {

  private Tables tables;

  @BeforeEach
  void openDatabase() {
    tables = new Tables(TestDatabase.H2.pool());
  }

  @AfterEach
  void dropTables() {
    tables.close();
  }

  @Override
  protected DataStore<String, String> newStore() {
    return tables.newStringStore();
  }
}
