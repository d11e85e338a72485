package dev.sysblocks.cache.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Moves one key or value type in and out of a column: how to bind it as a statement parameter, how
 * to read it back from a result row, and which column type holds it. {@link JdbcDataStore} takes
 * one codec for its key column and one for its value column.
 *
 * <pre>{@code
 * JdbcDataStore<Long, byte[]> blobs =
 *     JdbcDataStore.builder(dataSource, JdbcCodec.int64(), JdbcCodec.bytes()).table("blobs").build();
 * }</pre>
 *
 * <p>Ready codecs: {@link #string()}, {@link #int64()} and {@link #bytes()}. For another type,
 * implement the three methods (for example a record serialized to JSON text through {@code
 * setString}/{@code getString}). A key codec must preserve equality: a key read back from the table
 * must equal the key that was written, since {@link JdbcDataStore#loadAll} returns a map keyed by
 * the keys it reads. For that reason {@link #bytes()} suits values, not keys (arrays compare by
 * identity). Implementations must be thread-safe (the ready ones are stateless).
 *
 * @param <T> the Java type held in the column
 */
public interface JdbcCodec<T> {

  /**
   * Binds {@code value} as parameter {@code index} of {@code statement}.
   *
   * @param statement the statement being prepared
   * @param index the 1-based parameter index
   * @param value the value to bind, never null
   * @throws SQLException if the driver refuses the value
   */
  void bind(PreparedStatement statement, int index, T value) throws SQLException;

  /**
   * Reads column {@code column} of the current row of {@code row}.
   *
   * @param row a result set positioned on a row
   * @param column the 1-based column index
   * @return the value, or null if the column holds SQL NULL
   * @throws SQLException if the driver cannot read the column
   */
  T read(ResultSet row, int column) throws SQLException;

  /**
   * Returns the column type that holds this codec's values in {@code dialect}, as written in a
   * {@code CREATE TABLE} statement; used only by {@link JdbcDataStore#createTableIfMissing()}.
   *
   * @param dialect the database's dialect
   * @return an SQL type name, such as {@code "TEXT"} or {@code "BIGINT"}
   */
  String columnType(JdbcDialect dialect);

  /**
   * Strings as {@code TEXT} on PostgreSQL and {@code CHARACTER VARYING} (no length limit) on H2.
   *
   * @return the string codec
   */
  static JdbcCodec<String> string() {
    return StandardCodecs.STRING;
  }

  /**
   * {@code Long} as {@code BIGINT}.
   *
   * @return the 64-bit integer codec
   */
  static JdbcCodec<Long> int64() {
    return StandardCodecs.INT64;
  }

  /**
   * Byte arrays as {@code BYTEA} on PostgreSQL and {@code BINARY VARYING} on H2; for values (an
   * array key would compare by identity in the maps that bulk loads return).
   *
   * @return the byte array codec
   */
  static JdbcCodec<byte[]> bytes() {
    return StandardCodecs.BYTES;
  }
}
