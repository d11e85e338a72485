package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Readers look up continuously while a writer changes membership. The writer moves the ring through
 * three memberships (A, C = A without n5, B = C with n10, and back); every answer a reader sees
 * must be the answer of one of those published snapshots, never a mixture or a torn state.
 */
class HashRingConcurrencyTest {

  private static final int READERS = 4;

  private static HashRing<String> ringOf(List<String> ids) {
    HashRing<String> ring = HashRing.<String>builder(id -> id).virtualNodes(64).build();
    ring.addAll(ids);
    return ring;
  }

  @Test
  void everyAnswerComesFromSomePublishedSnapshot() throws Exception {
    List<String> a = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      a.add("n" + i);
    }
    List<String> c = new ArrayList<>(a);
    c.remove("n5");
    List<String> b = new ArrayList<>(c);
    b.add("n10");
    List<HashRing<String>> references = List.of(ringOf(a), ringOf(b), ringOf(c));

    long[] keys = new SplittableRandom(41).longs(512).toArray();
    HashRing<String> ring = ringOf(a);
    AtomicBoolean done = new AtomicBoolean();
    CyclicBarrier start = new CyclicBarrier(READERS + 1);
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
                      String owner = ring.ownerOf(key);
                      ring.preferenceList(key, out);
                      boolean consistent = false;
                      for (HashRing<String> ref : references) {
                        if (ref.ownerOf(key).equals(owner)) {
                          consistent = true;
                        }
                      }
                      assertThat(consistent).as("owner %s of %s", owner, key).isTrue();
                      assertThat(Set.of(out)).hasSize(3);
                      lookups++;
                    }
                  }
                  return lookups;
                }));
      }
      start.await(10, TimeUnit.SECONDS);
      for (int round = 0; round < 200; round++) {
        ring.remove("n5");
        ring.add("n10");
        ring.remove("n10");
        ring.add("n5");
      }
      done.set(true);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ring.nodes()).containsExactlyElementsOf(references.get(0).nodes());
  }
}
