package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link DataStore} must have. An implementation runs it through a subclass
 * that supplies a fresh, empty store per test (cache-jdbc runs it against H2 and PostgreSQL). Keys
 * and values are strings so that every backend can hold them. Public, and shipped in this module's
 * test-jar, so that backends in other modules can extend it.
 */
// "exports": javac compiles the tests inside module dev.sysblocks.cache, where JUnit's @Timeout on
// a public class of an exported package counts as exposing a type the module does not export.
@SuppressWarnings("exports")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class DataStoreContractTest {

  /** For subclasses, one per store implementation. */
  protected DataStoreContractTest() {}

  /**
   * Returns a new, empty store; each test gets its own.
   *
   * @return a store holding no entries
   */
  protected abstract DataStore<String, String> newStore();

  @Test
  void anAbsentKeyLoadsAsNull() {
    assertThat(newStore().load("missing")).isNull();
  }

  @Test
  void aWrittenValueIsLoaded() {
    DataStore<String, String> store = newStore();
    store.write("k", "v");
    assertThat(store.load("k")).isEqualTo("v");
  }

  @Test
  void aSecondWriteReplacesTheFirst() {
    DataStore<String, String> store = newStore();
    store.write("k", "v1");
    store.write("k", "v2");
    assertThat(store.load("k")).isEqualTo("v2");
  }

  @Test
  void aDeletedKeyLoadsAsNullAndDeletingAnAbsentKeyDoesNothing() {
    DataStore<String, String> store = newStore();
    store.write("k", "v");
    store.delete("k");
    store.delete("k");
    store.delete("never-written");
    assertThat(store.load("k")).isNull();
  }

  @Test
  void loadAllReturnsOnlyThePresentKeys() {
    DataStore<String, String> store = newStore();
    store.write("a", "1");
    store.write("c", "3");
    Map<String, String> found = store.loadAll(new LinkedHashSet<>(List.of("a", "b", "c")));
    assertThat(found).containsOnly(entry("a", "1"), entry("c", "3"));
  }

  @Test
  void loadAllOfNoKeysIsEmpty() {
    assertThat(newStore().loadAll(Set.of())).isEmpty();
  }

  @Test
  void writeAllStoresEveryEntryAndReplacesExistingOnes() {
    DataStore<String, String> store = newStore();
    store.write("a", "old");
    Map<String, String> batch = new LinkedHashMap<>();
    batch.put("a", "1");
    batch.put("b", "2");
    store.writeAll(batch);
    assertThat(store.loadAll(Set.of("a", "b"))).containsOnly(entry("a", "1"), entry("b", "2"));
  }

  @Test
  void keysAreComparedByValueNotIdentity() {
    DataStore<String, String> store = newStore();
    store.write(new String("k"), "v");
    assertThat(store.load(new String("k"))).isEqualTo("v");
  }

  @Test
  void concurrentWritersOfDistinctKeysAllLand() throws Exception {
    DataStore<String, String> store = newStore();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    store.write("t" + thread + "-" + i, "v" + i);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int t = 0; t < 8; t++) {
      for (int i = 0; i < 50; i++) {
        assertThat(store.load("t" + t + "-" + i)).isEqualTo("v" + i);
      }
    }
  }

  @Test
  void nullArgumentsAreRejectedNamingTheParameter() {
    DataStore<String, String> store = newStore();
    assertThatThrownBy(() -> store.load(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> store.write(null, "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> store.write("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> store.delete(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> store.loadAll(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keys");
    assertThatThrownBy(() -> store.writeAll(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("entries");
    Map<String, String> withNullValue = new LinkedHashMap<>();
    withNullValue.put("k", null);
    assertThatThrownBy(() -> store.writeAll(withNullValue))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThat(store.load("k")).isNull();
  }
}
