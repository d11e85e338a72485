package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-memory store against a list scanned in full: random adds (with and without the current
 * reading, priorities in and out of range, keys shaped like the scheduler's or arbitrary), polls,
 * clock advances and purges of a random third of the entries. The store's per-priority queues are a
 * shortcut for well-shaped keys; whatever the keys, each poll must return the entry the definition
 * picks: among entries due by now, the smallest key, then the smallest sequence.
 */
class InMemoryJobStorePropertyTest {

  /** One operation: 0-4 add, 5-7 poll, 8-9 advance the clock, 10 purge. */
  record Op(int kind, int priority, int delay, long key, boolean withNow) {}

  @Provide
  Arbitrary<List<Op>> traces() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.integers().between(0, 10),
                Arbitraries.integers().between(-1, 10), // -1 and 10: outside the queues' range
                Arbitraries.integers().between(-5, 20).injectDuplicates(0.3),
                Arbitraries.longs().between(-50, 50).injectDuplicates(0.3),
                Arbitraries.of(true, false))
            .as(Op::new);
    return op.list().ofMaxSize(200);
  }

  @Property(tries = 300)
  void pollsFollowTheDefinitionForAnyKeys(
      @ForAll("traces") List<Op> trace, @ForAll boolean schedulerShapedKeys) {
    InMemoryJobStore store = new InMemoryJobStore();
    List<PendingJob> model = new ArrayList<>();
    long now = 1_000;
    long sequence = 0;
    for (Op op : trace) {
      if (op.kind() <= 4) {
        long runAt = now + op.delay();
        // The scheduler's shape: run-at reading minus priority times a step; otherwise arbitrary.
        long key = schedulerShapedKeys ? runAt - op.priority() * 7L : op.key();
        PendingJob e = PendingJob.of(++sequence, op.priority(), runAt, key, sequence);
        if (op.withNow()) {
          store.add(e, now);
        } else {
          store.add(e);
        }
        model.add(e);
      } else if (op.kind() <= 7) {
        long at = now;
        PendingJob expected =
            model.stream()
                .filter(e -> e.runAtNanos() - at <= 0)
                .min(
                    Comparator.comparingLong(PendingJob::dispatchKey)
                        .thenComparingLong(PendingJob::sequence))
                .orElse(null);
        assertThat(store.poll(now)).isSameAs(expected);
        model.remove(expected);
      } else if (op.kind() <= 9) {
        now += op.delay() < 0 ? 0 : op.delay();
      } else {
        long third = Math.floorMod(op.delay(), 3);
        int expected = (int) model.stream().filter(e -> e.jobId() % 3 == third).count();
        assertThat(store.purge(e -> e.jobId() % 3 == third)).isEqualTo(expected);
        model.removeIf(e -> e.jobId() % 3 == third);
      }
      long at = now;
      OptionalLong nextDelayed =
          model.stream().mapToLong(PendingJob::runAtNanos).filter(r -> r - at > 0).min();
      assertThat(store.nextRunAtNanos(now)).isEqualTo(nextDelayed);
      assertThat(store.size()).isEqualTo(model.size());
    }
    assertThat(store.drain()).containsExactlyInAnyOrderElementsOf(model);
    assertThat(store.size()).isZero();
  }
}
