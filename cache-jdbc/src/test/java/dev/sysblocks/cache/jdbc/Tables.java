package dev.sysblocks.cache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Creates stores on fresh, uniquely named tables of one database and drops those tables on close,
 * so tests do not see each other's rows and a shared PostgreSQL database is left as it was. On
 * close it also checks that every connection went back to the pool as it was handed out.
 */
final class Tables implements AutoCloseable {

  // A random run id keeps two runs against one PostgreSQL database apart.
  private static final String RUN =
      Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36).toLowerCase(Locale.ROOT);
  private static final AtomicInteger COUNT = new AtomicInteger();

  final TestPool db;
  private final List<String> created = new ArrayList<>();

  Tables(TestPool db) {
    this.db = db;
  }

  /** A table name no other test uses; dropped on close. */
  String newName() {
    String name = "sysblocks_" + RUN + "_" + COUNT.incrementAndGet();
    created.add(name);
    return name;
  }

  /** A String-to-String store on a new table that exists (created here). */
  JdbcDataStore<String, String> newStringStore() {
    return newStore(JdbcCodec.string(), JdbcCodec.string(), b -> b);
  }

  /** A store on a new table, configured by {@code settings}, its table created here. */
  <K, V> JdbcDataStore<K, V> newStore(
      JdbcCodec<K> keys, JdbcCodec<V> values, UnaryOperator<JdbcDataStore.Builder<K, V>> settings) {
    return settings
        .apply(JdbcDataStore.builder(db, keys, values).table(newName()))
        .build()
        .createTableIfMissing();
  }

  @Override
  public void close() {
    for (String table : created) {
      TestDatabase.execute(db, "DROP TABLE IF EXISTS " + table);
    }
    created.clear();
    assertThat(db.outstanding()).as("connections not closed").isZero();
    assertThat(db.violations()).as("connections returned in another state").isEmpty();
  }
}
