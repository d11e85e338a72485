package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.cache.WriteLogStore.StoreDownException;
import dev.sysblocks.core.FakeTicker;
import dev.sysblocks.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Write-behind, one behaviour per test. Most tests run without a flusher thread ({@code
 * manualFlushing}): a {@link FakeTicker} is the clock and the sleeper, {@code runOnce()} is one
 * flush cycle at its reading, and flush/close run cycles on the test thread, jumping time over
 * backoff. The few tests about threads (a slow store, blocking writers, close) use the real flusher
 * with latches and bounded waits.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WriteBehindTest {

  private static final long WAIT_SECONDS = 10;
  private static final Duration LONG = Duration.ofMinutes(10);

  private final FakeTicker time = FakeTicker.create();
  private final WriteLogStore<String, String> store = new WriteLogStore<>();
  private final List<PendingWrite<String, String>> deadLetters =
      Collections.synchronizedList(new ArrayList<>());
  private final List<Throwable> deadLetterCauses = Collections.synchronizedList(new ArrayList<>());
  private final List<WriteBehindCache<String, String>> opened = new ArrayList<>();

  @AfterEach
  void closeCaches() throws InterruptedException {
    store.gate = () -> {};
    for (WriteBehindCache<String, String> cache : opened) {
      cache.close(Duration.ofSeconds(WAIT_SECONDS));
    }
  }

  /** A builder over the fake clock whose dead letters land in {@link #deadLetters}. */
  private WriteBehindBuilder<String, String> builder(int cacheSize) {
    return builder(cacheSize, time);
  }

  private WriteBehindBuilder<String, String> builder(int cacheSize, Ticker ticker) {
    return StoreBackedCacheBuilder.newBuilder(
            store,
            CacheBuilder.newBuilder()
                .maximumSize(cacheSize)
                .policy(EvictionPolicy.SIEVE) // on one thread, evicts before put returns
                .ticker(ticker))
        .writeBehind()
        .jitter(() -> 0.5)
        .deadLetterHandler(
            (writes, cause) -> {
              deadLetters.addAll(writes);
              deadLetterCauses.add(cause);
            });
  }

  private WriteBehindStrategyCache<String, String> manual(WriteBehindBuilder<String, String> b) {
    return track(b.manualFlushing(time).build());
  }

  private WriteBehindStrategyCache<String, String> track(WriteBehindCache<String, String> cache) {
    opened.add(cache);
    return (WriteBehindStrategyCache<String, String>) cache;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Every acknowledged write is stored, coalesced, dead-lettered or still queued. */
  static void assertAccounted(WriteBehindStats s) {
    assertThat(s.acknowledgedWrites())
        .as("acknowledged == stored + coalesced + dead-lettered + queued, in %s", s)
        .isEqualTo(
            s.storedWrites() + s.coalescedWrites() + s.deadLetteredWrites() + s.queueDepth());
  }

  // --- acknowledgement, coalescing, batching -------------------------------------------------

  @Test
  void aPutIsReadBackAtOnceAndReachesTheStoreOnlyWhenFlushed() throws Exception {
    WriteBehindStrategyCache<String, String> cache = manual(builder(100));
    cache.put("a", "1");
    assertThat(store.snapshot()).isEmpty();
    assertThat(cache.get("a")).isEqualTo("1");
    assertThat(store.loads).hasValue(0);
    assertThat(cache.writeBehindStats().queueDepth()).isEqualTo(1);

    cache.flush(Duration.ofSeconds(1));

    assertThat(store.snapshot()).containsExactly(Map.entry("a", "1"));
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.queueDepth()).isZero();
    assertThat(s.storedWrites()).isEqualTo(1);
    assertThat(s.batchCount()).isEqualTo(1);
    assertAccounted(s);
  }

  @Test
  void writesOfOneKeyThatWaitTogetherCoalesceIntoItsNewestValue() throws Exception {
    store.preload("b", "old");
    WriteBehindStrategyCache<String, String> cache = manual(builder(100));
    for (int i = 1; i <= 5; i++) {
      cache.put("a", "a" + i);
    }
    cache.delete("b");
    cache.put("b", "new"); // a delete then a put: the put
    cache.put("c", "1");
    cache.delete("c"); // a put then a delete: the delete

    cache.flush(Duration.ofSeconds(1));

    assertThat(store.applied())
        .containsExactlyInAnyOrder(
            new WriteLogStore.Applied<>("a", "a5"),
            new WriteLogStore.Applied<>("b", "new"),
            new WriteLogStore.Applied<>("c", null));
    assertThat(store.snapshot()).containsOnly(Map.entry("a", "a5"), Map.entry("b", "new"));
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.acknowledgedWrites()).isEqualTo(9);
    assertThat(s.coalescedWrites()).isEqualTo(6);
    assertThat(s.storedWrites()).isEqualTo(3);
    assertAccounted(s);
  }

  @Test
  void aBatchIsSentAsSoonAsItIsFullWithoutWaitingForItsAge() {
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).batchSize(3).maxWriteDelay(Duration.ofHours(1)));
    cache.put("a", "1");
    cache.put("b", "2");
    assertThat(cache.queue.runOnce()).isFalse();
    cache.put("a", "1'"); // coalesces: still two waiting
    assertThat(cache.queue.runOnce()).isFalse();
    cache.put("c", "3");
    assertThat(cache.queue.runOnce()).isTrue();
    assertThat(store.writeAllSizes()).containsExactly(3);
    assertThat(store.snapshot())
        .containsOnly(Map.entry("a", "1'"), Map.entry("b", "2"), Map.entry("c", "3"));
    cache.put("d", "4");
    assertThat(cache.queue.runOnce()).isFalse();
  }

  @Test
  void aBatchIsSentWhenItsOldestWriteReachesTheMaximumDelay() {
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).batchSize(100).maxWriteDelay(Duration.ofSeconds(5)));
    cache.put("a", "1");
    time.advance(Duration.ofSeconds(2));
    cache.put("b", "2");
    time.advance(Duration.ofMillis(2_999));
    assertThat(cache.queue.runOnce()).isFalse(); // a is 4.999 s old
    time.advance(Duration.ofMillis(1));
    assertThat(cache.queue.runOnce()).isTrue(); // a is 5 s old; b rides along
    assertThat(store.writeAllSizes()).containsExactly(2);

    cache.put("c", "3");
    time.advance(Duration.ofMillis(4_999));
    assertThat(cache.queue.runOnce()).isFalse();
    time.advance(Duration.ofMillis(1));
    assertThat(cache.queue.runOnce()).isTrue();
    assertThat(store.writeAllSizes()).containsExactly(2, 1);
  }

  // --- ordering ------------------------------------------------------------------------------

  @Test
  void aNewerWriteOfAKeyInFlightWaitsForItAndLandsAfterIt() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    store.gate =
        () -> {
          mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
          entered.countDown();
          await(release); // only the first call blocks: the latch stays open afterwards
          inside.decrementAndGet();
        };
    WriteBehindStrategyCache<String, String> cache =
        track(builder(100).batchSize(1).maxWriteDelay(Duration.ofHours(1)).build());

    cache.put("k", "v1"); // a full batch: the flusher takes it and blocks inside the store
    await(entered);
    cache.put("k", "v2"); // acknowledged while v1 is in flight
    cache.put("k", "v3"); // coalesces with v2
    assertThat(cache.get("k")).isEqualTo("v3");
    assertThat(cache.writeBehindStats().queueDepth()).isEqualTo(2); // one in flight, one waiting
    assertThat(store.appliedTo("k")).isEmpty();

    release.countDown();
    cache.flush(Duration.ofSeconds(WAIT_SECONDS));

    assertThat(store.appliedTo("k")).containsExactly("v1", "v3");
    assertThat(store.snapshot()).containsEntry("k", "v3");
    assertThat(mostInside).as("store calls in flight at once").hasValue(1);
  }

  @Test
  void aFailedWriteThatANewerWriteReplacedIsNeverRetriedOverIt() throws Exception {
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).retry(5, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    cache.put("k", "v1");
    store.failAfterApplying = true; // v1's call applies it, then throws (a timed-out commit)
    store.down = true;
    store.gate =
        () -> {
          store.gate = () -> {};
          cache.put("k", "v2"); // acknowledged while v1 is inside the store
        };
    time.advance(Duration.ofSeconds(1)); // v1 is due by age
    assertThat(cache.queue.runOnce()).isTrue(); // v1 fails; v2 takes over its retry state
    store.down = false;
    store.failAfterApplying = false;

    cache.flush(LONG);

    // v1 was never retried: retrying it after v2 would leave the store at the older value.
    assertThat(store.appliedTo("k")).containsExactly("v1", "v2");
    assertThat(store.snapshot()).containsEntry("k", "v2");
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.retryCount()).isEqualTo(1); // the key, now carrying v2, backed off once
    assertThat(s.coalescedWrites()).isEqualTo(1); // v1, replaced by v2
    assertThat(deadLetters).isEmpty();
    assertAccounted(s);
  }

  // --- failures ------------------------------------------------------------------------------

  @ParameterizedTest(name = "k = {0}")
  @ValueSource(ints = {2, 3, 7})
  void aStoreThatFailsEveryKthCallEndsWithTheLastAcknowledgedValueOfEveryKey(int k)
      throws Exception {
    store.failEvery = k;
    WriteBehindStrategyCache<String, String> cache =
        manual(
            builder(8)
                .batchSize(4)
                .maxWriteDelay(Duration.ofMillis(50))
                .retry(10, Duration.ofMillis(10), Duration.ofSeconds(1)));
    Map<String, String> model = new HashMap<>();
    Random random = new Random(k);
    for (int i = 0; i < 300; i++) {
      String key = "k" + random.nextInt(20);
      if (random.nextInt(5) == 0) {
        cache.delete(key);
        model.remove(key);
      } else {
        cache.put(key, "v" + i);
        model.put(key, "v" + i);
      }
      assertThat(cache.get(key)).isEqualTo(model.get(key));
      if (i % 3 == 0) {
        while (cache.queue.runOnce()) {
          // run every due batch
        }
        time.advance(Duration.ofMillis(20));
      }
    }
    cache.flush(LONG);

    assertThat(store.snapshot()).isEqualTo(model);
    assertThat(deadLetters).isEmpty();
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.retryCount()).isPositive();
    assertAccounted(s);
  }

  @Test
  void aStoreDownFor30SecondsLosesNothingWhenTheRetryBudgetCoversIt() throws Exception {
    // Budget: 16 attempts, caps 0.1 s doubling to 10 s, jitter pinned at 0.5: waits 0.05, 0.1,
    // 0.2, 0.4, 0.8, 1.6, 3.2, then 5 s each: 46 s of failures before a write is dead-lettered.
    WriteBehindStrategyCache<String, String> cache =
        manual(
            builder(4) // a small cache: entries are evicted while their writes wait
                .batchSize(5)
                .maxWriteDelay(Duration.ofMillis(200))
                .retry(16, Duration.ofMillis(100), Duration.ofSeconds(10)));
    Map<String, String> model = new HashMap<>();
    Random random = new Random(30);
    store.down = true;
    long outage = Duration.ofSeconds(30).toNanos();
    for (int step = 0; time.read() < outage; step++) {
      String key = "k" + random.nextInt(12);
      if (random.nextInt(6) == 0) {
        cache.delete(key);
        model.remove(key);
      } else {
        cache.put(key, "v" + step);
        model.put(key, "v" + step);
      }
      while (cache.queue.runOnce()) {
        // run every due batch: each fails
      }
      time.advance(Duration.ofMillis(250));
      String probe = "k" + random.nextInt(12);
      assertThat(cache.get(probe))
          .as("read of %s during the outage", probe)
          .isEqualTo(model.get(probe));
    }
    assertThat(store.snapshot()).isEmpty();
    assertThat(store.writeCalls.get()).isGreaterThan(10);
    store.down = false; // the store comes back after 30 s

    cache.flush(LONG);

    assertThat(store.snapshot()).isEqualTo(model);
    assertThat(deadLetters).isEmpty();
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.deadLetteredWrites()).isZero();
    assertThat(s.retryCount()).isPositive();
    assertThat(s.queueDepth()).isZero();
    assertAccounted(s);
  }

  @Test
  void whenTheRetryBudgetRunsOutTheDeadLetterGetsExactlyTheUnwrittenWrites() throws Exception {
    store.preload("c", "old");
    store.down = true;
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).retry(3, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    cache.put("a", "1");
    cache.put("b", "2");
    cache.put("b", "2'");
    cache.delete("c");

    cache.flush(LONG); // returns once every write is stored or dead-lettered

    assertThat(deadLetters)
        .containsExactlyInAnyOrder(
            new PendingWrite<>("a", "1"),
            new PendingWrite<>("b", "2'"),
            new PendingWrite<>("c", null));
    assertThat(deadLetterCauses).allMatch(c -> c instanceof StoreDownException);
    assertThat(store.writeCalls).hasValue(3 * 2); // 3 attempts of one writeAll and one delete
    assertThat(store.snapshot()).containsOnly(Map.entry("c", "old"));
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.deadLetteredWrites()).isEqualTo(3);
    assertThat(s.retryCount()).isEqualTo(2 * 3); // each of the 3 writes retried twice
    assertThat(s.queueDepth()).isZero();
    assertAccounted(s);
    assertThat(cache.get("c")).as("a dead-lettered write is no longer served").isEqualTo("old");

    store.down = false;
    cache.put("a", "9");
    cache.flush(LONG);
    assertThat(store.snapshot()).containsEntry("a", "9");
  }

  @Test
  void anErrorTheRetryPredicateRejectsIsDeadLetteredAtOnce() throws Exception {
    store.rejectKey = k -> k.equals("bad");
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).retryOn(e -> !(e instanceof IllegalArgumentException)));
    cache.put("bad", "x");

    cache.flush(LONG);

    assertThat(deadLetters).containsExactly(new PendingWrite<>("bad", "x"));
    assertThat(deadLetterCauses).singleElement().isInstanceOf(IllegalArgumentException.class);
    assertThat(store.writeCalls).hasValue(1);
    assertThat(cache.writeBehindStats().retryCount()).isZero();
  }

  @Test
  void aThrowingDeadLetterHandlerIsCountedAndLosesNoAccounting() throws Exception {
    store.down = true;
    WriteBehindStrategyCache<String, String> cache =
        manual(
            StoreBackedCacheBuilder.newBuilder(
                    store, CacheBuilder.newBuilder().maximumSize(100).ticker(time))
                .writeBehind()
                .retry(1, Duration.ofSeconds(1), Duration.ofSeconds(1))
                .deadLetterHandler(
                    (writes, cause) -> {
                      throw new IllegalStateException("dead-letter table unavailable");
                    }));
    cache.put("a", "1");
    cache.put("b", "2");

    cache.flush(LONG); // the handler threw; flush still completes

    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.deadLetteredWrites()).isEqualTo(2);
    assertThat(s.deadLetterHandlerFailures()).isEqualTo(1);
    assertThat(s.queueDepth()).isZero();
    assertAccounted(s);
  }

  @Test
  void flushThrowsTimeoutExceptionWhileTheStoreStaysDownAndKeepsTheWrites() throws Exception {
    store.down = true;
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).retry(100, Duration.ofMillis(100), Duration.ofSeconds(1)));
    cache.put("a", "1");

    assertThatThrownBy(() -> cache.flush(Duration.ofSeconds(5)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("1 queued writes");
    assertThat(cache.writeBehindStats().queueDepth()).isEqualTo(1);
    assertThat(cache.get("a")).isEqualTo("1");

    store.down = false;
    cache.flush(LONG);
    assertThat(store.snapshot()).containsEntry("a", "1");
  }

  // --- back-pressure -------------------------------------------------------------------------

  @Test
  void aWriterFacingAFullQueueGivesUpAtTheTimeoutAndNothingChanges() {
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).maxQueueSize(2).batchSize(2).blockWhenFull(Duration.ofSeconds(3)));
    cache.put("a", "1");
    cache.put("b", "2");
    long before = time.read();

    assertThatThrownBy(() -> cache.put("c", "3"))
        .isInstanceOf(WriteQueueFullException.class)
        .hasMessageContaining("maxQueueSize 2")
        .hasMessageContaining("not acknowledged");
    assertThat(time.read() - before).isEqualTo(Duration.ofSeconds(3).toNanos()); // it waited 3 s
    assertThatThrownBy(() -> cache.delete("c")).isInstanceOf(WriteQueueFullException.class);
    assertThat(cache.engine.peek("c")).isNull();
    assertThat(cache.get("c")).isNull(); // loaded from the store: nothing was queued
    assertThat(store.loads).hasValue(1);

    cache.put("a", "1'"); // replaces a's waiting write: needs no room
    assertThat(cache.get("a")).isEqualTo("1'");
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.rejectedWrites()).isEqualTo(2);
    assertThat(s.acknowledgedWrites()).isEqualTo(3);
    assertAccounted(s);
  }

  @Test
  void aWriterBlockedOnAFullQueueProceedsWhenTheFlusherMakesRoom() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean released = new AtomicBoolean();
    store.gate =
        () -> {
          entered.countDown();
          await(release);
        };
    WriteBehindStrategyCache<String, String> cache =
        track(
            builder(100)
                .maxQueueSize(1)
                .batchSize(1)
                .blockWhenFull(Duration.ofSeconds(WAIT_SECONDS))
                .build());
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      cache.put("a", "1"); // taken by the flusher, which blocks in the store: the queue is full
      await(entered);
      Future<Boolean> blocked =
          writer.submit(
              () -> {
                cache.put("b", "2");
                return released.get(); // true only if put waited for the room
              });
      released.set(true);
      release.countDown();
      assertThat(blocked.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      cache.flush(Duration.ofSeconds(WAIT_SECONDS));
      assertThat(store.snapshot()).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"));
      assertThat(cache.writeBehindStats().rejectedWrites()).isZero();
    } finally {
      writer.shutdownNow();
    }
  }

  // --- reads ---------------------------------------------------------------------------------

  @Test
  void readsSeePendingWritesAfterTheCacheEvictsThem() {
    for (int i = 0; i < 10; i++) {
      store.preload("k" + i, "old");
    }
    WriteBehindStrategyCache<String, String> cache = manual(builder(2));
    for (int i = 0; i < 10; i++) {
      cache.put("k" + i, "new" + i);
    }
    cache.delete("k9");
    int evicted = 0;
    for (int i = 0; i < 10; i++) {
      evicted += cache.engine.peek("k" + i) == null ? 1 : 0;
    }
    assertThat(evicted).as("entries evicted before their writes were flushed").isGreaterThan(5);

    for (int i = 0; i < 9; i++) {
      assertThat(cache.get("k" + i)).isEqualTo("new" + i);
    }
    assertThat(cache.get("k9")).as("a pending delete reads as absent").isNull();
    assertThat(store.loads).as("the store was never asked").hasValue(0);
    assertThat(store.applied()).isEmpty();
  }

  @Test
  void aReadAfterAnOlderWriteIsStoredStillSeesTheNewerOneWaitingBehindIt() {
    WriteBehindStrategyCache<String, String> cache = manual(builder(100).batchSize(1));
    cache.put("k", "v1"); // a full batch
    store.gate =
        () -> {
          store.gate = () -> {};
          cache.put("k", "v2"); // acknowledged while v1 is inside the store
        };
    assertThat(cache.queue.runOnce()).isTrue(); // v1 stored; v2 still waits
    cache.invalidate("k"); // as if the cache had evicted the entry

    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(store.loads).as("storing v1 must not make v1 readable again").hasValue(0);
    assertThat(store.snapshot()).containsEntry("k", "v1");
  }

  // --- close ---------------------------------------------------------------------------------

  @Test
  void closeDrainsTheQueueAndThenRefusesWrites() throws Exception {
    WriteBehindCache<String, String> cache =
        builder(100).batchSize(7).maxWriteDelay(Duration.ofHours(1)).build(); // real flusher
    Map<String, String> model = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      cache.put("k" + i, "v" + i);
      model.put("k" + i, "v" + i);
    }

    assertThat(cache.close(Duration.ofSeconds(WAIT_SECONDS))).isEmpty();

    assertThat(store.snapshot()).isEqualTo(model);
    assertThat(cache.writeBehindStats().queueDepth()).isZero();
    assertThatThrownBy(() -> cache.put("late", "x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(cache.get("late")).isNull();
    assertThat(cache.get("k3")).isEqualTo("v3"); // reads keep working
    cache.flush(Duration.ofSeconds(1)); // nothing to do
    assertThat(cache.close(Duration.ofSeconds(1))).isEmpty(); // a second close does nothing
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void closeHandsWhatTheDeadlineLeftUnwrittenToTheDeadLetterAndReturnsIt() throws Exception {
    store.down = true;
    WriteBehindStrategyCache<String, String> cache =
        manual(builder(100).retry(100, Duration.ofSeconds(1), Duration.ofSeconds(10)));
    cache.put("a", "1");
    cache.delete("b");

    List<PendingWrite<String, String>> unwritten = cache.close(Duration.ofSeconds(30));

    assertThat(unwritten)
        .containsExactlyInAnyOrder(new PendingWrite<>("a", "1"), new PendingWrite<>("b", null));
    assertThat(deadLetters).containsExactlyInAnyOrderElementsOf(unwritten);
    assertThat(deadLetterCauses).allMatch(c -> c instanceof StoreDownException);
    assertThat(time.read()).isGreaterThanOrEqualTo(Duration.ofSeconds(30).toNanos());
    WriteBehindStats s = cache.writeBehindStats();
    assertThat(s.deadLetteredWrites()).isEqualTo(2);
    assertThat(s.queueDepth()).isZero();
    assertAccounted(s);
  }

  @Test
  void closeHandsABatchStuckInTheStoreToTheDeadLetterAtTheDeadline() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.gate =
        () -> {
          entered.countDown();
          await(release);
        };
    ExecutorService flusher = Executors.newSingleThreadExecutor();
    try {
      WriteBehindCache<String, String> cache =
          builder(100, Ticker.system()).batchSize(1).flushExecutor(flusher).build();
      cache.put("a", "1");
      await(entered); // the flusher is inside the store, and stays there

      List<PendingWrite<String, String>> unwritten = cache.close(Duration.ofMillis(100));

      assertThat(unwritten).containsExactly(new PendingWrite<>("a", "1"));
      assertThat(deadLetterCauses).singleElement().isInstanceOf(TimeoutException.class);
      release.countDown(); // the store call returns late: its outcome is ignored
      flusher.shutdown();
      assertThat(flusher.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      WriteBehindStats s = cache.writeBehindStats();
      assertThat(s.storedWrites()).isZero();
      assertThat(s.deadLetteredWrites()).isEqualTo(1);
      assertAccounted(s);
    } finally {
      flusher.shutdownNow();
    }
  }

  // --- bad input -----------------------------------------------------------------------------

  @Test
  void nullArgumentsAreRejectedNamingTheParameter() {
    WriteBehindStrategyCache<String, String> cache = manual(builder(100));
    assertThatThrownBy(() -> cache.put(null, "v")).hasMessage("key");
    assertThatThrownBy(() -> cache.put("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> cache.delete(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> cache.get(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> cache.flush(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> cache.close(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> cache.flush(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive: PT0S");
    assertThatThrownBy(() -> cache.close(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive: PT-1S");
    assertThat(cache.writeBehindStats().acknowledgedWrites()).isZero();
  }

  @Test
  void badSettingsAreRejectedNamingTheSetting() {
    assertThatThrownBy(() -> builder(10).maxQueueSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueueSize must be positive: 0");
    assertThatThrownBy(() -> builder(10).batchSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be positive: -1");
    assertThatThrownBy(() -> builder(10).maxWriteDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWriteDelay must be positive: PT0S");
    assertThatThrownBy(() -> builder(10).maxWriteDelay(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxWriteDelay");
    assertThatThrownBy(() -> builder(10).blockWhenFull(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive: PT-0.005S");
    assertThatThrownBy(() -> builder(10).retry(0, Duration.ofMillis(1), Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be positive: 0");
    assertThatThrownBy(() -> builder(10).retry(3, Duration.ZERO, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialBackoff must be positive: PT0S");
    assertThatThrownBy(() -> builder(10).retry(3, Duration.ofMillis(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxBackoff");
    assertThatThrownBy(() -> builder(10).retry(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBackoff must not be less than initialBackoff: PT1S < PT2S");
    assertThatThrownBy(() -> builder(10).retryOn(null)).hasMessage("predicate");
    assertThatThrownBy(() -> builder(10).deadLetterHandler(null)).hasMessage("handler");
    assertThatThrownBy(() -> builder(10).flushExecutor(null)).hasMessage("executor");
    assertThatThrownBy(() -> builder(10).maxQueueSize(5).batchSize(6).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must not exceed maxQueueSize: 6 > 5");
    assertThatThrownBy(() -> builder(10).batchSize(5).batchSize(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("batchSize already set: 5");
  }

  @Test
  void writeBehindExcludesTheOtherWriteStrategies() {
    StoreBackedCacheBuilder<String, String> b =
        StoreBackedCacheBuilder.newBuilder(store, CacheBuilder.newBuilder().maximumSize(10));
    b.writeBehind();
    assertThatThrownBy(() -> b.writeStrategy(WriteStrategy.WRITE_AROUND))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WriteBehindBuilder");
    assertThatThrownBy(b::writeBehind).isInstanceOf(IllegalStateException.class);

    StoreBackedCacheBuilder<String, String> c =
        StoreBackedCacheBuilder.newBuilder(store, CacheBuilder.newBuilder().maximumSize(10))
            .writeStrategy(WriteStrategy.WRITE_THROUGH);
    assertThatThrownBy(c::writeBehind)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WRITE_THROUGH");
  }
}
