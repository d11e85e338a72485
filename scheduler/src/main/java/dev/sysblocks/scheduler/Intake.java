package dev.sysblocks.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The fields a lock-free submission and every dispatch share, in groups on cache lines of their
 * own.
 *
 * <p>Problem. A submitter and the workers run on different cores, and a core that writes a line
 * takes it from every other core's cache. A plain submission writes the inbox's head, the job id
 * counter and its priority's arrival count, and reads whether the clock must be read and whether a
 * worker is idle; a worker writes, per job and under the scheduler's lock, the queue count, the
 * sequence and the running list. When these were fields of the scheduler, side by side, lines
 * holding both kinds went from core to core on every job: a coherence miss on each side, each a
 * trip to the other core's cache, however few of its bytes the other side wanted.
 *
 * <p>Idea. HotSpot lays a superclass's fields out before a subclass's, so a chain of classes fixes
 * the order of groups, and 64 B of unused longs between groups keeps them off one another's line:
 *
 * <pre>
 *   | 64 B padding | inbox                   | 64 B padding | clockAlways, lastReading,   | 64 B |
 *                    pushed per submission,                   idleWorkers, the timer:
 *                    read per dispatch,                       read per submission and
 *                    swapped per drain                        per job, written seldom
 * </pre>
 *
 * ("Seldom": the idle count changes when a worker sleeps or wakes, the timer (timedWaiter,
 * timerUntil) when the worker waiting for the earliest run-at changes, so per delayed job at most.)
 *
 * <p>The job ids and the arrival counts, which only submitters write, are a padded array of their
 * own (JobScheduler.submitterCounts), so the reads of the inbox by dispatching workers do not take
 * the counters' line away from a submitter.
 *
 * <p>Cost. About 230 B per scheduler, one more dependent load per access. The same idea is the
 * JDK's {@code @Contended} annotation (which needs {@code -XX:-RestrictContended} outside the JDK)
 * and the padding superclasses of Caffeine's and JCTools' buffers and queues.
 */
final class Intake extends IntakeLayout.Hints {
  @SuppressWarnings("unused")
  private long p21, p22, p23, p24, p25, p26, p27, p28;

  private static final VarHandle INBOX;

  static {
    try {
      INBOX = MethodHandles.lookup().findVarHandle(IntakeLayout.Writes.class, "inbox", Task.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Pushes {@code task} if the head is still {@code expected}. */
  boolean push(Task<?> expected, Task<?> task) {
    return INBOX.compareAndSet(this, expected, task);
  }

  /** Swaps the whole inbox for {@code replacement} and returns what it held, newest first. */
  Task<?> takeAll(Task<?> replacement) {
    return (Task<?>) INBOX.getAndSet(this, replacement);
  }
}
