/**
 * sysblocks cache: bounded concurrent caches behind one interface, and the strategies that put them
 * in front of a backing store (read-through, write-through, write-behind, write-around,
 * refresh-ahead, cache-aside).
 *
 * <p>See {@link dev.sysblocks.cache} for the policies, the strategies, and when to choose which.
 */
module dev.sysblocks.cache {
  requires transitive dev.sysblocks.core;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports dev.sysblocks.cache;
}
