package dev.sysblocks.scheduler;

/**
 * The padded groups of fields an {@link Intake} is made of, in layout order (see its comment): a
 * subclass's fields come after its superclass's.
 */
final class IntakeLayout {
  private IntakeLayout() {}

  /** Padding before the submitters' line. */
  abstract static class PadLeft {
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08;
  }

  /** Written by every fast submission, read by every dispatch. */
  abstract static class Writes extends PadLeft {
    /**
     * The inbox: a lock-free stack (Treiber) of tasks accepted without the lock, linked through
     * Task.nextInInbox, newest first; see JobScheduler.submitToInbox.
     */
    volatile Task<?> inbox;
  }

  /** Padding between the submitters' line and the workers'. */
  abstract static class PadMiddle extends Writes {
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17, p18;
  }

  /** Read by every submission and every job's end; written seldom, by the lock holder. */
  abstract static class Hints extends PadMiddle {
    /** See JobScheduler, "Clock readings". Only ever set to true. */
    volatile boolean clockAlways;

    /** The newest reading taken under the lock; written only while !clockAlways. */
    volatile long lastReading;

    /**
     * Workers waiting for work: written under the lock, read by submitters without it; see
     * JobScheduler.nextAttempt.
     */
    volatile int idleWorkers;

    /**
     * The idle worker that waits for the earliest run-at ({@link #timerUntil}) and will wake by
     * then, or null: written under the lock, read by submitters without it; see
     * JobScheduler.nextAttempt and JobScheduler.wakeFor.
     */
    volatile JobScheduler.Worker timedWaiter;

    /** The run-at reading the timed waiter waits for; meaningful while there is one. */
    volatile long timerUntil;
  }
}
