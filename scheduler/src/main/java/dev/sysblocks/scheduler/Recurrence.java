package dev.sysblocks.scheduler;

import java.time.Instant;
import java.time.ZoneId;

/**
 * How a recurring job's next occurrence is due: at a fixed rate, with a fixed delay, or at the
 * times of a cron expression; and which occurrence is current. One instance per submitted task,
 * made when the job is submitted, so that the state only recurring jobs need (the occurrence, its
 * attempts, its due reading, a cron job's last due time) is not carried by every {@link Task}.
 */
final class Recurrence {

  /** Next occurrence on the grid first + k * period. */
  static final int FIXED_RATE = 0;

  /** Next occurrence a period after the run ends. */
  static final int FIXED_DELAY = 1;

  /** Next occurrence at the cron expression's next time, read through the scheduler's clock. */
  static final int CRON = 2;

  final int kind;
  final long periodNanos; // FIXED_RATE and FIXED_DELAY
  final CronExpression cron; // CRON
  final ZoneId zone; // CRON

  /**
   * CRON: the wall-clock time the current occurrence was due at, or null if it was not due at a
   * cron time (run by the caller on a full queue). The next occurrence is searched from the later
   * of this and the clock's reading, so an occurrence that starts a little early by the clock (the
   * ticker and the wall clock drift apart, or the clock was stepped back) is not run twice. Guarded
   * by the scheduler's lock.
   */
  Instant lastDue;

  /** Which occurrence is current, from 1. Guarded by the scheduler's lock. */
  int occurrence = 1;

  /** Attempts of the current occurrence. Guarded by the scheduler's lock. */
  int occurrenceAttempts;

  /**
   * Attempts of all occurrences, the job handle's count: not in the Task's progress word, whose 29
   * bits would run out after six days of a job that recurs every millisecond. Written under the
   * scheduler's lock, read anywhere.
   */
  volatile int attempts;

  /**
   * The run-at reading of the current occurrence: the grid of a fixed-rate job. Guarded by the
   * scheduler's lock.
   */
  long scheduledAt;

  private Recurrence(int kind, long periodNanos, CronExpression cron, ZoneId zone) {
    this.kind = kind;
    this.periodNanos = periodNanos;
    this.cron = cron;
    this.zone = zone;
  }

  static Recurrence periodic(long periodNanos, boolean fixedRate) {
    return new Recurrence(fixedRate ? FIXED_RATE : FIXED_DELAY, periodNanos, null, null);
  }

  static Recurrence cron(CronExpression cron, ZoneId zone) {
    return new Recurrence(CRON, 0L, cron, zone);
  }
}
