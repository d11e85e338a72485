package dev.sysblocks.cache.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The ready {@link JdbcCodec}s: stateless singletons over the plain JDBC getters and setters. */
final class StandardCodecs {

  private StandardCodecs() {}

  static final JdbcCodec<String> STRING =
      new JdbcCodec<>() {
        @Override
        public void bind(PreparedStatement statement, int index, String value) throws SQLException {
          statement.setString(index, value);
        }

        @Override
        public String read(ResultSet row, int column) throws SQLException {
          return row.getString(column);
        }

        @Override
        public String columnType(JdbcDialect dialect) {
          return switch (dialect) {
            case H2 -> "CHARACTER VARYING"; // no length: H2's limit, 1,000,000,000 characters
            case POSTGRESQL -> "TEXT";
          };
        }

        @Override
        public String toString() {
          return "JdbcCodec.string()";
        }
      };

  static final JdbcCodec<Long> INT64 =
      new JdbcCodec<>() {
        @Override
        public void bind(PreparedStatement statement, int index, Long value) throws SQLException {
          statement.setLong(index, value);
        }

        @Override
        public Long read(ResultSet row, int column) throws SQLException {
          long value = row.getLong(column);
          return row.wasNull() ? null : value; // getLong reads SQL NULL as 0
        }

        @Override
        public String columnType(JdbcDialect dialect) {
          return "BIGINT";
        }

        @Override
        public String toString() {
          return "JdbcCodec.int64()";
        }
      };

  static final JdbcCodec<byte[]> BYTES =
      new JdbcCodec<>() {
        @Override
        public void bind(PreparedStatement statement, int index, byte[] value) throws SQLException {
          statement.setBytes(index, value);
        }

        @Override
        public byte[] read(ResultSet row, int column) throws SQLException {
          return row.getBytes(column);
        }

        @Override
        public String columnType(JdbcDialect dialect) {
          return switch (dialect) {
            case H2 -> "BINARY VARYING"; // no length: H2's limit, 1,000,000,000 bytes
            case POSTGRESQL -> "BYTEA";
          };
        }

        @Override
        public String toString() {
          return "JdbcCodec.bytes()";
        }
      };
}
