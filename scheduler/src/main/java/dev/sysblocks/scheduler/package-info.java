/**
 * Job scheduling: prioritise jobs and distribute them to workers, with delays, retries, timeouts,
 * aging so that no priority starves, and a shutdown that loses no accepted job.
 *
 * <p><b>Entry point.</b> {@link dev.sysblocks.scheduler.JobScheduler#builder()} builds a scheduler;
 * {@link dev.sysblocks.scheduler.JobScheduler#submit submit} or {@link
 * dev.sysblocks.scheduler.JobScheduler#newJob newJob(...).priority(..).delay(..).submit()} hands it
 * a {@link dev.sysblocks.scheduler.Job} and returns a {@link dev.sysblocks.scheduler.JobHandle}
 * (status, {@code CompletableFuture} result, cancel). Failures follow the job's {@link
 * dev.sysblocks.scheduler.RetryPolicy}; jobs out of attempts go to a {@link
 * dev.sysblocks.scheduler.DeadLetterHandler}; every step is reported to a {@link
 * dev.sysblocks.scheduler.JobListener}; {@link dev.sysblocks.scheduler.SchedulerStats} is a
 * lock-free snapshot of the counters. Pending jobs live in a {@link
 * dev.sysblocks.scheduler.JobStore} (in memory by default). {@link
 * dev.sysblocks.scheduler.CronExpression} parses Unix cron expressions for recurring jobs.
 *
 * <p><b>Conventions.</b> Time (delays, aging, timeouts) is read only from the {@link
 * dev.sysblocks.core.Ticker} the scheduler is built with; cron jobs also read the builder's {@code
 * java.time.Clock} to place their next occurrence. For tests, build it with a {@link
 * dev.sysblocks.core.FakeTicker} and {@link
 * dev.sysblocks.scheduler.JobScheduler.Builder#manualDispatch()}: no threads are started, and
 * {@link dev.sysblocks.scheduler.JobScheduler#runPending()} runs what is eligible on the test's
 * thread, in dispatch order. Priorities run from 0 to 9, 9 the most urgent. Builders fail fast:
 * {@code NullPointerException} for a null, {@code IllegalArgumentException} naming the parameter
 * and value, {@code IllegalStateException} for a setting made twice.
 *
 * <table class="striped">
 *   <caption>When to choose which setting</caption>
 *   <tr><th>Setting</th><th>Choose it when</th></tr>
 *   <tr><td>aging (default, 1 s per level)</td>
 *       <td>low priorities must finish eventually: a priority-p job is overtaken only by jobs
 *       arriving less than (9 - p) steps after it</td></tr>
 *   <tr><td>{@code noAging()}</td>
 *       <td>strict priorities are the point and floods are impossible or acceptable</td></tr>
 *   <tr><td>{@code rejectWhenFull()} (default)</td>
 *       <td>the producer can shed or report load (an HTTP 503)</td></tr>
 *   <tr><td>{@code blockWhenFull(timeout)}</td>
 *       <td>producers are threads of your own that may be slowed down</td></tr>
 *   <tr><td>{@code runInCallerWhenFull()}</td>
 *       <td>work must not be refused and the producer can do it itself</td></tr>
 *   <tr><td>{@code concurrencyLimit(type, k)}</td>
 *       <td>one kind of job (reports, calls to a slow service) must not take more than k workers
 *       </td></tr>
 *   <tr><td>{@code tenantWeight(tenant, w)}</td>
 *       <td>several customers share the workers and one must not starve the others; shares of
 *       dispatches follow the weights, priorities then apply within a tenant</td></tr>
 *   <tr><td>{@code repeatAtFixedRate} / {@code repeatWithFixedDelay}</td>
 *       <td>a job belongs on a clock grid (a heartbeat) / must pause between runs (a poller)</td></tr>
 *   <tr><td>{@code repeatOn(cron, zone)}</td>
 *       <td>a job belongs on the calendar (weekdays at 09:00 Berlin time); times come from a
 *       {@link dev.sysblocks.scheduler.CronExpression} and the builder's {@code clock}</td></tr>
 *   <tr><td>{@code manualDispatch()}</td>
 *       <td>deterministic tests, or a single-threaded event loop that runs jobs itself</td></tr>
 * </table>
 *
 * <p><b>Compared with the usual Java choices.</b> A {@code ThreadPoolExecutor} over a {@code
 * PriorityBlockingQueue} has strict priorities (a flood starves the rest), no delays, retries or
 * per-task timeouts; {@code ScheduledThreadPoolExecutor} has delays but no priorities; Quartz adds
 * triggers, cron and clustering at a much higher cost per job; JobRunr and db-scheduler persist
 * jobs in a database. This scheduler keeps jobs in memory (a database store can come through {@link
 * dev.sysblocks.scheduler.JobStore}) and runs them in-process.
 */
package dev.sysblocks.scheduler;
