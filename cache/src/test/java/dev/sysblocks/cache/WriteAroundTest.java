package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Write-around: the store is written and the cached entry dropped; the next read loads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriteAroundTest {

  private final InstrumentedStore<String, String> store = new InstrumentedStore<>();
  private final StrategyCache<String, String> cache =
      (StrategyCache<String, String>)
          StoreBackedCacheBuilder.newBuilder(store, CacheBuilder.newBuilder().maximumSize(100))
              .writeStrategy(WriteStrategy.WRITE_AROUND)
              .build();

  @Test
  void aWriteReachesTheStoreAndDropsTheCachedEntry() {
    store.backing.write("k", "v1");
    assertThat(cache.get("k")).isEqualTo("v1"); // cached
    cache.put("k", "v2");
    assertThat(store.snapshot()).containsEntry("k", "v2");
    assertThat(cache.engine.peek("k")).isNull();
    assertThat(cache.get("k")).isEqualTo("v2"); // loaded again
    assertThat(store.loads).hasValue(2);
  }

  @Test
  void aWriteOfAnUncachedKeyDoesNotFillTheCache() {
    cache.put("k", "v");
    assertThat(cache.engine.peek("k")).isNull();
    assertThat(cache.stats().loadCount()).isZero();
  }

  @Test
  void aFailedStoreWriteKeepsTheCachedEntry() {
    store.backing.write("k", "v1");
    cache.get("k");
    store.beforeWrite =
        k -> {
          throw new IllegalStateException("store down");
        };
    assertThatThrownBy(() -> cache.put("k", "v2")).isInstanceOf(IllegalStateException.class);
    assertThat(cache.engine.peek("k").value()).isEqualTo("v1");
  }

  @Test
  void theWriteStrategyIsSetOnceAndNotNull() {
    CacheBuilder settings = CacheBuilder.newBuilder().maximumSize(10);
    StoreBackedCacheBuilder<String, String> builder =
        StoreBackedCacheBuilder.newBuilder(store, settings);
    assertThatThrownBy(() -> builder.writeStrategy(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("writeStrategy");
    builder.writeStrategy(WriteStrategy.WRITE_AROUND);
    assertThatThrownBy(() -> builder.writeStrategy(WriteStrategy.WRITE_THROUGH))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("writeStrategy already set: WRITE_AROUND");
  }
}
