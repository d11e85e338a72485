/**
 * sysblocks scheduler: a priority job scheduler that distributes jobs to workers, never starves a
 * priority and never loses an accepted job.
 *
 * <p>See {@link dev.sysblocks.scheduler} for the entry point and its conventions.
 */
module dev.sysblocks.scheduler {
  requires transitive dev.sysblocks.core;

  exports dev.sysblocks.scheduler;
}
