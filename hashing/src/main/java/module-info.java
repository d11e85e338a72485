/**
 * sysblocks hashing: consistent hashing, the answer to "which node owns this key".
 *
 * <p>See {@link dev.sysblocks.hashing} for the algorithms and when to choose which.
 */
module dev.sysblocks.hashing {
  requires transitive dev.sysblocks.core;

  exports dev.sysblocks.hashing;
}
