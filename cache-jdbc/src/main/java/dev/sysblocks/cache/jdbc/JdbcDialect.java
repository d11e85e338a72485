package dev.sysblocks.cache.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * The SQL a {@link JdbcDataStore} needs that differs between databases: today only the upsert.
 * Everything else (select, delete, {@code IN} lists, {@code CREATE TABLE IF NOT EXISTS}) is the
 * same text on both. {@link JdbcDataStore.Builder#build()} detects the dialect from the database's
 * product name unless one is set.
 *
 * <table class="striped">
 *   <caption>Upsert per dialect</caption>
 *   <tr><th>Dialect</th><th>Statement</th><th>Under concurrent upserts of one new key</th></tr>
 *   <tr><td>{@link #POSTGRESQL}</td>
 *       <td>{@code INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v =
 *       EXCLUDED.v}</td>
 *       <td>one inserts, the others wait for its row lock and update: no duplicate-key error
 *       (documented atomic outcome under read committed)</td></tr>
 *   <tr><td>{@link #H2}</td>
 *       <td>{@code MERGE INTO t (k, v) KEY (k) VALUES (?, ?)}</td>
 *       <td>an update, and an insert if no row matched; H2 serializes them on the row (tested with
 *       concurrent writers of one key)</td></tr>
 * </table>
 */
public enum JdbcDialect {
  /** H2 2.x (embedded, tests, demos): {@code MERGE INTO ... KEY (...)}. */
  H2 {
    @Override
    String upsert(String table, String keyColumn, String valueColumn) {
      return "MERGE INTO "
          + table
          + " ("
          + keyColumn
          + ", "
          + valueColumn
          + ") KEY ("
          + keyColumn
          + ") VALUES (?, ?)";
    }
  },

  /** PostgreSQL 9.5 and later: {@code INSERT ... ON CONFLICT (...) DO UPDATE}. */
  POSTGRESQL {
    @Override
    String upsert(String table, String keyColumn, String valueColumn) {
      return "INSERT INTO "
          + table
          + " ("
          + keyColumn
          + ", "
          + valueColumn
          + ") VALUES (?, ?) ON CONFLICT ("
          + keyColumn
          + ") DO UPDATE SET "
          + valueColumn
          + " = EXCLUDED."
          + valueColumn;
    }
  };

  /**
   * The upsert of one row, parameters (key, value); the names are validated identifiers.
   *
   * @param table the table name
   * @param keyColumn the key column name
   * @param valueColumn the value column name
   * @return the statement text
   */
  abstract String upsert(String table, String keyColumn, String valueColumn);

  /**
   * The dialect of the database {@code metaData} describes.
   *
   * @param metaData the connection's metadata
   * @return the dialect
   * @throws SQLException if the product name cannot be read
   * @throws IllegalArgumentException if the product is neither H2 nor PostgreSQL
   */
  static JdbcDialect of(DatabaseMetaData metaData) throws SQLException {
    String product = metaData.getDatabaseProductName();
    if ("H2".equals(product)) {
      return H2;
    }
    if ("PostgreSQL".equals(product)) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "dataSource is a \""
            + product
            + "\" database; JdbcDataStore knows H2 and PostgreSQL (set a dialect explicitly"
            + " only for a database that accepts one of their upsert statements)");
  }
}
