package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Refresh-ahead, as traces of events against a fake ticker and an executor run by hand: entries
 * read within the window before expiry are reloaded in the background while the old value is
 * served. Time-to-live 60 s, window 10 s: a hit at 50 s or later queues a refresh.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RefreshAheadTest {

  /** An executor that queues tasks until the test runs them. */
  static final class ManualExecutor implements Executor {
    final Queue<Runnable> queued = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      queued.add(task);
    }

    void runAll() {
      Runnable task;
      while ((task = queued.poll()) != null) {
        task.run();
      }
    }
  }

  private final FakeTicker ticker = FakeTicker.create();
  private final InstrumentedStore<String, String> store = new InstrumentedStore<>();
  private final ManualExecutor executor = new ManualExecutor();

  private CacheBuilder settings() {
    return CacheBuilder.newBuilder()
        .maximumSize(100)
        .expireAfterWrite(Duration.ofSeconds(60))
        .ticker(ticker);
  }

  private StrategyCache<String, String> newCache(Executor refresher) {
    return (StrategyCache<String, String>)
        StoreBackedCacheBuilder.newBuilder(store, settings())
            .refreshAhead(Duration.ofSeconds(10), refresher)
            .build();
  }

  @Test
  void aHitInTheWindowServesTheOldValueAndQueuesOneRefresh() {
    StrategyCache<String, String> cache = newCache(executor);
    store.backing.write("k", "v1");
    assertThat(cache.get("k")).isEqualTo("v1"); // t=0: loaded
    ticker.advance(Duration.ofSeconds(49));
    assertThat(cache.get("k")).isEqualTo("v1"); // t=49 s: before the window
    assertThat(executor.queued).isEmpty();
    store.backing.write("k", "v2"); // the store moves on behind the cache
    ticker.advance(Duration.ofSeconds(1));
    assertThat(cache.get("k")).isEqualTo("v1"); // t=50 s: in the window, old value served...
    assertThat(executor.queued).hasSize(1); // ...and one refresh queued
    ticker.advance(Duration.ofSeconds(5));
    assertThat(cache.get("k")).isEqualTo("v1"); // t=55 s: still one refresh, not two
    assertThat(executor.queued).hasSize(1);
    executor.runAll(); // the refresh lands at t=55 s
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(store.loads).hasValue(2);
    ticker.advance(Duration.ofSeconds(59)); // t=114 s: the refreshed entry lives to 115 s
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(store.loads).hasValue(2); // served from the cache; a refresh is queued again
    assertThat(executor.queued).hasSize(1);
  }

  @Test
  void aFailedRefreshKeepsTheOldValueAndTheNextHitTriesAgain() {
    StrategyCache<String, String> cache = newCache(executor);
    store.backing.write("k", "v1");
    cache.get("k");
    ticker.advance(Duration.ofSeconds(50));
    cache.get("k");
    store.beforeLoad =
        k -> {
          throw new IllegalStateException("store down");
        };
    executor.runAll(); // fails
    assertThat(cache.engine.refreshFailures()).isEqualTo(1);
    assertThat(cache.get("k")).isEqualTo("v1"); // old value kept, and a new refresh queued
    assertThat(executor.queued).hasSize(1);
    store.beforeLoad = k -> {};
    store.backing.write("k", "v2");
    executor.runAll();
    assertThat(cache.get("k")).isEqualTo("v2");
  }

  @Test
  void aRejectedRefreshKeepsTheOldValueAndFreesTheKeyForTheNextHit() {
    Executor rejecting =
        task -> {
          throw new RejectedExecutionException("full");
        };
    StrategyCache<String, String> cache = newCache(rejecting);
    store.backing.write("k", "v1");
    cache.get("k");
    ticker.advance(Duration.ofSeconds(50));
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(cache.engine.refreshFailures()).isEqualTo(2); // each hit tried again
  }

  @Test
  void aWriteThatOverlapsARefreshWinsOverIt() {
    StrategyCache<String, String> cache = newCache(executor);
    store.backing.write("k", "v1");
    cache.get("k");
    ticker.advance(Duration.ofSeconds(50));
    cache.get("k"); // refresh queued
    // The refresh reads "v1"; before it returns, a write of "v3" goes through the cache.
    store.afterLoadRead =
        k -> {
          store.afterLoadRead = x -> {};
          cache.put("k", "v3");
        };
    executor.runAll();
    assertThat(cache.engine.peek("k").value()).isEqualTo("v3"); // "v1" was not installed
    assertThat(store.snapshot()).containsEntry("k", "v3");
  }

  @Test
  void aRefreshThatFindsTheKeyDeletedDropsTheEntry() {
    StrategyCache<String, String> cache = newCache(executor);
    store.backing.write("k", "v1");
    cache.get("k");
    ticker.advance(Duration.ofSeconds(50));
    cache.get("k");
    store.backing.delete("k"); // deleted behind the cache's back
    executor.runAll();
    assertThat(cache.engine.peek("k")).isNull();
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void withoutAHitInTheWindowTheEntrySimplyExpires() {
    StrategyCache<String, String> cache = newCache(executor);
    store.backing.write("k", "v1");
    cache.get("k");
    ticker.advance(Duration.ofSeconds(60));
    assertThat(cache.engine.peek("k")).isNull();
    assertThat(executor.queued).isEmpty();
  }

  @Test
  void settingsAreCheckedNamingTheParameter() {
    StoreBackedCacheBuilder<String, String> builder =
        StoreBackedCacheBuilder.newBuilder(store, settings());
    assertThatThrownBy(() -> builder.refreshAhead(null, executor))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("window");
    assertThatThrownBy(() -> builder.refreshAhead(Duration.ofSeconds(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("executor");
    assertThatThrownBy(() -> builder.refreshAhead(Duration.ofSeconds(-1), executor))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be positive: PT-1S");
    builder.refreshAhead(Duration.ofSeconds(60), executor);
    assertThatThrownBy(() -> builder.refreshAhead(Duration.ofSeconds(1), executor))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("refreshAhead already set: PT1M");
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be shorter than the time-to-live: PT1M >= PT1M");
    assertThatThrownBy(
            () ->
                StoreBackedCacheBuilder.newBuilder(store, CacheBuilder.newBuilder().maximumSize(10))
                    .refreshAhead(Duration.ofSeconds(1), executor)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("refreshAhead needs the cache settings' expireAfterWrite");
  }
}
