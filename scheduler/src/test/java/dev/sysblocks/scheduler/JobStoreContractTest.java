package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobStore} must do, run against each implementation (today the in-memory one;
 * later a database store). Entries are built directly; the scheduler's task is irrelevant here.
 */
abstract class JobStoreContractTest {

  /** A new, empty store. */
  abstract JobStore newStore();

  private static PendingJob entry(long id, long runAt, long key, long sequence) {
    return PendingJob.of(id, 0, runAt, key, sequence);
  }

  @Test
  void anEmptyStoreHasNothingEligibleAndNothingDelayed() {
    JobStore store = newStore();
    assertThat(store.poll(0)).isNull();
    assertThat(store.nextRunAtNanos(0)).isEmpty();
    assertThat(store.drain()).isEmpty();
  }

  @Test
  void eligibleEntriesComeOutBySmallestKeyThenSequence() {
    JobStore store = newStore();
    store.add(entry(1, 0, 5, 1));
    store.add(entry(2, 0, -3, 2));
    store.add(entry(3, 0, 5, 0));
    store.add(entry(4, 0, 7, 3));
    assertThat(store.poll(0).jobId()).isEqualTo(2);
    assertThat(store.poll(0).jobId()).isEqualTo(3);
    assertThat(store.poll(0).jobId()).isEqualTo(1);
    assertThat(store.poll(0).jobId()).isEqualTo(4);
    assertThat(store.poll(0)).isNull();
  }

  @Test
  void addingWithTheCurrentReadingKeepsTheSameOrderAndEligibility() {
    JobStore store = newStore();
    store.add(entry(1, 50, -1_000, 1), 40); // still delayed at the reading given
    store.add(entry(2, 40, 5, 2), 40); // eligible at once
    store.add(entry(3, 10, 5, 0), 40); // eligible, same key, earlier sequence
    store.add(entry(4, 45, 7, 3)); // added without a reading
    assertThat(store.poll(40).jobId()).isEqualTo(3);
    assertThat(store.poll(40).jobId()).isEqualTo(2);
    assertThat(store.poll(40)).isNull();
    assertThat(store.nextRunAtNanos(40)).isEqualTo(OptionalLong.of(45));
    assertThat(store.poll(50).jobId()).isEqualTo(1);
    assertThat(store.poll(50).jobId()).isEqualTo(4);
    assertThat(store.drain()).isEmpty();
  }

  @Test
  void aDelayedEntryIsHeldBackUntilItsRunAtReading() {
    JobStore store = newStore();
    store.add(entry(1, 100, -1_000, 1)); // most urgent key, but not yet eligible
    store.add(entry(2, 0, 0, 2));
    assertThat(store.nextRunAtNanos(0)).isEqualTo(OptionalLong.of(100));
    assertThat(store.poll(99).jobId()).isEqualTo(2);
    assertThat(store.poll(99)).isNull();
    assertThat(store.poll(100).jobId()).isEqualTo(1);
    assertThat(store.nextRunAtNanos(100)).isEmpty();
  }

  @Test
  void runAtReadingsAreComparedAcrossTheOverflow() {
    JobStore store = newStore();
    long now = Long.MAX_VALUE - 10;
    store.add(entry(1, now + 20, 0, 1)); // wraps to a negative reading, still in the future
    assertThat(store.poll(now)).isNull();
    assertThat(store.nextRunAtNanos(now)).isEqualTo(OptionalLong.of(now + 20));
    assertThat(store.poll(now + 20).jobId()).isEqualTo(1);
  }

  @Test
  void drainReturnsEveryEntryOnceAndEmptiesTheStore() {
    JobStore store = newStore();
    store.add(entry(1, 0, 0, 1));
    store.add(entry(2, 1_000, 0, 2));
    store.add(entry(3, 0, 0, 3));
    store.poll(0);
    List<PendingJob> drained = store.drain();
    assertThat(drained).extracting(PendingJob::jobId).containsExactlyInAnyOrder(2L, 3L);
    assertThat(store.drain()).isEmpty();
    assertThat(store.poll(Long.MAX_VALUE)).isNull();
  }

  @Test
  void purgeRemovesExactlyTheAcceptedEntriesAndKeepsTheOthersInOrder() {
    JobStore store = newStore();
    for (long id = 1; id <= 20; id++) {
      // Odd ids eligible at 0, even ids delayed to 100 + id; keys run against the ids.
      long runAt = id % 2 == 1 ? 0 : 100 + id;
      store.add(entry(id, runAt, 50 - id, id), 0);
    }
    int removed = store.purge(e -> e.jobId() % 4 == 1 || e.jobId() % 4 == 2);
    assertThat(removed).isEqualTo(10);
    // Left: eligible 3, 7, 11, 15, 19 (by key: 19 first); delayed 4, 8, 12, 16, 20.
    List<Long> eligible = new ArrayList<>();
    for (PendingJob e; (e = store.poll(0)) != null; ) {
      eligible.add(e.jobId());
    }
    assertThat(eligible).containsExactly(19L, 15L, 11L, 7L, 3L);
    assertThat(store.nextRunAtNanos(0)).isEqualTo(OptionalLong.of(104));
    assertThat(store.poll(103)).isNull();
    List<Long> delayed = new ArrayList<>();
    for (PendingJob e; (e = store.poll(1_000)) != null; ) {
      delayed.add(e.jobId());
    }
    assertThat(delayed).containsExactly(20L, 16L, 12L, 8L, 4L);
  }

  @Test
  void purgeOfNothingStaleChangesNothing() {
    JobStore store = newStore();
    store.add(entry(1, 0, 0, 1));
    store.add(entry(2, 10, 0, 2));
    assertThat(store.purge(e -> false)).isZero();
    assertThat(newStore().purge(e -> true)).isZero();
    assertThat(store.purge(e -> e.jobId() == 2)).isEqualTo(1);
    assertThat(store.nextRunAtNanos(0)).isEmpty();
    assertThat(store.poll(0).jobId()).isEqualTo(1);
    assertThat(store.drain()).isEmpty();
  }

  @Test
  void aPredicateThatThrowsLosesNoEntry() {
    JobStore store = newStore();
    for (long id = 1; id <= 6; id++) {
      store.add(entry(id, id % 2 == 0 ? 0 : 50, 0, id), 0);
    }
    IllegalStateException broken = new IllegalStateException("broken predicate");
    assertThatThrownBy(
            () ->
                store.purge(
                    e -> {
                      if (e.jobId() == 4) {
                        throw broken;
                      }
                      return false;
                    }))
        .isSameAs(broken);
    assertThat(store.drain())
        .extracting(PendingJob::jobId)
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L);
  }
}
