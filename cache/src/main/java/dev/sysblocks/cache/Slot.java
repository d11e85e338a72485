package dev.sysblocks.cache;

/**
 * What a strategy cache holds per key: the value and when it was cached (ticker nanoseconds), or a
 * null value meaning "the store has no such key" (a negative entry).
 */
record Slot<V>(V value, long cachedAt) {

  boolean isAbsent() {
    return value == null;
  }
}
