package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of puts, deletes, flush cycles, flushes, clock moves and store outages against a
 * map of the last acknowledged write per key, with no flusher thread (one {@link FakeTicker} is
 * clock and sleeper, so a run is a pure function of its inputs).
 *
 * <p>Checked: reads always return the last acknowledged value while nothing was dead-lettered; each
 * key's writes reach the store in acknowledgement order (retries may repeat one); and after {@code
 * close} drains, every key's last word -- the store, or the dead letter if it came later -- is its
 * last acknowledged write. With a budget no outage exhausts, the store equals the model.
 */
class WriteBehindPropertyTest {

  private static final int KEYS = 5;
  private static final int MAX_QUEUE_SIZE = 4;
  private static final int DELETED = -1; // the model's mark for a delete (values are >= 0)

  @Property(tries = 150)
  void withABudgetNoOutageExhaustsTheStoreEndsEqualToTheModel(
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 99_999) Integer> codes,
      @ForAll @IntRange(min = 1, max = 4) int batchSize,
      @ForAll boolean failAfterApplying,
      @ForAll long seed)
      throws InterruptedException {
    Run run = new Run(batchSize, 1_000, failAfterApplying, seed);
    run.play(codes, true);
    assertThat(run.closeAfterRecovery()).isEmpty();
    assertThat(run.deadLetters).isEmpty();
    assertThat(run.store.snapshot()).isEqualTo(run.expectedStore());
    run.assertOrderPerKey();
    WriteBehindTest.assertAccounted(run.cache.writeBehindStats());
  }

  @Property(tries = 150)
  void withATightBudgetEveryKeyEndsStoredOrDeadLetteredAtItsLastAcknowledgedWrite(
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 99_999) Integer> codes,
      @ForAll @IntRange(min = 1, max = 4) int batchSize,
      @ForAll @IntRange(min = 1, max = 3) int maxAttempts,
      @ForAll boolean failAfterApplying,
      @ForAll long seed)
      throws InterruptedException {
    Run run = new Run(batchSize, maxAttempts, failAfterApplying, seed);
    run.play(codes, false);
    assertThat(run.closeAfterRecovery()).isEmpty();
    run.assertLastWordPerKey();
    run.assertOrderPerKey();
    WriteBehindStats s = run.cache.writeBehindStats();
    assertThat(s.deadLetteredWrites()).isEqualTo(run.deadLetters.size());
    WriteBehindTest.assertAccounted(s);
  }

  /** One cache, store and model, driven by decoded operation codes. */
  private static final class Run {
    final FakeTicker time = FakeTicker.create();
    final WriteLogStore<Integer, Integer> store = new WriteLogStore<>();
    final List<PendingWrite<Integer, Integer>> deadLetters = new ArrayList<>();
    final List<Integer> deadLetterPositions = new ArrayList<>(); // store applications before it
    final Map<Integer, List<Integer>> acked = new HashMap<>(); // per key, value or DELETED
    final WriteBehindStrategyCache<Integer, Integer> cache;
    int nextValue;

    // Codes, by last digit: 0-3 put, 4 delete, 5 run due batches, 6 move the clock, 7 store down
    // or up, 8 flush, 9 a write during the next store call, or store failing every k-th call.

    Run(int batchSize, int maxAttempts, boolean failAfterApplying, long seed) {
      store.failAfterApplying = failAfterApplying;
      Random jitter = new Random(seed);
      cache =
          (WriteBehindStrategyCache<Integer, Integer>)
              StoreBackedCacheBuilder.newBuilder(
                      store,
                      CacheBuilder.newBuilder()
                          .maximumSize(2) // smaller than the key range: pending reads happen
                          .policy(EvictionPolicy.SIEVE)
                          .ticker(time))
                  .writeBehind()
                  .maxQueueSize(MAX_QUEUE_SIZE) // below two versions per key: back-pressure
                  .batchSize(batchSize)
                  .maxWriteDelay(Duration.ofMillis(300))
                  .blockWhenFull(Duration.ofSeconds(1))
                  .retry(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(500))
                  .deadLetterHandler(
                      (writes, cause) -> {
                        for (PendingWrite<Integer, Integer> w : writes) {
                          deadLetters.add(w);
                          deadLetterPositions.add(store.applied().size());
                        }
                      })
                  .jitter(jitter::nextDouble)
                  .manualFlushing(time)
                  .build();
    }

    void play(List<Integer> codes, boolean checkEveryRead) throws InterruptedException {
      for (int code : codes) {
        int key = (code / 10) % KEYS;
        int arg = code / 100;
        switch (code % 10) {
          case 0, 1, 2, 3 -> write(key, nextValue++);
          case 4 -> write(key, DELETED);
          case 5 -> {
            while (cache.queue.runOnce()) {
              // every due batch
            }
          }
          case 6 -> time.advance(Duration.ofMillis(arg % 2_000));
          case 7 -> store.down = !store.down;
          case 8 -> {
            try {
              cache.flush(Duration.ofSeconds(2));
            } catch (TimeoutException stillDown) {
              // the writes stay queued
            }
          }
          default -> {
            if (arg % 3 == 0) {
              armWriteDuringNextStoreCall(key, arg % 4 == 0 ? DELETED : nextValue++);
            } else {
              store.failEvery = arg % 4 == 0 ? 0 : 1 + arg % 4;
            }
          }
        }
        if (checkEveryRead) {
          int probe = arg % KEYS;
          assertThat(cache.get(probe)).as("read of %s", probe).isEqualTo(modelValue(probe));
        }
      }
    }

    private void write(int key, int value) {
      try {
        if (value == DELETED) {
          cache.delete(key);
        } else {
          cache.put(key, value);
        }
      } catch (WriteQueueFullException full) {
        return; // not acknowledged: the model does not change
      }
      acked.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      assertThat(cache.get(key)).isEqualTo(modelValue(key)); // read-your-writes
    }

    /**
     * Makes the next store call acknowledge a write of {@code key} while its batch is in flight
     * (when the queue has room: this thread is the only one that could make room).
     */
    private void armWriteDuringNextStoreCall(int key, int value) {
      store.gate =
          () -> {
            store.gate = () -> {};
            if (cache.writeBehindStats().queueDepth() < MAX_QUEUE_SIZE) {
              write(key, value);
            }
          };
    }

    /** The last acknowledged value of {@code key}, null if deleted or never written. */
    Integer modelValue(int key) {
      List<Integer> ops = acked.get(key);
      if (ops == null) {
        return null;
      }
      int last = ops.get(ops.size() - 1);
      return last == DELETED ? null : last;
    }

    Map<Integer, Integer> expectedStore() {
      Map<Integer, Integer> expected = new HashMap<>();
      for (int key = 0; key < KEYS; key++) {
        if (modelValue(key) != null) {
          expected.put(key, modelValue(key));
        }
      }
      return expected;
    }

    List<PendingWrite<Integer, Integer>> closeAfterRecovery() throws InterruptedException {
      store.down = false;
      store.failEvery = 0;
      store.failAfterApplying = false;
      return cache.close(Duration.ofHours(1));
    }

    /** Store values of one key in application order, deletes as DELETED. */
    private List<Integer> appliedTo(int key) {
      List<Integer> values = new ArrayList<>();
      for (Integer v : store.appliedTo(key)) {
        values.add(v == null ? DELETED : v);
      }
      return values;
    }

    void assertOrderPerKey() {
      for (int key = 0; key < KEYS; key++) {
        List<Integer> applied = appliedTo(key);
        List<Integer> ops = acked.getOrDefault(key, List.of());
        assertThat(isOrderedSubsequence(applied, ops))
            .as("key %s: store saw %s, acknowledged %s", key, applied, ops)
            .isTrue();
      }
    }

    /**
     * For every key, the last thing that happened to it -- a store write, or a dead letter after it
     * -- carries its last acknowledged write: nothing acknowledged vanished silently.
     */
    void assertLastWordPerKey() {
      List<WriteLogStore.Applied<Integer, Integer>> applied = store.applied();
      Map<Integer, Integer> store = this.store.snapshot();
      for (int key = 0; key < KEYS; key++) {
        List<Integer> ops = acked.get(key);
        if (ops == null) {
          assertThat(store).doesNotContainKey(key);
          continue;
        }
        int lastOp = ops.get(ops.size() - 1);
        int lastApplied = -1; // index in `applied`
        for (int i = 0; i < applied.size(); i++) {
          if (applied.get(i).key() == key) {
            lastApplied = i;
          }
        }
        int lastDead = -1; // index in `deadLetters`
        for (int i = 0; i < deadLetters.size(); i++) {
          if (deadLetters.get(i).key() == key) {
            lastDead = i;
          }
        }
        boolean deadLetterIsLast = lastDead >= 0 && deadLetterPositions.get(lastDead) > lastApplied;
        if (deadLetterIsLast) {
          Integer dead = deadLetters.get(lastDead).value();
          assertThat(dead == null ? DELETED : dead)
              .as("dead letter of key %s", key)
              .isEqualTo(lastOp);
        } else {
          assertThat(lastApplied)
              .as("key %s was acknowledged but never stored", key)
              .isNotNegative();
          assertThat(store.get(key)).as("store value of key %s", key).isEqualTo(modelValue(key));
        }
      }
    }
  }

  /**
   * Whether {@code applied} is {@code acked} with some elements left out (coalesced) and some
   * repeated in place (retried after a call that applied and then failed).
   */
  static boolean isOrderedSubsequence(List<Integer> applied, List<Integer> acked) {
    int at = -1;
    for (Integer value : applied) {
      if (at >= 0 && acked.get(at).equals(value)) {
        continue; // the same write again
      }
      int next = at + 1;
      while (next < acked.size() && !acked.get(next).equals(value)) {
        next++;
      }
      if (next == acked.size()) {
        return false;
      }
      at = next;
    }
    return true;
  }
}
