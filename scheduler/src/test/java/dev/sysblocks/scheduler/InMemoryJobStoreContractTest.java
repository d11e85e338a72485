package dev.sysblocks.scheduler;

/** The in-memory store passes the store contract. */
class InMemoryJobStoreContractTest extends JobStoreContractTest {

  @Override
  JobStore newStore() {
    return JobStore.inMemory();
  }
}
