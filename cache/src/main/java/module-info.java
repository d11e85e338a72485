/**
 * sysblocks cache: bounded concurrent caches behind one interface.
 *
 * <p>See {@link dev.sysblocks.cache} for the policies and when to choose which.
 */
module dev.sysblocks.cache {
  requires transitive dev.sysblocks.core;
  requires com.github.benmanes.caffeine;

  exports dev.sysblocks.cache;
}
