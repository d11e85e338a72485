/**
 * sysblocks cache over JDBC: {@link dev.sysblocks.cache.jdbc.JdbcDataStore}, the cache's {@link
 * dev.sysblocks.cache.DataStore} on one table of H2 or PostgreSQL.
 *
 * <p>Both required modules are transitive: the store's API names {@code DataStore} and {@code
 * javax.sql.DataSource}. No JDBC driver is required; the application supplies the DataSource.
 */
module dev.sysblocks.cache.jdbc {
  requires transitive dev.sysblocks.cache;
  requires transitive java.sql;

  exports dev.sysblocks.cache.jdbc;
}
