package dev.sysblocks.scheduler;

import java.time.Clock;

/**
 * The default wall clock of cron jobs. A cron time is a point on the calendar, so it needs the wall
 * clock, which the core {@code Ticker} (monotonic, with no epoch) cannot give; this is the only
 * place in the module that reads it, and {@link JobScheduler.Builder#clock} replaces it in tests.
 * ArchitectureTest allows this file, next to core's SystemTime, to name the system clock.
 */
final class WallClock {

  private WallClock() {}

  /** The system clock in UTC (the zone is irrelevant: only instants are read). */
  static Clock system() {
    return Clock.systemUTC();
  }
}
