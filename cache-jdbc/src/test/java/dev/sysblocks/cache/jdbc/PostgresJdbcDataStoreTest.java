package dev.sysblocks.cache.jdbc;

/**
 * The JDBC store's own behaviour on PostgreSQL; skipped (each test reported as such) unless
 * SYSBLOCKS_TEST_POSTGRES_URL is set.
 */
class PostgresJdbcDataStoreTest extends AbstractJdbcDataStoreTest {

  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
