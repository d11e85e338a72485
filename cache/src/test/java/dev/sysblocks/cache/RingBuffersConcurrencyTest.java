package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two ring buffers under concurrent producers and one consumer: the write buffer delivers every
 * accepted event exactly once; the read buffer delivers every event it reported as accepted exactly
 * once, and nothing else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingBuffersConcurrencyTest {

  private static final int PRODUCERS = 4;
  private static final int EVENTS_PER_PRODUCER = 50_000;

  @Test
  void theWriteBufferDeliversEveryAcceptedEventExactlyOnce() throws Exception {
    WriteBuffer<Integer> buffer = new WriteBuffer<>(256);
    BitSet seen = new BitSet(PRODUCERS * EVENTS_PER_PRODUCER);
    List<Integer> duplicates = new ArrayList<>();
    runWithConsumer(
        producer -> {
          for (int i = 0; i < EVENTS_PER_PRODUCER; i++) {
            Integer event = producer * EVENTS_PER_PRODUCER + i;
            while (!buffer.offer(event)) {
              Thread.onSpinWait(); // full: the consumer frees slots
            }
          }
        },
        () -> {
          for (Integer e; (e = buffer.poll()) != null; ) {
            if (seen.get(e)) {
              duplicates.add(e);
            }
            seen.set(e);
          }
        });
    assertThat(duplicates).isEmpty();
    assertThat(seen.cardinality()).isEqualTo(PRODUCERS * EVENTS_PER_PRODUCER);
  }

  @Test
  void theReadBufferDeliversExactlyTheEventsItAccepted() throws Exception {
    StripedReadBuffer<Integer> buffer = new StripedReadBuffer<>(2); // few stripes: contention
    BitSet accepted = new BitSet(PRODUCERS * EVENTS_PER_PRODUCER);
    BitSet[] acceptedBy = new BitSet[PRODUCERS];
    BitSet seen = new BitSet(PRODUCERS * EVENTS_PER_PRODUCER);
    List<Integer> duplicates = new ArrayList<>();
    runWithConsumer(
        producer -> {
          BitSet mine = new BitSet();
          for (int i = 0; i < EVENTS_PER_PRODUCER; i++) {
            int event = producer * EVENTS_PER_PRODUCER + i;
            if (buffer.offer(event) == StripedReadBuffer.OFFER_SUCCESS) {
              mine.set(event);
            }
          }
          acceptedBy[producer] = mine;
        },
        () ->
            buffer.drainTo(
                e -> {
                  if (seen.get(e)) {
                    duplicates.add(e);
                  }
                  seen.set(e);
                }));
    for (BitSet mine : acceptedBy) {
      accepted.or(mine);
    }
    assertThat(duplicates).isEmpty();
    assertThat(seen).isEqualTo(accepted);
    assertThat(accepted.cardinality()).isPositive();
  }

  private interface Producer {
    void run(int producer);
  }

  /** Runs the producers, draining concurrently on this thread until they finish, then once more. */
  private static void runWithConsumer(Producer producer, Runnable drain) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
    try {
      CyclicBarrier start = new CyclicBarrier(PRODUCERS + 1);
      AtomicBoolean done = new AtomicBoolean();
      List<Future<?>> futures = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int id = p;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  producer.run(id);
                  return null;
                }));
      }
      start.await();
      Thread watcher =
          new Thread(
              () -> {
                try {
                  for (Future<?> f : futures) {
                    f.get();
                  }
                } catch (Exception e) {
                  // surfaced below by f.get on the test thread
                }
                done.set(true);
              });
      watcher.start();
      while (!done.get()) {
        drain.run();
      }
      watcher.join();
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      drain.run(); // whatever was published after the last concurrent drain
    } finally {
      pool.shutdownNow();
    }
  }
}
