package dev.sysblocks.cache.jdbc;

/** The JDBC store's own behaviour on in-memory H2. */
class H2JdbcDataStoreTest extends AbstractJdbcDataStoreTest {

  @Override
  TestDatabase database() {
    return TestDatabase.H2;
  }
}
