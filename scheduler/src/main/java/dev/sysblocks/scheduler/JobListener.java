package dev.sysblocks.scheduler;

/**
 * Observes what happens to jobs, one {@link JobEvent} at a time: for logs, metrics or tests.
 *
 * <pre>{@code
 * JobScheduler scheduler =
 *     JobScheduler.builder()
 *         .listener(event -> log.debug("{} job {}", event.kind(), event.job().id()))
 *         .build();
 * }</pre>
 *
 * <p>Called on the thread that caused the event (a submitter, a worker, the timeout thread, or a
 * thread that cancels or shuts down), never while the scheduler holds its lock, so a listener may
 * call back into the scheduler. It should be quick: a worker that notifies does not run jobs
 * meanwhile. Events of one job raised on different threads may arrive out of order (a worker may
 * report {@code STARTED} before the submitting thread reports {@code SUBMITTED}); each carries the
 * ticker reading at which it happened. An exception thrown by the listener is caught and ignored.
 */
@FunctionalInterface
public interface JobListener {

  /**
   * Receives one event.
   *
   * @param event what happened
   */
  void onEvent(JobEvent event);
}
