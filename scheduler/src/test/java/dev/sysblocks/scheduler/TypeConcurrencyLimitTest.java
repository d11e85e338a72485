package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Per-type concurrency limits. With manual dispatch a running job can call {@code runNext()}
 * itself, which makes "two jobs running at once" a deterministic, single-threaded trace.
 */
class TypeConcurrencyLimitTest {

  private final FakeTicker time = FakeTicker.create();
  private final List<String> trace = new CopyOnWriteArrayList<>();

  @Test
  void aJobOfATypeAtItsLimitIsPassedByOtherTypesAndRunsWhenASlotFrees() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).concurrencyLimit("db", 1).build();
    scheduler
        .newJob(
            context -> {
              trace.add("A db starts");
              scheduler.runNext(); // B (db, most urgent) must wait; C (no type) runs
              trace.add("A db ends");
              return null;
            })
        .type("db")
        .priority(9)
        .submit();
    JobHandle<Object> b =
        scheduler
            .newJob(
                context -> {
                  trace.add("B db");
                  return null;
                })
            .type("db")
            .priority(8)
            .submit();
    scheduler
        .newJob(
            context -> {
              trace.add("C");
              assertThat(b.status()).isEqualTo(JobStatus.QUEUED);
              assertThat(scheduler.stats().queued()).isEqualTo(1);
              return null;
            })
        .priority(1)
        .submit();
    assertThat(scheduler.runNext()).isTrue(); // A, which runs C inside
    assertThat(trace).containsExactly("A db starts", "C", "A db ends");
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(trace).containsExactly("A db starts", "C", "A db ends", "B db");
  }

  @Test
  void aLimitOfTwoLetsTwoRunAtOnceButNotThree() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).concurrencyLimit("db", 2).build();
    AtomicInteger depth = new AtomicInteger();
    List<Integer> ranAtDepth = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      scheduler
          .newJob(
              context -> {
                ranAtDepth.add(depth.incrementAndGet());
                scheduler.runNext(); // try to start one more db job inside this one
                depth.decrementAndGet();
                return null;
              })
          .type("db")
          .submit();
    }
    assertThat(scheduler.runNext()).isTrue();
    assertThat(ranAtDepth).containsExactly(1, 2); // the third was held back at depth 2
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(ranAtDepth).containsExactly(1, 2, 1);
  }

  @Test
  void shutdownNowReturnsJobsHeldBackByTheirLimit() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).concurrencyLimit("db", 1).build();
    List<JobHandle<?>> returned = new ArrayList<>();
    JobHandle<Object> held = scheduler.newJob(context -> null).type("db").priority(1).submit();
    scheduler
        .newJob(
            context -> {
              assertThat(scheduler.runNext()).isFalse(); // only the held-back job is queued
              returned.addAll(scheduler.shutdownNow());
              return null;
            })
        .type("db")
        .priority(9)
        .submit();
    scheduler.runNext();
    assertThat(returned).containsExactly(held);
    assertThat(held.status()).isEqualTo(JobStatus.RETURNED);
    assertThat(scheduler.isTerminated()).isTrue();
    SchedulerStats s = scheduler.stats();
    assertThat(s.succeeded() + s.returned()).isEqualTo(s.submitted()).isEqualTo(2);
  }

  @Test
  void aCancelledHeldBackJobDoesNotBlockItsType() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).concurrencyLimit("db", 1).build();
    List<JobHandle<Object>> dbJobs = new ArrayList<>();
    scheduler
        .newJob(
            context -> {
              scheduler.runNext(); // parks the first queued db job
              dbJobs.get(0).cancel();
              return null;
            })
        .type("db")
        .priority(9)
        .submit();
    dbJobs.add(scheduler.newJob(context -> null).type("db").submit());
    dbJobs.add(scheduler.newJob(context -> null).type("db").submit());
    scheduler.runNext();
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(dbJobs.get(0).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(dbJobs.get(1).status()).isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void workersNeverRunMoreJobsOfATypeThanItsLimit() throws Exception {
    AtomicInteger runningDb = new AtomicInteger();
    AtomicInteger maxDb = new AtomicInteger();
    List<JobHandle<?>> handles = new ArrayList<>();
    JobScheduler scheduler = JobScheduler.builder().workers(4).concurrencyLimit("db", 2).build();
    try (scheduler) {
      for (int i = 0; i < 60; i++) {
        handles.add(
            scheduler
                .newJob(
                    context -> {
                      maxDb.accumulateAndGet(runningDb.incrementAndGet(), Math::max);
                      try {
                        Thread.sleep(1); // overlap with other jobs; not needed for correctness
                      } finally {
                        runningDb.decrementAndGet();
                      }
                      return null;
                    })
                .type("db")
                .priority(i % 10)
                .submit());
        handles.add(scheduler.newJob(context -> "other").priority(i % 10).submit());
      }
    }
    for (JobHandle<?> h : handles) {
      assertThat(h.result().get(20, TimeUnit.SECONDS)).isNotEqualTo("never");
    }
    assertThat(maxDb.get()).isBetween(1, 2);
    assertThat(scheduler.stats().succeeded()).isEqualTo(120);
  }

  @Test
  void badTypesAndLimitsAreRefused() {
    assertThatThrownBy(() -> JobScheduler.builder().concurrencyLimit("db", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRunning must be positive: 0");
    assertThatThrownBy(() -> JobScheduler.builder().concurrencyLimit(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("type");
    assertThatThrownBy(
            () -> JobScheduler.builder().concurrencyLimit("db", 1).concurrencyLimit("db", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("concurrency limit for db already set");
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().build();
    assertThatThrownBy(() -> scheduler.newJob(context -> null).type(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("type must not be empty");
    assertThat(scheduler.newJob(context -> null).type("label only").submit().type())
        .isEqualTo("label only");
  }
}
