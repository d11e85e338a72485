package dev.sysblocks.cache.jdbc;

import java.sql.SQLException;

/**
 * A database call of a {@link JdbcDataStore} failed. The message names the operation, the number of
 * keys it carried, the table and the database's SQLState and message; the cause is the driver's
 * {@link SQLException}. The driver's message may quote bound values (pgjdbc's batch errors show the
 * failing row), so treat it like the data itself when logging.
 *
 * <p>As the {@link dev.sysblocks.cache.DataStore} contract says, a failed write may or may not have
 * been applied (a commit whose answer was lost); a failed {@link JdbcDataStore#writeAll} was rolled
 * back unless its commit itself failed.
 */
public final class JdbcStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String operation;
  private final int keyCount;
  private final String sqlState;

  JdbcStoreException(String operation, int keyCount, String table, SQLException cause) {
    super(message(operation, keyCount, table, cause), cause);
    this.operation = operation;
    this.keyCount = keyCount;
    this.sqlState = cause.getSQLState();
  }

  /**
   * The store method that failed: {@code load}, {@code loadAll}, {@code write}, {@code writeAll},
   * {@code delete}, {@code createTableIfMissing} or {@code detectDialect}.
   *
   * @return the operation's name
   */
  public String operation() {
    return operation;
  }

  /**
   * The number of keys the failed call carried (0 for calls about the table itself).
   *
   * @return the key count
   */
  public int keyCount() {
    return keyCount;
  }

  /**
   * The SQLState the database reported (such as {@code 23514}, a check constraint violated), or
   * null if the driver gave none.
   *
   * @return the SQLState, or null
   */
  public String sqlState() {
    return sqlState;
  }

  private static String message(String operation, int keyCount, String table, SQLException e) {
    StringBuilder m = new StringBuilder(operation);
    if (keyCount > 0) {
      m.append(" of ").append(keyCount).append(keyCount == 1 ? " key" : " keys");
    }
    m.append(" on table ").append(table).append(" failed");
    m.append(" (SQLState ").append(e.getSQLState()).append("): ").append(e.getMessage());
    return m.toString();
  }
}
