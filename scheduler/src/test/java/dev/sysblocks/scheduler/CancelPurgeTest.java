package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Cancelled jobs do not hold memory: once cancelled entries may outnumber the live ones, the
 * scheduler purges them from the store (and from the per-type and per-tenant heaps) in one pass.
 */
class CancelPurgeTest {

  private final FakeTicker time = FakeTicker.create();
  private final InMemoryJobStore store = new InMemoryJobStore();
  private final List<Integer> ran = new CopyOnWriteArrayList<>();

  private Job<Void> recording(int n) {
    return Job.of(() -> ran.add(n));
  }

  @Test
  void cancellingManyFarOffJobsLeavesTheStoreHoldingOnlyAboutTheLiveOnes() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).store(store).build();
    int far = 100_000;
    List<JobHandle<Void>> farOff = new ArrayList<>(far);
    for (int i = 0; i < far + 10; i++) {
      if (i % 10_001 == 5_000) { // ten live jobs spread through the submissions, due in 1..10 s
        int n = i / 10_001;
        scheduler.newJob(recording(n)).delay(Duration.ofSeconds(10 - n)).submit();
      } else {
        farOff.add(scheduler.newJob(recording(-1)).delay(Duration.ofDays(365)).submit());
      }
    }
    assertThat(farOff).hasSize(far);
    assertThat(store.size()).isEqualTo(far + 10);

    for (JobHandle<Void> handle : farOff) {
      assertThat(handle.cancel()).isTrue();
    }

    assertThat(store.size())
        .as("entries held after cancelling %s of %s", far, far + 10)
        .isLessThanOrEqualTo(10 + JobScheduler.PURGE_MIN_STALE);
    assertThat(scheduler.stats().cancelled()).isEqualTo(far);
    assertThat(scheduler.stats().queued()).isEqualTo(10);
    time.advance(Duration.ofSeconds(10));
    assertThat(scheduler.runPending()).isEqualTo(10);
    assertThat(ran).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0); // by due time
    assertThat(store.size()).as("stale entries below the minimum wait to surface").isPositive();
  }

  @Test
  void fewCancellationsAreLeftToSurfaceLazily() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).store(store).build();
    List<JobHandle<Void>> handles = new ArrayList<>();
    for (int i = 0; i < JobScheduler.PURGE_MIN_STALE; i++) {
      handles.add(scheduler.newJob(recording(i)).delay(Duration.ofSeconds(1)).submit());
    }
    handles.forEach(JobHandle::cancel);
    assertThat(store.size()).as("at the minimum no purge runs").isEqualTo(64);
    scheduler.newJob(recording(99)).delay(Duration.ofSeconds(1)).submit().cancel();
    assertThat(store.size()).as("one more stale entry than live ones and the minimum").isZero();
  }

  /**
   * Cancels jobs 50 to 199 of both lists, interleaved: 300 cancellations against 399 queued jobs
   * trigger two purges (after the 200th, when stale entries outnumber live ones, and after the
   * 300th).
   */
  private static void cancelAllButTheFirst50(
      List<JobHandle<Void>> first, List<JobHandle<Void>> second) {
    for (int i = 50; i < 200; i++) {
      assertThat(first.get(i).cancel()).isTrue();
      assertThat(second.get(i).cancel()).isTrue();
    }
  }

  private static List<Integer> firstFifty(int base) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      out.add(base + i);
    }
    return out;
  }

  @Test
  void aPurgeAlsoDropsEntriesSetAsideByTypeAndTheOthersStillRunOnceInOrder() {
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .store(store)
            .concurrencyLimit("report", 1)
            .noAging()
            .build();
    List<JobHandle<Void>> reports = new ArrayList<>();
    List<JobHandle<Void>> others = new ArrayList<>();
    scheduler
        .newJob(
            Job.of(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    reports.add(
                        scheduler.newJob(recording(1_000 + i)).type("report").priority(9).submit());
                    others.add(scheduler.newJob(recording(2_000 + i)).priority(0).submit());
                  }
                  // The report slot is taken by this job: the 200 reports come out of the store
                  // first and are set aside by type; then job 2000 runs.
                  assertThat(scheduler.runNext()).isTrue();
                  cancelAllButTheFirst50(reports, others);
                }))
        .type("report")
        .submit();
    scheduler.runPending();
    List<Integer> expected = firstFifty(2_000);
    expected.addAll(firstFifty(1_000));
    assertThat(ran.get(0)).isEqualTo(2_000);
    assertThat(ran).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(ran.subList(1, ran.size())).isSortedAccordingTo(Integer::compare);
    SchedulerStats s = scheduler.stats();
    assertThat(s.cancelled()).isEqualTo(300);
    assertThat(s.succeeded() + s.cancelled()).isEqualTo(s.submitted()).isEqualTo(401);
  }

  @Test
  void aPurgeAlsoDropsEntriesWaitingInTenantHeapsAndTheOthersStillRunOnceInOrder() {
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .store(store)
            .tenantWeight("a", 1)
            .tenantWeight("b", 1)
            .build();
    List<JobHandle<Void>> a = new ArrayList<>();
    List<JobHandle<Void>> b = new ArrayList<>();
    scheduler
        .newJob(
            Job.of(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    a.add(scheduler.newJob(recording(1_000 + i)).tenant("a").submit());
                    b.add(scheduler.newJob(recording(2_000 + i)).tenant("b").submit());
                  }
                  // Moves every eligible entry into its tenant's heap and runs one of them.
                  assertThat(scheduler.runNext()).isTrue();
                  cancelAllButTheFirst50(a, b);
                }))
        .tenant("a")
        .submit();
    scheduler.runPending();
    List<Integer> expected = firstFifty(1_000);
    expected.addAll(firstFifty(2_000));
    assertThat(ran).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(ran.stream().filter(n -> n < 2_000).toList()).isSorted();
    assertThat(ran.stream().filter(n -> n >= 2_000).toList()).isSorted();
    SchedulerStats s = scheduler.stats();
    assertThat(s.cancelled()).isEqualTo(300);
    assertThat(s.succeeded() + s.cancelled()).isEqualTo(s.submitted()).isEqualTo(401);
  }
}
