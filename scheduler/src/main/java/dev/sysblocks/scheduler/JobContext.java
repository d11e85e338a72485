package dev.sysblocks.scheduler;

/**
 * What a running attempt knows about itself: its number and whether it should stop.
 *
 * <p>Cancellation is cooperative and signalled twice: {@link #isCancelled()} turns true and the
 * thread running the attempt is interrupted, so a job that blocks in an interruptible call stops at
 * once and a job that computes can poll the flag.
 *
 * <p>A context is valid while the job's {@code run} method runs: a pool worker passes the same
 * instance, reset, to the next job it runs, so that running a job allocates nothing. Do not keep it
 * for code that outlives the run. An attempt abandoned after a timeout keeps its own context (its
 * worker is replaced, never reused), which goes on reporting it cancelled.
 */
public interface JobContext {

  /**
   * Returns which attempt this is, counting from 1; for a recurring job, within the current
   * occurrence.
   *
   * @return 1 for the first run, 2 for the first retry, and so on
   */
  int attempt();

  /**
   * Returns which occurrence of a recurring job this is, counting from 1; always 1 for a job that
   * runs once.
   *
   * @return the occurrence number
   */
  int occurrence();

  /**
   * Returns whether this attempt should stop: the job was cancelled, its attempt timed out, or the
   * scheduler was shut down immediately. A result returned after that is discarded.
   *
   * @return true once the attempt has been asked to stop
   */
  boolean isCancelled();

  /**
   * Returns the idempotency key the job was submitted with, if any.
   *
   * @return the key, or null
   */
  String idempotencyKey();
}
