package dev.sysblocks.cache;

/** Runs the {@link DataStore} contract against the in-memory reference store. */
class InMemoryDataStoreContractTest extends DataStoreContractTest {

  @Override
  protected DataStore<String, String> newStore() {
    return InMemoryDataStore.create();
  }
}
