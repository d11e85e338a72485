package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Readers look up continuously while a writer changes membership. The writer cycles through three
 * states: A (10 nodes), C (A without n5) and B (C with n10, which takes n5's bucket), then back
 * through C to A (removing n10 and re-adding n5 undo the changes exactly). Every answer a reader
 * sees, owner and whole preference list, must be that of one of those published states, never a
 * mixture or a torn state.
 */
class MementoHashConcurrencyTest {

  private static final int READERS = 4;

  private static MementoHash<String> stateA() {
    MementoHash<String> memento = MementoHash.<String>builder(id -> id).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add("n" + i);
    }
    memento.addAll(ids);
    return memento;
  }

  @Test
  void everyAnswerComesFromSomePublishedSnapshot() throws Exception {
    MementoHash<String> a = stateA();
    MementoHash<String> c = stateA();
    c.remove("n5");
    MementoHash<String> b = stateA();
    b.remove("n5");
    b.add("n10");
    List<MementoHash<String>> references = List.of(a, b, c);

    long[] keys = new SplittableRandom(91).longs(512).toArray();
    MementoHash<String> memento = stateA();
    AtomicBoolean done = new AtomicBoolean();
    CyclicBarrier start = new CyclicBarrier(READERS + 1);
    CountDownLatch firstPasses = new CountDownLatch(READERS);
    ExecutorService pool = Executors.newFixedThreadPool(READERS);
    try {
      List<Future<Long>> readers = new ArrayList<>();
      for (int t = 0; t < READERS; t++) {
        readers.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  long lookups = 0;
                  String[] out = new String[3];
                  while (!done.get()) {
                    for (long key : keys) {
                      String owner = memento.ownerOf(key);
                      memento.preferenceList(key, out);
                      boolean ownerSeen = false;
                      boolean listSeen = false;
                      for (MementoHash<String> ref : references) {
                        ownerSeen |= ref.ownerOf(key).equals(owner);
                        listSeen |= ref.preferenceList(key, 3).equals(List.of(out));
                      }
                      assertThat(ownerSeen).as("owner %s of %s", owner, key).isTrue();
                      assertThat(listSeen).as("list %s of %s", List.of(out), key).isTrue();
                      assertThat(Set.of(out)).hasSize(3);
                      lookups++;
                    }
                    if (lookups == keys.length) {
                      firstPasses.countDown();
                    }
                  }
                  return lookups;
                }));
      }
      start.await(10, TimeUnit.SECONDS);
      // At least 200 rounds, and on until every reader has seen a whole pass of keys under change.
      for (int round = 0; round < 200 || firstPasses.getCount() > 0; round++) {
        assertThat(round).as("rounds before every reader finished a pass").isLessThan(10_000_000);
        memento.remove("n5");
        memento.add("n10");
        memento.remove("n10");
        memento.add("n5");
      }
      done.set(true);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    for (long key : keys) {
      assertThat(memento.preferenceList(key, 3)).isEqualTo(a.preferenceList(key, 3));
    }
  }
}
