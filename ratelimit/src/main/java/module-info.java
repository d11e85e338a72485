/**
 * sysblocks ratelimit: how many requests may pass now, and how long the others should wait.
 *
 * <p>See {@link dev.sysblocks.ratelimit} for the algorithms and when to choose which.
 */
module dev.sysblocks.ratelimit {
  requires transitive dev.sysblocks.core;

  exports dev.sysblocks.ratelimit;
}
