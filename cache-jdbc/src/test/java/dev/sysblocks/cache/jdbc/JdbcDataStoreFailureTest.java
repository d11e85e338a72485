package dev.sysblocks.cache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failures injected between the store and an in-memory H2 (through {@link TestPool}): what is
 * reported, what is retried, what is rolled back, and that every connection goes back to the pool
 * as it came.
 */
class JdbcDataStoreFailureTest {

  private Tables tables;
  private TestPool pool;
  private JdbcDataStore<String, String> store;

  @BeforeEach
  void openDatabase() {
    pool = TestDatabase.H2.pool();
    tables = new Tables(pool);
    store = tables.newStringStore();
  }

  @AfterEach
  void dropTables() {
    tables.close(); // also: no connection left open, none returned in another auto-commit mode
  }

  private static Map<String, String> twoEntries() {
    Map<String, String> batch = new LinkedHashMap<>();
    batch.put("a", "1");
    batch.put("b", "2");
    return batch;
  }

  @Test
  void aFailedStatementIsReportedNamingOperationKeyCountTableAndSqlState() {
    pool.failNext("executeQuery", new SQLException("connection reset", "08006"));
    assertThatThrownBy(() -> store.loadAll(Set.of("a", "b", "c")))
        .isInstanceOfSatisfying(
            JdbcStoreException.class,
            e -> {
              assertThat(e.operation()).isEqualTo("loadAll");
              assertThat(e.keyCount()).isEqualTo(3);
              assertThat(e.sqlState()).isEqualTo("08006");
              assertThat(e)
                  .hasMessage(
                      "loadAll of 3 keys on table "
                          + store.table()
                          + " failed (SQLState 08006): connection reset");
            });
  }

  @Test
  void aMissingTableIsReportedByTheDatabase() {
    JdbcDataStore<String, String> nowhere =
        JdbcDataStore.builder(pool, JdbcCodec.string(), JdbcCodec.string())
            .table("no_such_table")
            .build();
    assertThatThrownBy(() -> nowhere.load("k"))
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageStartingWith("load of 1 key on table no_such_table failed (SQLState 42S02)")
        .hasMessageContaining("NO_SUCH_TABLE");
  }

  @Test
  void aWriteAllFailingAtCommitIsRolledBack() {
    store.write("a", "old");
    pool.failNext("commit", new SQLException("connection lost during commit", "08006"));
    assertThatThrownBy(() -> store.writeAll(twoEntries()))
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageStartingWith("writeAll of 2 keys");
    assertThat(store.loadAll(Set.of("a", "b"))).containsOnly(entry("a", "old"));
  }

