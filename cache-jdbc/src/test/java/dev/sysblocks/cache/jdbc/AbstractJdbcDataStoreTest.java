package dev.sysblocks.cache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.sysblocks.cache.CacheBuilder;
import dev.sysblocks.cache.StoreBackedCache;
import dev.sysblocks.cache.StoreBackedCacheBuilder;
import dev.sysblocks.cache.WriteStrategy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the JDBC store adds to the DataStore contract, run on each database by a subclass: batch
 * atomicity, upserts, chunked bulk loads, codecs, concurrent writers, and a write-through cache on
 * top.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class AbstractJdbcDataStoreTest {

  private Tables tables;

  abstract TestDatabase database();

  @BeforeEach
  void openDatabase() {
    tables = new Tables(database().pool());
  }

  @AfterEach
  void dropTables() {
    if (tables != null) {
      tables.close();
    }
  }

  /** A store whose table refuses the value "poison" (a CHECK constraint), as a bad row. */
  private JdbcDataStore<String, String> storeRefusingPoison() {
    String table = tables.newName();
    JdbcDataStore<String, String> store =
        JdbcDataStore.builder(tables.db, JdbcCodec.string(), JdbcCodec.string())
            .table(table)
            .build();
    String text = JdbcCodec.string().columnType(store.dialect());
    TestDatabase.execute(
        tables.db,
        "CREATE TABLE "
            + table
            + " (entry_key "
            + text
            + " PRIMARY KEY, entry_value "
            + text
            + " NOT NULL CHECK (entry_value <> 'poison'))");
    return store;
  }

  private long rowCount(String table) throws SQLException {
    try (Connection c = tables.db.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + table);
        ResultSet row = s.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  // --- writes ------------------------------------------------------------------------------------

  @Test
  void aWriteAllWithOneBadRowLeavesTheTableUnchanged() {
    JdbcDataStore<String, String> store = storeRefusingPoison();
    store.write("a", "old");
    Map<String, String> batch = new LinkedHashMap<>();
    batch.put("a", "new");
    batch.put("b", "new");
    batch.put("bad", "poison"); // third of four: rows before and after it are in the batch
    batch.put("c", "new");

    assertThatThrownBy(() -> store.writeAll(batch))
        .isInstanceOfSatisfying(
            JdbcStoreException.class,
            e -> {
              assertThat(e.operation()).isEqualTo("writeAll");
              assertThat(e.keyCount()).isEqualTo(4);
              assertThat(e.sqlState()).startsWith("23"); // integrity constraint violation
              assertThat(e).hasMessageStartingWith("writeAll of 4 keys on table " + store.table());
              assertThat(e).hasCauseInstanceOf(SQLException.class);
            });

    assertThat(store.loadAll(Set.of("a", "b", "bad", "c"))).containsOnly(entry("a", "old"));
    batch.put("bad", "fine"); // the same connection pool, reused: nothing of the failure lingers
    store.writeAll(batch);
    assertThat(store.loadAll(Set.of("a", "b", "bad", "c")))
        .containsOnly(
            entry("a", "new"), entry("b", "new"), entry("bad", "fine"), entry("c", "new"));
  }

  @Test
  void aFailedWriteLeavesThePreviousValue() {
    JdbcDataStore<String, String> store = storeRefusingPoison();
    store.write("k", "v1");
    assertThatThrownBy(() -> store.write("k", "poison"))
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageStartingWith(
            "write of 1 key on table " + store.table() + " failed (SQLState 23");
    assertThat(store.load("k")).isEqualTo("v1");
  }

  @Test
  void upsertsOverwriteAndKeepOneRowPerKey() throws SQLException {
    JdbcDataStore<String, String> store = tables.newStringStore();
    store.write("k", "v1");
    store.write("k", "v2");
    store.writeAll(Map.of("k", "v3", "other", "x"));
    store.writeAll(Map.of("k", "v4"));
    assertThat(store.load("k")).isEqualTo("v4");
    assertThat(rowCount(store.table())).isEqualTo(2);
  }

  @Test
  void aLargeWriteAllIsOneTransactionAndLandsWhole() throws SQLException {
    JdbcDataStore<String, String> store = tables.newStringStore();
    Map<String, String> batch = new LinkedHashMap<>();
    for (int i = 0; i < 2_000; i++) {
      batch.put("k" + i, "v" + i);
    }
    int borrowedBefore = tables.db.borrowed();
    store.writeAll(batch);
    assertThat(tables.db.borrowed() - borrowedBefore).as("connections used").isEqualTo(1);
    assertThat(rowCount(store.table())).isEqualTo(2_000);
    assertThat(store.loadAll(batch.keySet())).isEqualTo(batch);
  }

  // --- loads -------------------------------------------------------------------------------------

  @Test
  void loadAllSpanningManyChunksFindsExactlyThePresentKeys() {
    // Chunk size 8: key counts 1..8 exercise every padded IN-list shape (1, 2, 4, 8 slots), and a
    // 1,003-key load spans 126 chunks, the last one partial.
    JdbcDataStore<String, String> store =
        tables.newStore(JdbcCodec.string(), JdbcCodec.string(), b -> b.loadAllChunkSize(8));
    Map<String, String> present = new LinkedHashMap<>();
    for (int i = 0; i < 1_000; i += 2) { // even keys present, odd ones absent
      present.put("k" + i, "v" + i);
    }
    store.writeAll(present);

    Set<String> asked = new LinkedHashSet<>();
    Map<String, String> expected = new LinkedHashMap<>();
    for (int n = 1; n <= 1_003; n++) {
      String key = "k" + (n - 1);
      asked.add(key);
      if (present.containsKey(key)) {
        expected.put(key, present.get(key));
      }
      if (n <= 17 || n == 1_003) {
        assertThat(store.loadAll(asked)).as("loadAll of %d keys", n).isEqualTo(expected);
      }
    }
  }

  @Test
  void loadAllLargerThanTheDefaultChunkUsesOneConnection() {
    JdbcDataStore<String, String> store = tables.newStringStore();
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < 3 * JdbcDataStore.DEFAULT_CHUNK_SIZE + 1; i++) {
      entries.put("k" + i, "v" + i);
    }
    store.writeAll(entries);
    int borrowedBefore = tables.db.borrowed();
    assertThat(store.loadAll(entries.keySet())).isEqualTo(entries);
    assertThat(tables.db.borrowed() - borrowedBefore).as("connections used").isEqualTo(1);
  }

  @Test
  void emptyBulkCallsDoNotTouchTheDatabase() {
    JdbcDataStore<String, String> store = tables.newStringStore();
    int borrowedBefore = tables.db.borrowed();
    assertThat(store.loadAll(Set.of())).isEmpty();
    store.writeAll(Map.of());
    assertThat(tables.db.borrowed()).isEqualTo(borrowedBefore);
  }

  // --- codecs and table --------------------------------------------------------------------------

  @Test
  void longKeysAndByteArrayValuesRoundTrip() {
    JdbcDataStore<Long, byte[]> store =
        tables.newStore(JdbcCodec.int64(), JdbcCodec.bytes(), b -> b.columns("id", "payload"));
    byte[] big = new byte[100_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    store.write(Long.MIN_VALUE, new byte[0]);
    store.write(0L, new byte[] {0, -1, 127, -128});
    store.writeAll(Map.of(Long.MAX_VALUE, big, -1L, "é€😀".getBytes(StandardCharsets.UTF_8)));

    assertThat(store.load(Long.MIN_VALUE)).isEmpty();
    assertThat(store.load(0L)).containsExactly(0, -1, 127, -128);
    assertThat(store.load(Long.MAX_VALUE)).isEqualTo(big);
    Map<Long, byte[]> all = store.loadAll(Set.of(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE));
    assertThat(all).containsOnlyKeys(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE);
    assertThat(new String(all.get(-1L), StandardCharsets.UTF_8)).isEqualTo("é€😀");
  }

  @Test
  void stringsKeepEveryCharacter() {
    JdbcDataStore<String, String> store = tables.newStringStore();
    String unicode = "naïve – ünïcödé 日本語 😀 'quoted' \"double\" ; DROP TABLE x; --";
    String longText = "x".repeat(200_000);
    store.write(unicode, longText);
    store.write("", unicode);
    assertThat(store.load(unicode)).isEqualTo(longText);
    assertThat(store.load("")).isEqualTo(unicode);
  }

  @Test
  void createTableIfMissingLeavesAnExistingTableAndItsRowsAlone() {
    JdbcDataStore<String, String> store = tables.newStringStore();
    store.write("k", "v");
    assertThat(store.createTableIfMissing()).isSameAs(store);
    assertThat(store.load("k")).isEqualTo("v");
  }

  @Test
  void theDialectIsDetectedFromTheDatabase() {
    JdbcDialect expected = database() == TestDatabase.H2 ? JdbcDialect.H2 : JdbcDialect.POSTGRESQL;
    assertThat(tables.newStringStore().dialect()).isEqualTo(expected);
  }

  // --- concurrency -------------------------------------------------------------------------------

  @Test
  void concurrentWritersOfOneKeyLeaveTheLastAcknowledgedRoundsValue() throws Exception {
    // Each round, every thread writes the hot key (and a key new in that round, so that the
    // upserts race to insert it). Once all writes of round r have returned, the table must hold
    // a round-r value for both: no acknowledged write is overtaken by an older one, and no
    // writer fails (no duplicate-key error when the inserts race).
    JdbcDataStore<String, String> store = tables.newStringStore();
    int threads = 4;
    int rounds = 30;
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger round = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    CyclicBarrier written =
        new CyclicBarrier(
            threads,
            () -> { // runs once all threads of the round have had their writes acknowledged
              int r = round.getAndIncrement();
              String hot = store.load("hot");
              String fresh = store.load("new-" + r);
              if (hot == null || !hot.startsWith(r + ":")) {
                violations.add("round " + r + ": hot = " + hot);
              }
              if (fresh == null || !fresh.startsWith(r + ":")) {
                violations.add("round " + r + ": new = " + fresh);
              }
            });
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        writers.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    start.await(10, TimeUnit.SECONDS);
                    store.write("hot", r + ":" + thread);
                    store.write("new-" + r, r + ":" + thread);
                    written.await(10, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      for (Future<?> w : writers) {
        w.get(20, TimeUnit.SECONDS); // rethrows any writer's exception
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(violations).isEmpty();
    assertThat(round.get()).isEqualTo(rounds);
    store.write("hot", "final");
    assertThat(store.load("hot")).isEqualTo("final");
  }

  @Test
  void concurrentOverlappingWriteAllsAllCommitWhole() throws Exception {
    // Two threads write the same 50 keys, handed over in opposite orders, 20 times each. Locking
    // rows in the callers' orders deadlocks (seen here: H2 then fails with a lock timeout,
    // HYT00); the store sorts each batch into one global order, so every call must succeed, and
    // afterwards every key must hold the value of one and the same batch (the last to commit).
    JdbcDataStore<String, String> store = tables.newStringStore();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add("k" + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        List<String> order = new ArrayList<>(keys);
        if (t == 1) {
          Collections.reverse(order);
        }
        String tag = "t" + t;
        writers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    Map<String, String> batch = new LinkedHashMap<>();
                    for (String k : order) {
                      batch.put(k, tag + "-" + i);
                    }
                    store.writeAll(batch);
                  }
                  return null;
                }));
      }
      for (Future<?> w : writers) {
        w.get(25, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Map<String, String> after = store.loadAll(new LinkedHashSet<>(keys));
    assertThat(after).hasSize(50);
    assertThat(new LinkedHashSet<>(after.values())).as("one batch's value everywhere").hasSize(1);
  }

  // --- with a cache in front ---------------------------------------------------------------------

  @Test
  void aWriteThroughCacheOverTheTableWorksEndToEnd() {
    JdbcDataStore<String, String> table = storeRefusingPoison();
    StoreBackedCache<String, String> users =
        StoreBackedCacheBuilder.newBuilder(
                table, CacheBuilder.newBuilder().maximumSize(100).recordStats())
            .writeStrategy(WriteStrategy.WRITE_THROUGH)
            .build();
    JdbcDataStore<String, String> sameTable = // a second store object: reads the database itself
        JdbcDataStore.builder(tables.db, JdbcCodec.string(), JdbcCodec.string())
            .table(table.table())
            .build();

    users.put("ada", "Ada Lovelace");
    assertThat(sameTable.load("ada")).isEqualTo("Ada Lovelace");
    assertThat(users.get("ada")).isEqualTo("Ada Lovelace");
    assertThat(users.stats().hitCount()).isEqualTo(1);
    assertThat(users.stats().loadCount()).isZero();

    sameTable.write("alan", "Alan Turing"); // written behind the cache's back
    assertThat(users.get("alan")).isEqualTo("Alan Turing"); // a miss, read through
    assertThat(users.stats().loadCount()).isEqualTo(1);

    assertThatThrownBy(() -> users.put("ada", "poison")).isInstanceOf(JdbcStoreException.class);
    assertThat(users.get("ada"))
        .as("cache unchanged after a failed write")
        .isEqualTo("Ada Lovelace");
    assertThat(sameTable.load("ada")).isEqualTo("Ada Lovelace");

    users.put("ada", "Augusta Ada King");
    assertThat(sameTable.load("ada")).isEqualTo("Augusta Ada King");
    assertThat(users.get("ada")).isEqualTo("Augusta Ada King");

    users.delete("ada");
    assertThat(sameTable.load("ada")).isNull();
    assertThat(users.get("ada")).isNull();
  }
}
