package dev.sysblocks.cache.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The databases the store's tests run on: an in-memory H2 (always) and the PostgreSQL server named
 * by {@value #POSTGRES_URL_VARIABLE} (a JDBC URL carrying user and password; .ci/run starts a
 * throw-away one). Without that variable, PostgreSQL tests are skipped through a JUnit assumption,
 * so the run reports them as skipped rather than passing them silently.
 */
enum TestDatabase {
  H2 {
    /** A pool over a fresh in-memory database. */
    @Override
    TestPool pool() {
      JdbcDataSource h2 = new JdbcDataSource();
      // DB_CLOSE_DELAY=-1: keep the in-memory database when no connection is open.
      h2.setURL("jdbc:h2:mem:sysblocks" + H2_DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
      return new TestPool(h2);
    }
  },

  POSTGRES {
    /** One pool for the whole run (connections are expensive), or the test is skipped. */
    @Override
    TestPool pool() {
      String url = System.getenv(POSTGRES_URL_VARIABLE);
      assumeTrue(
          url != null && !url.isBlank(),
          POSTGRES_URL_VARIABLE
              + " is not set: PostgreSQL store tests SKIPPED (.ci/run starts a throw-away server;"
              + " or run .ci/postgres.sh mvn -B verify -pl cache-jdbc -am)");
      return SharedPostgres.POOL;
    }
  };

  /** Created on first use (after the assumption above passed): one pool for the run. */
  private static final class SharedPostgres {
    static final TestPool POOL = create();

    private static TestPool create() {
      PGSimpleDataSource postgres = new PGSimpleDataSource();
      postgres.setURL(System.getenv(POSTGRES_URL_VARIABLE));
      return new TestPool(postgres);
    }
  }

  static final String POSTGRES_URL_VARIABLE = "SYSBLOCKS_TEST_POSTGRES_URL";
  private static final AtomicInteger H2_DATABASES = new AtomicInteger();

  /** Returns a pool over this database, or skips the test. */
  abstract TestPool pool();

  /** Runs one statement in its own connection. */
  static void execute(DataSource db, String sql) {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
