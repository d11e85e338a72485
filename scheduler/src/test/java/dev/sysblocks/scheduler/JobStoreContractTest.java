package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

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
    return new PendingJob(id, 0, runAt, key, sequence, null);
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
}