  @Test
  void aFailedRollbackIsAttachedToTheFailureAndAutoCommitIsNotTurnedBackOn() {
    TestPool own = TestDatabase.H2.pool(); // this test expects a violation: not the shared pool
    JdbcDataStore<String, String> s =
        JdbcDataStore.builder(own, JdbcCodec.string(), JdbcCodec.string())
            .table("t")
            .build()
            .createTableIfMissing();
    // The batch is executed, so the transaction holds both rows when commit and rollback fail.
    own.failNext("commit", new SQLException("commit failed", "08006"));
    own.failNext("rollback", new SQLException("rollback failed", "08006"));
    assertThatThrownBy(() -> s.writeAll(twoEntries()))
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageContaining("commit failed")
        .satisfies(
            e ->
                assertThat(e.getCause().getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("rollback failed"));
    // Turning auto-commit back on would commit the transaction (JDBC commits on that switch);
    // the store leaves it off, and the pool sees the connection come back so and rolls it back.
    assertThat(own.violations()).containsExactly("returned with autoCommit false");
    assertThat(own.outstanding()).isZero();
    assertThat(s.loadAll(Set.of("a", "b"))).isEmpty();
  }

  @Test
  void aCallTheDatabaseAbortedAsADeadlockVictimIsRetried() {
    pool.failNext("executeBatch", new SQLException("deadlock detected", "40P01"));
    int before = pool.borrowed();
    store.writeAll(twoEntries());
    assertThat(store.loadAll(Set.of("a", "b"))).isEqualTo(twoEntries());
    assertThat(pool.borrowed() - before).as("connections: two attempts and the check").isEqualTo(3);

    pool.failNext("executeUpdate", new SQLException("could not serialize access", "40001"));
    store.write("a", "again");
    assertThat(store.load("a")).isEqualTo("again");
  }

  @Test
  void retriesStopAfterThreeAttemptsKeepingTheEarlierFailures() {
    for (int i = 1; i <= 3; i++) {
      pool.failNext("executeUpdate", new SQLException("deadlock " + i, "40001"));
    }
    int before = pool.borrowed();
    assertThatThrownBy(() -> store.write("k", "v"))
        .isInstanceOfSatisfying(
            JdbcStoreException.class,
            e -> {
              assertThat(e).hasMessageEndingWith("deadlock 3");
              assertThat(e.getSuppressed()) // the earlier attempts' own failures
                  .extracting(Throwable::getMessage)
                  .containsExactly("deadlock 1", "deadlock 2");
            });
    assertThat(pool.borrowed() - before).isEqualTo(JdbcDataStore.MAX_ATTEMPTS);
    assertThat(store.load("k")).isNull();
  }

  @Test
  void otherFailuresAreNotRetried() {
    pool.failNext("executeUpdate", new SQLException("value too long", "22001"));
    int before = pool.borrowed();
    assertThatThrownBy(() -> store.delete("k")).hasMessageStartingWith("delete of 1 key");
    assertThat(pool.borrowed() - before).isEqualTo(1);
  }

  @Test
  void connectionsHandedOutWithAutoCommitOffAreCommittedAfterEachCall() {
    // The pool rolls back whatever a returned connection left uncommitted, so a write that the
    // store did not commit would be lost here.
    pool.handOutWithAutoCommitOff = true;
    store.write("a", "1");
    store.writeAll(Map.of("b", "2"));
    store.delete("a");
    store.write("c", "3");
    assertThat(store.loadAll(Set.of("a", "b", "c"))).containsOnly(entry("b", "2"), entry("c", "3"));

    pool.failNext("executeUpdate", new SQLException("refused", "22001"));
    assertThatThrownBy(() -> store.write("c", "4")).isInstanceOf(JdbcStoreException.class);
    assertThat(store.load("c")).isEqualTo("3");
    pool.handOutWithAutoCommitOff = false;
  }

  @Test
  void theDialectIsReadFromTheDatabaseUnlessGiven() {
    assertThat(store.dialect()).isEqualTo(JdbcDialect.H2);

    pool.productName = "PostgreSQL";
    assertThat(
            JdbcDataStore.builder(pool, JdbcCodec.string(), JdbcCodec.string())
                .table("t")
                .build()
                .dialect())
        .isEqualTo(JdbcDialect.POSTGRESQL);

    pool.productName = "MySQL";
    assertThatThrownBy(
            () ->
                JdbcDataStore.builder(pool, JdbcCodec.string(), JdbcCodec.string())
                    .table("t")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dataSource is a \"MySQL\" database; JdbcDataStore knows H2 and");

    int before = pool.borrowed();
    assertThat(
            JdbcDataStore.builder(pool, JdbcCodec.string(), JdbcCodec.string())
                .table("t")
                .dialect(JdbcDialect.POSTGRESQL)
                .build())
        .hasToString("JdbcDataStore[POSTGRESQL t(entry_key, entry_value)]");
    assertThat(pool.borrowed()).as("no connection when the dialect is given").isEqualTo(before);
    pool.productName = null;
  }

  @Test
  void aDatabaseThatCannotBeReachedFailsTheBuildWhenTheDialectMustBeDetected() {
    pool.failNext("getConnection", new SQLException("connection refused", "08001"));
    assertThatThrownBy(
            () ->
                JdbcDataStore.builder(pool, JdbcCodec.string(), JdbcCodec.string())
                    .table("users")
                    .build())
        .isInstanceOf(JdbcStoreException.class)
        .hasMessage("detectDialect on table users failed (SQLState 08001): connection refused");
  }
}
