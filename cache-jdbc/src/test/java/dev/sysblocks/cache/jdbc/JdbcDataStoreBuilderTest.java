package dev.sysblocks.cache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The builder's checks. Table and column names are the only text the store puts into SQL, so
 * anything but a plain identifier is refused. The dialect is given, so no database is needed.
 */
class JdbcDataStoreBuilderTest {

  private final DataSource nowhere = new TestPool(null); // never asked for a connection here

  private JdbcDataStore.Builder<String, String> builder() {
    return JdbcDataStore.builder(nowhere, JdbcCodec.string(), JdbcCodec.string())
        .dialect(JdbcDialect.H2);
  }

  @Test
  void plainAndSchemaQualifiedIdentifiersAreAccepted() {
    for (String table :
        List.of("users", "_t", "T_1", "app.users", "a".repeat(63), "s".repeat(63) + ".t")) {
      assertThat(builder().table(table).build().table()).isEqualTo(table);
    }
  }

  @Test
  void anythingButAnIdentifierIsRefusedAsATableName() {
    for (String table :
        List.of(
            "",
            "1users",
            "users; DROP TABLE users",
            "users--",
            "us ers",
            "\"users\"",
            "user-s",
            "app.",
            ".users",
            "a.b.c",
            "tablé",
            "a".repeat(64),
            "users\n")) {
      assertThatThrownBy(() -> builder().table(table))
          .as(table)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "table must be an SQL identifier (a letter or _, then letters, digits or _, at most"
                  + " 63 characters; optionally schema.table): \""
                  + table
                  + "\"");
    }
  }

  @Test
  void columnsMustBeUnqualifiedDistinctIdentifiers() {
    assertThat(builder().table("t").columns("id", "payload").build())
        .hasToString("JdbcDataStore[H2 t(id, payload)]");
    assertThatThrownBy(() -> builder().columns("app.id", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "keyColumn must be an SQL identifier (a letter or _, then letters, digits or _, at most"
                + " 63 characters): \"app.id\"");
    assertThatThrownBy(() -> builder().columns("k", "v; --"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("valueColumn must be an SQL identifier");
    assertThatThrownBy(() -> builder().columns("id", "ID"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keyColumn and valueColumn must differ: \"id\"");
  }

  @Test
  void theChunkSizeMustFitInAStatement() {
    for (int bad : new int[] {0, -1, 32_768, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> builder().loadAllChunkSize(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("loadAllChunkSize must be between 1 and 32767: " + bad);
    }
    builder().table("t").loadAllChunkSize(1).build();
    builder().table("t").loadAllChunkSize(32_767).build();
  }

  @Test
  void nullsAreRefusedNamingTheParameter() {
    assertThatThrownBy(() -> JdbcDataStore.builder(null, JdbcCodec.string(), JdbcCodec.string()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dataSource");
    assertThatThrownBy(() -> JdbcDataStore.builder(nowhere, null, JdbcCodec.string()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyCodec");
    assertThatThrownBy(() -> JdbcDataStore.builder(nowhere, JdbcCodec.string(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("valueCodec");
    assertThatThrownBy(() -> builder().table(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("table");
    assertThatThrownBy(() -> builder().columns(null, "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyColumn");
    assertThatThrownBy(() -> builder().columns("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("valueColumn");
    assertThatThrownBy(
            () ->
                JdbcDataStore.builder(nowhere, JdbcCodec.string(), JdbcCodec.string())
                    .dialect(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dialect");
  }

  @Test
  void eachSettingIsMadeOnceAndTheTableIsRequired() {
    assertThatThrownBy(() -> builder().table("a").table("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("table already set: a");
    assertThatThrownBy(() -> builder().columns("k", "v").columns("k", "v"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("columns already set: k");
    assertThatThrownBy(() -> builder().dialect(JdbcDialect.POSTGRESQL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dialect already set: H2");
    assertThatThrownBy(() -> builder().loadAllChunkSize(8).loadAllChunkSize(8))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("loadAllChunkSize already set: 8");
    assertThatThrownBy(() -> builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("table not set");
  }

  @Test
  void theUpsertIsTheDialectsOwnStatement() {
    assertThat(JdbcDialect.H2.upsert("t", "k", "v"))
        .isEqualTo("MERGE INTO t (k, v) KEY (k) VALUES (?, ?)");
    assertThat(JdbcDialect.POSTGRESQL.upsert("t", "k", "v"))
        .isEqualTo(
            "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v");
  }

  @Test
  void theReadyCodecsNameTheirColumnTypesPerDialect() {
    assertThat(JdbcCodec.string().columnType(JdbcDialect.POSTGRESQL)).isEqualTo("TEXT");
    assertThat(JdbcCodec.string().columnType(JdbcDialect.H2)).isEqualTo("CHARACTER VARYING");
    assertThat(JdbcCodec.int64().columnType(JdbcDialect.POSTGRESQL)).isEqualTo("BIGINT");
    assertThat(JdbcCodec.bytes().columnType(JdbcDialect.POSTGRESQL)).isEqualTo("BYTEA");
    assertThat(JdbcCodec.bytes().columnType(JdbcDialect.H2)).isEqualTo("BINARY VARYING");
    assertThat(JdbcCodec.int64()).hasToString("JdbcCodec.int64()");
  }
}
