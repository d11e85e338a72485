package dev.sysblocks.scheduler;

import java.util.List;
import java.util.OptionalLong;

/**
 * The store contract with {@link JobStore#purge}'s default implementation, as a store that does not
 * override it gets: here the in-memory store seen through its four required methods only.
 */
class DefaultPurgeJobStoreContractTest extends JobStoreContractTest {

  @Override
  JobStore newStore() {
    JobStore inner = JobStore.inMemory();
    return new JobStore() {
      @Override
      public void add(PendingJob job) {
        inner.add(job);
      }

      @Override
      public PendingJob poll(long nowNanos) {
        return inner.poll(nowNanos);
      }

      @Override
      public OptionalLong nextRunAtNanos(long nowNanos) {
        return inner.nextRunAtNanos(nowNanos);
      }

      @Override
      public List<PendingJob> drain() {
        return inner.drain();
      }
    };
  }
}
