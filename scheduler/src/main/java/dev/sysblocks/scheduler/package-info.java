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
 * <h2>At-most-once or at-least-once</h2>
 *
 * <p>A job runs at most once per attempt, and without retries at most once. With retries delivery
 * is at-least-once: a timed-out attempt may still be running when the retry starts, and a job that
 * did its side effect and then threw is run again. Jobs that are retried must be idempotent (or use
 * an idempotency key downstream).
 *
 * <h2>Recurring jobs and type limits</h2>
 *
 * <p>Both reuse the same store. A recurring job is one task queued again after each successful
 * occurrence: at a fixed rate on the grid first + k * period (skipping grid points an overrunning
 * occurrence missed; a ScheduledThreadPoolExecutor would run them back to back), a fixed delay
 * after the run ends, or at a cron expression's next time after the run ends. Cron times are
 * calendar times, so only there the wall clock is read: run-at = ticker now + (next cron instant -
 * clock now), computed when the occurrence is queued. A waiting occurrence keeps its ticker
 * reading, so an NTP step of the wall clock is noticed at the next occurrence, not before; daylight
 * saving time is no step (instants do not move; CronExpression maps the skipped and the repeated
 * hour). The search starts from the later of the clock and the time just due, so clock drift or a
 * step backwards never runs one cron time twice. A type limit ("at most 2 report jobs at once")
 * sets aside a job whose type is saturated in a small per-type heap; it stays QUEUED and counted,
 * and returns to the store when a slot frees, so other types pass it without a second scan of the
 * store.
 *
 * <h2>Clock readings</h2>
 *
 * <p>A reading of the system ticker costs about 25 ns here (a {@code System.nanoTime()}), and a job
 * needs up to three: at submission (its eligibility time, and with aging its dispatch key), at
 * start (its wait, its timeout's deadline) and at end (its run time). On a 2-core machine that is
 * the part of the job's cost a {@code ThreadPoolExecutor}, which keeps no times, does not pay. So a
 * job reads the ticker only when something needs the reading: with {@code noAging()}, timings
 * sampled ({@code sampleTimings(16)}: one job in 16 by id) and no delay, timeout or recurrence, a
 * job due at once takes no reading at all, and stands in the queue under the newest reading the
 * scheduler has taken (never ahead of the ticker, so it is due). Aging, a listener, manual
 * dispatch, tenants, type limits, a custom store or a default timeout make every job take its
 * readings from the start; the first job that waits for a time (a delay, a retry's backoff, a
 * period) or sets a timeout does so for good, so one delayed job ends the saving, never the
 * correctness. The default, every job timed, keeps every reading. ClockReadingTest counts them.
 *
 * <h2>Tenant fairness</h2>
 *
 * <p>With tenant weights, eligible entries move from the store into one heap per tenant, and
 * tenants take turns by start-time fair queuing (P. Goyal, H. Vin, H. Cheng, SIGCOMM 1996): each
 * has a pass value, the smallest goes next and advances by 1/weight; a tenant that becomes busy
 * again starts at the virtual time (the pass last served), so idleness earns no credit. Over any
 * stretch where tenants stay backlogged each gets its weight's share of dispatches within one job
 * (TenantFairnessTest: weights 5:3:2 give 500/300/200 of 1,000). Example, weights a=2, b=1, passes
 * from 0 (ties go either way): a 0 -&gt; 0.5, b 0 -&gt; 1, a 0.5 -&gt; 1, then both at 1: a 1 -&gt;
 * 1.5 and b 1 -&gt; 2 in some order, a 1.5 -&gt; 2, ...: two turns of a for each turn of b. The
 * shares are of dispatches, not of worker time: a tenant with longer jobs uses more time.
 *
 * <p><b>Compared with the usual Java choices.</b> A {@code ThreadPoolExecutor} over a {@code
 * PriorityBlockingQueue} has strict priorities (a flood starves the rest), no delays, retries or
 * per-task timeouts; {@code ScheduledThreadPoolExecutor} has delays but no priorities; Quartz adds
 * triggers, cron and clustering at a much higher cost per job; JobRunr and db-scheduler persist
 * jobs in a database. This scheduler keeps jobs in memory (a database store can come through {@link
 * dev.sysblocks.scheduler.JobStore}) and runs them in-process.
 */
package dev.sysblocks.scheduler;
