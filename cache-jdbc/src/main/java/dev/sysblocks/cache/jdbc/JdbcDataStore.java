package dev.sysblocks.cache.jdbc;

import dev.sysblocks.cache.DataStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link DataStore} over one table of a relational database (H2 or PostgreSQL), reached through a
 * {@link DataSource}: a key column (the primary key) and a value column, converted by a {@link
 * JdbcCodec} each.
 *
 * <pre>{@code
 * JdbcDataStore<String, String> users =
 *     JdbcDataStore.builder(dataSource, JdbcCodec.string(), JdbcCodec.string())
 *         .table("users")
 *         .build()
 *         .createTableIfMissing();
 * users.write("ada", "Ada Lovelace"); // an upsert, committed when it returns
 * }</pre>
 *
 * <p><b>Operations.</b> {@link #write} is one upsert statement ({@link JdbcDialect} gives it per
 * database); {@link #writeAll} sends every entry as one JDBC batch in one transaction, all or
 * nothing; {@link #loadAll} asks for its keys with {@code IN (...)} queries of at most {@link
 * Builder#loadAllChunkSize} keys each (256 by default); {@link #delete} is one statement. Each call
 * borrows a connection from the DataSource and gives it back before returning, with its auto-commit
 * mode as it found it; a connection handed out with auto-commit off is committed after each call.
 *
 * <p><b>Failures.</b> A database error becomes a {@link JdbcStoreException} naming the operation,
 * the number of keys and the table, with the {@link SQLException} as its cause. A call the database
 * aborted as a deadlock or serialization victim (SQLState 40001 or 40P01: nothing of it was
 * applied) is retried, up to three attempts in all. A failed {@code writeAll} has been rolled back.
 * Arguments are checked first: {@link NullPointerException} naming the parameter, before any
 * database work.
 *
 * <p><b>Consistency.</b> Every statement is atomic and a concurrent reader sees a write entirely or
 * not at all; a {@code writeAll} becomes visible as a whole when it commits. Concurrent writes of
 * one key are applied one after the other and the last to reach the database wins; the store keeps
 * no versions, so ordering writes of a key is the caller's job (write-through and write-behind do
 * it). Thread-safe: the store holds no connection and no mutable state.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class JdbcDataStore<K, V> implements DataStore<K, V> {

  /*
   * A table as the system of record
   * ================================
   * Problem. The cache strategies need a store that behaves the same whether it is an embedded H2
   * in a test or a PostgreSQL server in production, and whose failure semantics they can reason
   * about: when is a write durable, what can a concurrent reader see, what does a failed batch
   * leave behind. The JDBC details that decide this (auto-commit, batches, upsert syntax, how
   * many parameters a statement may carry) must be settled once, here.
   *
   * Idea. One row per key; every write an upsert, so write and writeAll never need to know
   * whether the key exists. PostgreSQL spells it INSERT ... ON CONFLICT (k) DO UPDATE SET
   * v = EXCLUDED.v [1]: the conflicting row is locked and updated, and under READ COMMITTED the
   * statement always ends in an insert or an update, never a duplicate-key error, however many
   * sessions race on the key. H2 spells it MERGE INTO t (k, v) KEY (k) VALUES (?, ?) [2]: update
   * the row with that key, insert if there was none. The rest of the SQL is shared text.
   *
   * Batch atomicity. writeAll turns auto-commit off, adds one upsert per entry to a single JDBC
   * batch, executes it and commits; on any failure it rolls back and throws. The database, not
   * this class, provides the all-or-nothing: the rows are written inside one transaction, and a
   * transaction either commits or leaves no trace (a crash before COMMIT rolls it back at
   * recovery). The one ambiguous case is an error during COMMIT itself (the connection dropped):
   * the caller gets an exception and the batch may or may not be there, as the DataStore contract
   * allows. Because every statement is an upsert, resending a whole batch after such a failure is
   * safe: the write-behind retry loop depends on exactly this.
   *
   * What a concurrent reader sees. Both databases default to READ COMMITTED [3]: each statement
   * reads a snapshot of what was committed when it started. So a load never sees half of a
   * writeAll; it sees all of it or none, and a single IN (...) query of loadAll is one snapshot.
   * A loadAll larger than one chunk runs several queries, and a writeAll may commit between
   * them: chunk 1 shows the old values, chunk 2 the new ones. Worked example, with a chunk size
   * of 2 and a writeAll {a=1, b=1, c=1, d=1} replacing zeros:
   *
   *   writer:  BEGIN  upsert a,b,c,d ...................... COMMIT
   *   reader:           SELECT a,b -> {a=0, b=0}                    SELECT c,d -> {c=1, d=1}
   *            --------------------------------------------------------------------------> time
   *
   * Each key's value is one that was committed, but the map mixes two moments. Callers that
   * need one snapshot keep loadAll within one chunk (256 keys by default).
   *
   * Last writer wins, per statement. Two upserts of one key take the row's lock in turn; the
   * second overwrites the first. "Last" is the order in which the statements reach the row, not
   * the order in which callers invoked write(): of two overlapping calls either may win, while a
   * write that returned before another began is always overwritten by it. There is no version
   * column to reject an older value arriving late, so per-key order is the caller's
   * responsibility. Write-through provides it by holding the key's lock across store.write, so
   * the cache and the table see one key's writes in the same order (one round trip of
   * serialization per key, other keys unaffected). Write-behind has to provide it itself: its
   * batches become writeAll calls, and two batches holding one key must never be in flight at
   * once, or the older could commit last. A failed batch rolls back entirely, so the retry
   * resends it whole, and resending committed upserts changes nothing.
   *
   * Invariant. Each public call runs on one connection, borrowed from the DataSource and closed
   * before the call returns; the connection's auto-commit mode is the one it had when borrowed;
   * a call that turned auto-commit off has committed or rolled back before restoring it.
   * Table and column names match [A-Za-z_][A-Za-z0-9_]{0,62} (a table may be schema.table) and
   * are the only text ever placed in SQL; keys and values travel as bound parameters.
   *
   * Cost. One round trip per load, write and delete (plus one commit round trip if the
   * connection comes with auto-commit off); writeAll of n entries: the batch (the driver sends
   * it in few network writes) plus a commit; loadAll of n keys: ceil(n / chunk) queries. Worked
   * example, measured with a scratch timing loop (not a JMH benchmark: there is none for the store
   * yet) on the 2-core CI VM under a load average of 10, one pooled connection, PostgreSQL 15 on
   * loopback with fsync off:
   *
   *   2,000 x write()          ~250 ms   (~125 us each: a round trip and a commit apiece)
   *   1 x writeAll(2,000)      32-42 ms  (16-21 us per entry: one batch, one commit)
   *   2,000 x load()           ~150 ms   (~75 us each)
   *   1 x loadAll(2,000)       10-14 ms  (8 queries of 256 keys)
   *
   * In-memory H2, without a network: write ~30-45 us, load ~17-20 us. With durable commits
   * (fsync on) each autocommitted write also waits for its own WAL flush, a batch for one.
   * Round trips and commits, not SQL, are the cost: that is what write-behind's batching buys.
   *
   * The IN lists are padded up to the next power of two (repeating the last key, which adds no
   * row), so a chunk size of 256 gives at most 9 distinct statement texts. Drivers cache prepared
   * statements by text (pgjdbc keeps 256 per connection and plans server-side after 5 uses [4]);
   * one text per key count would churn that cache. The price is at most twice the parameters.
   *
   * Concurrency. No lock and no shared mutable state here: concurrency control is the
   * database's row locks and snapshots. Two transactions locking overlapping rows in opposite
   * orders deadlock: PostgreSQL aborts one after deadlock_timeout (1 s), H2 lets one wait out
   * its lock timeout (HYT00). So writeAll sorts its entries by key hash before batching them:
   * every batch takes its row locks in one global order, and batches cannot deadlock each other
   * (keys with equal hashes keep the caller's order). Without the sort, two threads writing the
   * same 50 keys in opposite orders deadlocked on H2 within 20 batches
   * (concurrentOverlappingWriteAllsAllCommitWhole). A call the database still aborts as a
   * deadlock or serialization victim (SQLState 40P01 or 40001: nothing of it was applied) is
   * retried, three attempts in all.
   *
   * Alternatives. A read-then-insert-or-update in application code races (two inserts, one
   * duplicate-key error) unless wrapped in SERIALIZABLE and retried; the native upserts avoid
   * it. PostgreSQL 15's standard MERGE does not: concurrent MERGEs of a new key can still fail on
   * the unique index [5]. Loading with "= ANY(?)" and one array parameter needs a typed SQL array
   * per codec and is PostgreSQL-only; IN lists work everywhere. A version column checked in the
   * upsert's WHERE would let the table itself refuse stale writes, at the price of every writer
   * carrying a version; the cache strategies order writes instead. InMemoryDataStore is the
   * sibling for tests without a database.
   *
   * References.
   *  [1] PostgreSQL 15, INSERT ... ON CONFLICT,
   *      https://www.postgresql.org/docs/15/sql-insert.html#SQL-ON-CONFLICT
   *  [2] H2, MERGE INTO ... KEY, https://h2database.com/html/commands.html#merge_into
   *  [3] PostgreSQL 15, Transaction Isolation,
   *      https://www.postgresql.org/docs/15/transaction-iso.html
   *  [4] pgjdbc, Server Prepared Statements,
   *      https://jdbc.postgresql.org/documentation/server-prepare/
   *  [5] PostgreSQL 15, MERGE, https://www.postgresql.org/docs/15/sql-merge.html
   */

  /** Attempts of a call the database rolled back as a deadlock or serialization victim. */
  static final int MAX_ATTEMPTS = 3;

  /**
   * Default keys per loadAll query: a power of two, so padded IN lists take 9 shapes; small enough
   * that a chunk is one snapshot for most bulk misses, large enough that 10,000 keys are 40
   * queries.
   */
  static final int DEFAULT_CHUNK_SIZE = 256;

  /**
   * Upper bound on the chunk size, in parameters per statement: PostgreSQL's wire protocol counts a
   * statement's parameters in 16 bits, and some drivers read that count as signed.
   */
  static final int MAX_CHUNK_SIZE = 32_767;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final DataSource dataSource;
  private final JdbcCodec<K> keyCodec;
  private final JdbcCodec<V> valueCodec;
  private final JdbcDialect dialect;
  private final String table;
  private final String keyColumn;
  private final String valueColumn;
  private final int chunkSize;
  private final String selectOne;
  private final String upsert;
  private final String deleteOne;
  private final String[] selectIn; // [i]: 2^i keys for 2^i < chunkSize; last: chunkSize keys

  private JdbcDataStore(
      Builder<K, V> b, JdbcDialect dialect, String keyColumn, String valueColumn, int chunkSize) {
    this.dataSource = b.dataSource;
    this.keyCodec = b.keyCodec;
    this.valueCodec = b.valueCodec;
    this.dialect = dialect;
    this.table = b.table;
    this.keyColumn = keyColumn;
    this.valueColumn = valueColumn;
    this.chunkSize = chunkSize;
    this.selectOne = "SELECT " + valueColumn + " FROM " + table + " WHERE " + keyColumn + " = ?";
    this.upsert = dialect.upsert(table, keyColumn, valueColumn);
    this.deleteOne = "DELETE FROM " + table + " WHERE " + keyColumn + " = ?";
    int powers = 32 - Integer.numberOfLeadingZeros(chunkSize - 1); // powers of two below chunkSize
    this.selectIn = new String[powers + 1];
    for (int i = 0; i < powers; i++) {
      selectIn[i] = selectIn(1 << i);
    }
    selectIn[powers] = selectIn(chunkSize);
  }

  /**
   * Starts a builder for a store over {@code dataSource} with the given key and value codecs.
   *
   * @param dataSource where connections come from (a pool in production)
   * @param keyCodec the key column's codec
   * @param valueCodec the value column's codec
   * @param <K> the key type
   * @param <V> the value type
   * @return a new builder
   * @throws NullPointerException if any argument is null
   */
  public static <K, V> Builder<K, V> builder(
      DataSource dataSource, JdbcCodec<K> keyCodec, JdbcCodec<V> valueCodec) {
    return new Builder<>(
        Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(keyCodec, "keyCodec"),
        Objects.requireNonNull(valueCodec, "valueCodec"));
  }

  // --- DataStore ---------------------------------------------------------------------------------

  @Override
  public V load(K key) {
    Objects.requireNonNull(key, "key");
    return call(
        "load",
        1,
        false,
        c -> {
          try (PreparedStatement s = c.prepareStatement(selectOne)) {
            keyCodec.bind(s, 1, key);
            try (ResultSet row = s.executeQuery()) {
              return row.next() ? valueCodec.read(row, 1) : null;
            }
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code IN (...)} query per {@link Builder#loadAllChunkSize} keys, all on one connection;
   * each query is one snapshot, but a concurrent {@code writeAll} may commit between two of them.
   * An empty set returns an empty map without touching the database.
   */
  @Override
  public Map<K, V> loadAll(Set<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    List<K> list = new ArrayList<>(keys.size());
    for (K key : keys) {
      list.add(Objects.requireNonNull(key, "key"));
    }
    Map<K, V> found = new LinkedHashMap<>();
    if (list.isEmpty()) {
      return found;
    }
    return call(
        "loadAll",
        list.size(),
        false,
        c -> {
          found.clear(); // a retried attempt starts over
          for (int from = 0; from < list.size(); from += chunkSize) {
            int to = Math.min(list.size(), from + chunkSize);
            loadChunk(c, list.subList(from, to), found);
          }
          return found;
        });
  }

  @Override
  public void write(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    call(
        "write",
        1,
        false,
        c -> {
          try (PreparedStatement s = c.prepareStatement(upsert)) {
            keyCodec.bind(s, 1, key);
            valueCodec.bind(s, 2, value);
            s.executeUpdate();
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here all or nothing: one JDBC batch of upserts in one transaction. If any entry fails (a
   * constraint, a type the column refuses, a lost connection), the transaction is rolled back and a
   * {@link JdbcStoreException} thrown; the table is as before unless the commit itself failed.
   * Concurrent readers see none of the entries until the commit, then all of them. The entries are
   * sent sorted by key hash, so concurrent batches over overlapping keys do not deadlock.
   */
  @Override
  public void writeAll(Map<? extends K, ? extends V> entries) {
    Objects.requireNonNull(entries, "entries");
    List<Map.Entry<K, V>> batch = new ArrayList<>(entries.size());
    for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
      batch.add(
          Map.entry(
              Objects.requireNonNull(e.getKey(), "key"),
              Objects.requireNonNull(e.getValue(), "value")));
    }
    if (batch.isEmpty()) {
      return;
    }
    // One global order of row locks: two batches over overlapping keys cannot deadlock each other.
    batch.sort(Comparator.comparingInt(e -> e.getKey().hashCode()));
    call(
        "writeAll",
        batch.size(),
        true,
        c -> {
          try (PreparedStatement s = c.prepareStatement(upsert)) {
            for (Map.Entry<K, V> e : batch) {
              keyCodec.bind(s, 1, e.getKey());
              valueCodec.bind(s, 2, e.getValue());
              s.addBatch();
            }
            s.executeBatch();
          }
          return null;
        });
  }

  @Override
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    call(
        "delete",
        1,
        false,
        c -> {
          try (PreparedStatement s = c.prepareStatement(deleteOne)) {
            keyCodec.bind(s, 1, key);
            s.executeUpdate();
          }
          return null;
        });
  }

  // --- table -------------------------------------------------------------------------------------

  /**
   * Creates the table if it does not exist: the key column as primary key and the value column
   * {@code NOT NULL}, typed by the codecs' {@link JdbcCodec#columnType}. An existing table is left
   * as it is, whatever its columns. For tests and demos; production schemas usually come from a
   * migration tool.
   *
   * @return this store
   * @throws JdbcStoreException if the statement fails
   */
  public JdbcDataStore<K, V> createTableIfMissing() {
    String ddl =
        "CREATE TABLE IF NOT EXISTS "
            + table
            + " ("
            + keyColumn
            + " "
            + keyCodec.columnType(dialect)
            + " PRIMARY KEY, "
            + valueColumn
            + " "
            + valueCodec.columnType(dialect)
            + " NOT NULL)";
    call(
        "createTableIfMissing",
        0,
        false,
        c -> {
          try (PreparedStatement s = c.prepareStatement(ddl)) {
            s.executeUpdate();
          }
          return null;
        });
    return this;
  }

  /**
   * Returns the dialect in use (set on the builder or detected).
   *
   * @return the dialect
   */
  public JdbcDialect dialect() {
    return dialect;
  }

  /**
   * Returns the table name, as given to the builder.
   *
   * @return the table name
   */
  public String table() {
    return table;
  }

  @Override
  public String toString() {
    return "JdbcDataStore[" + dialect + " " + table + "(" + keyColumn + ", " + valueColumn + ")]";
  }

  // --- internals ---------------------------------------------------------------------------------

  private void loadChunk(Connection c, List<K> keys, Map<K, V> found) throws SQLException {
    int n = keys.size();
    int slots = n == 1 ? 1 : Math.min(chunkSize, Integer.highestOneBit(n - 1) << 1);
    String sql =
        slots == chunkSize
            ? selectIn[selectIn.length - 1]
            : selectIn[Integer.numberOfTrailingZeros(slots)];
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < slots; i++) {
        keyCodec.bind(s, i + 1, keys.get(Math.min(i, n - 1))); // pad with the last key
      }
      try (ResultSet row = s.executeQuery()) {
        while (row.next()) {
          K key = keyCodec.read(row, 1);
          V value = valueCodec.read(row, 2);
          if (key != null && value != null) {
            found.put(key, value);
          }
        }
      }
    }
  }

  private String selectIn(int keys) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(keyColumn)
            .append(", ")
            .append(valueColumn)
            .append(" FROM ")
            .append(table)
            .append(" WHERE ")
            .append(keyColumn)
            .append(" IN (?");
    for (int i = 1; i < keys; i++) {
      sql.append(", ?");
    }
    return sql.append(')').toString();
  }

  /** Work on one borrowed connection. */
  @FunctionalInterface
  private interface SqlWork<R> {
    R run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on a borrowed connection (in one transaction if {@code transaction}),
   * retrying an attempt the database rolled back as a deadlock or serialization victim, and wraps
   * the final SQLException.
   */
  private <R> R call(String operation, int keyCount, boolean transaction, SqlWork<R> work) {
    List<SQLException> earlier = new ArrayList<>(0);
    while (true) {
      try {
        return attempt(transaction, work);
      } catch (SQLException e) {
        if (earlier.size() + 1 < MAX_ATTEMPTS && rolledBackByDatabase(e)) {
          earlier.add(e);
          continue;
        }
        JdbcStoreException failure = new JdbcStoreException(operation, keyCount, table, e);
        earlier.forEach(failure::addSuppressed);
        throw failure;
      }
    }
  }

  private <R> R attempt(boolean transaction, SqlWork<R> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean restoreAutoCommit = transaction && c.getAutoCommit();
      if (restoreAutoCommit) {
        c.setAutoCommit(false);
      }
      R result;
      try {
        result = work.run(c);
        if (!c.getAutoCommit()) {
          c.commit(); // our transaction, or a pooled connection handed out with auto-commit off
        }
      } catch (Throwable t) { // rethrown below: roll back whatever went wrong, even an Error
        // If the rollback fails, auto-commit stays off: turning it on would commit the partial
        // transaction. The connection goes back closed; the pool must reset or discard it.
        if (rolledBack(c, t) && restoreAutoCommit) {
          restoreAutoCommitAfter(c, t);
        }
        throw t;
      }
      if (restoreAutoCommit) {
        c.setAutoCommit(true);
      }
      return result;
    }
  }

  /** Rolls back an open transaction after {@code failure}; false if that failed too. */
  private static boolean rolledBack(Connection c, Throwable failure) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      return true;
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e); // the first failure is the one to report
      return false;
    }
  }

  private static void restoreAutoCommitAfter(Connection c, Throwable failure) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** SQLState 40001 (serialization failure; H2's deadlock) or 40P01 (PostgreSQL's deadlock). */
  private static boolean rolledBackByDatabase(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  static String checkIdentifier(String name, String parameter, boolean qualified) {
    Objects.requireNonNull(name, parameter);
    int dot = qualified ? name.indexOf('.') : -1;
    boolean valid;
    if (dot >= 0) {
      valid =
          IDENTIFIER.matcher(name.substring(0, dot)).matches()
              && IDENTIFIER.matcher(name.substring(dot + 1)).matches();
    } else {
      valid = IDENTIFIER.matcher(name).matches();
    }
    if (!valid) {
      throw new IllegalArgumentException(
          parameter
              + " must be an SQL identifier (a letter or _, then letters, digits or _, at most 63"
              + (qualified ? " characters; optionally schema.table" : " characters")
              + "): \""
              + name
              + "\"");
    }
    return name;
  }

  // --- builder -----------------------------------------------------------------------------------

  /**
   * Configures a {@link JdbcDataStore}. The table name is required; everything else has a default.
   * Each setting may be made once ({@link IllegalStateException} otherwise). Not thread-safe; the
   * stores it builds are.
   *
   * @param <K> the key type
   * @param <V> the value type
   */
  public static final class Builder<K, V> {
    private final DataSource dataSource;
    private final JdbcCodec<K> keyCodec;
    private final JdbcCodec<V> valueCodec;
    private String table;
    private String keyColumn;
    private String valueColumn;
    private JdbcDialect dialect;
    private int chunkSize;

    private Builder(DataSource dataSource, JdbcCodec<K> keyCodec, JdbcCodec<V> valueCodec) {
      this.dataSource = dataSource;
      this.keyCodec = keyCodec;
      this.valueCodec = valueCodec;
    }

    /**
     * Sets the table (required). Only plain SQL identifiers are accepted, never quoted names, so
     * the name can be placed in statements as it is: a letter or underscore, then letters, digits
     * or underscores, at most 63 characters (PostgreSQL truncates longer names silently),
     * optionally qualified by a schema of the same form ({@code "app.users"}). Unquoted names are
     * case-insensitive: PostgreSQL folds them to lower case, H2 to upper case.
     *
     * @param table the table name
     * @return this builder
     * @throws NullPointerException if {@code table} is null
     * @throws IllegalArgumentException if {@code table} is not such an identifier
     * @throws IllegalStateException if already set
     */
    public Builder<K, V> table(String table) {
      checkUnset(this.table, "table");
      this.table = checkIdentifier(table, "table", true);
      return this;
    }

    /**
     * Sets the key and value column names (default {@code entry_key} and {@code entry_value}),
     * identifiers of the same form as {@link #table} without a schema.
     *
     * @param keyColumn the key column (the primary key)
     * @param valueColumn the value column
     * @return this builder
     * @throws NullPointerException if either is null
     * @throws IllegalArgumentException if either is not an identifier, or both are the same
     * @throws IllegalStateException if already set
     */
    public Builder<K, V> columns(String keyColumn, String valueColumn) {
      checkUnset(this.keyColumn, "columns");
      checkIdentifier(keyColumn, "keyColumn", false);
      checkIdentifier(valueColumn, "valueColumn", false);
      if (keyColumn.equalsIgnoreCase(valueColumn)) {
        throw new IllegalArgumentException(
            "keyColumn and valueColumn must differ: \"" + keyColumn + "\"");
      }
      this.keyColumn = keyColumn;
      this.valueColumn = valueColumn;
      return this;
    }

    /**
     * Sets the dialect instead of detecting it from the database's product name at {@link #build}.
     *
     * @param dialect the dialect
     * @return this builder
     * @throws NullPointerException if {@code dialect} is null
     * @throws IllegalStateException if already set
     */
    public Builder<K, V> dialect(JdbcDialect dialect) {
      checkUnset(this.dialect, "dialect");
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Sets the most keys one {@link JdbcDataStore#loadAll} query asks for (default 256); larger key
     * sets take several queries on one connection.
     *
     * @param chunkSize keys per query, from 1 to 32,767
     * @return this builder
     * @throws IllegalArgumentException if {@code chunkSize} is outside [1, 32767]
     * @throws IllegalStateException if already set
     */
    public Builder<K, V> loadAllChunkSize(int chunkSize) {
      if (this.chunkSize != 0) {
        throw new IllegalStateException("loadAllChunkSize already set: " + this.chunkSize);
      }
      if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
        throw new IllegalArgumentException(
            "loadAllChunkSize must be between 1 and " + MAX_CHUNK_SIZE + ": " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    /**
     * Builds the store. Without a {@link #dialect}, borrows one connection to read the database's
     * product name. Creates no table (see {@link JdbcDataStore#createTableIfMissing()}).
     *
     * @return a new store
     * @throws IllegalStateException if no table was set
     * @throws IllegalArgumentException if the detected database is neither H2 nor PostgreSQL
     * @throws JdbcStoreException if the dialect had to be detected and no connection could be had
     */
    public JdbcDataStore<K, V> build() {
      if (table == null) {
        throw new IllegalStateException("table not set");
      }
      return new JdbcDataStore<>(
          this,
          dialect != null ? dialect : detectDialect(),
          keyColumn != null ? keyColumn : "entry_key",
          valueColumn != null ? valueColumn : "entry_value",
          chunkSize != 0 ? chunkSize : DEFAULT_CHUNK_SIZE);
    }

    private JdbcDialect detectDialect() {
      try (Connection c = dataSource.getConnection()) {
        return JdbcDialect.of(c.getMetaData());
      } catch (SQLException e) {
        throw new JdbcStoreException("detectDialect", 0, table, e);
      }
    }

    private static void checkUnset(Object current, String setting) {
      if (current != null) {
        throw new IllegalStateException(setting + " already set: " + current);
      }
    }
  }
}
