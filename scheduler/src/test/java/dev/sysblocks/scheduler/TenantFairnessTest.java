package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Weighted fair sharing between tenants: while tenants have queued jobs, dispatches split in
 * proportion to their weights, whatever their priorities and volumes.
 */
class TenantFairnessTest {

  private final FakeTicker time = FakeTicker.create();
  private final Map<String, AtomicInteger> ran = new ConcurrentHashMap<>();

  private Job<String> counting(String tenant) {
    return context -> {
      ran.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
      return tenant;
    };
  }

  private int ran(String tenant) {
    AtomicInteger n = ran.get(tenant);
    return n == null ? 0 : n.get();
  }

  @Test
  void backloggedTenantsShareDispatchesByWeightWhateverTheirPriorities() {
    JobScheduler scheduler =
        JobScheduler.builder()
            .manualDispatch()
            .ticker(time)
            .tenantWeight("a", 5)
            .tenantWeight("b", 3)
            .tenantWeight("c", 2)
            .build();
    for (int i = 0; i < 3_000; i++) {
      scheduler.newJob(counting("a")).tenant("a").priority(9).submit();
      scheduler.newJob(counting("b")).tenant("b").priority(4).submit();
      scheduler.newJob(counting("c")).tenant("c").priority(0).submit();
    }
    for (int i = 0; i < 1_000; i++) {
      assertThat(scheduler.runNext()).isTrue();
    }
    // Start-time fair queuing keeps each tenant within one job of its share, far inside +-5%.
    assertThat(ran("a")).isBetween(499, 501);
    assertThat(ran("b")).isBetween(299, 301);
    assertThat(ran("c")).isBetween(199, 201);
  }

  @Test
  void aNoisyTenantCannotStarveAQuietOne() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).tenantWeight("noisy", 1).build();
    for (int i = 0; i < 10_000; i++) {
      scheduler.newJob(counting("noisy")).tenant("noisy").priority(9).submit();
    }
    scheduler.runNext();
    JobHandle<String> quiet = scheduler.newJob(counting("quiet")).tenant("quiet").submit();
    scheduler.runNext();
    scheduler.runNext();
    assertThat(quiet.status()).isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void jobsWithoutATenantFormOneTenantOfWeightOne() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).tenantWeight("a", 3).build();
    for (int i = 0; i < 1_000; i++) {
      scheduler.newJob(counting("a")).tenant("a").submit();
      scheduler.newJob(counting("none")).submit();
    }
    for (int i = 0; i < 400; i++) {
      scheduler.runNext();
    }
    assertThat(ran("a")).isBetween(299, 301);
    assertThat(ran("none")).isBetween(99, 101);
  }

  @Test
  void withinATenantPrioritiesStillApply() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).tenantWeight("a", 1).build();
    List<Integer> order = new ArrayList<>();
    for (int p : new int[] {2, 9, 5}) {
      scheduler
          .newJob(
              context -> {
                order.add(p);
                return null;
              })
          .tenant("a")
          .priority(p)
          .submit();
    }
    scheduler.runPending();
    assertThat(order).containsExactly(9, 5, 2);
  }

  @Test
  void anIdleTenantEarnsNoCredit() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).tenantWeight("a", 1).build();
    for (int i = 0; i < 200; i++) {
      scheduler.newJob(counting("a")).tenant("a").submit();
    }
    for (int i = 0; i < 100; i++) {
      scheduler.runNext(); // b is idle meanwhile
    }
    for (int i = 0; i < 100; i++) {
      scheduler.newJob(counting("b")).tenant("b").submit();
    }
    for (int i = 0; i < 20; i++) {
      scheduler.runNext();
    }
    assertThat(ran("a")).isBetween(109, 111); // b does not get 100 turns in a row
    assertThat(ran("b")).isBetween(9, 11);
  }

  @Test
  void shutdownNowReturnsJobsWaitingInTenantQueues() {
    JobScheduler scheduler =
        JobScheduler.builder().manualDispatch().ticker(time).tenantWeight("a", 2).build();
    for (int i = 0; i < 10; i++) {
      scheduler.newJob(counting("a")).tenant("a").submit();
      scheduler.newJob(counting("b")).tenant("b").submit();
    }
    scheduler.runNext(); // moves every eligible job into the tenant queues
    JobHandle<String> cancelled = scheduler.newJob(counting("b")).tenant("b").submit();
    cancelled.cancel();
    List<JobHandle<?>> returned = scheduler.shutdownNow();
    assertThat(returned).hasSize(19);
    SchedulerStats s = scheduler.stats();
    assertThat(s.succeeded() + s.cancelled() + s.returned()).isEqualTo(s.submitted()).isEqualTo(21);
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void workersShareByWeightUnderConcurrency() throws Exception {
    int perTenant = 2_000;
    int window = 2_000; // every tenant stays backlogged throughout the first 2,000 starts
    AtomicInteger started = new AtomicInteger();
    Map<String, AtomicInteger> inWindow = new ConcurrentHashMap<>();
    JobScheduler scheduler =
        JobScheduler.builder()
            .workers(4)
            .ticker(time)
            .tenantWeight("a", 2)
            .tenantWeight("b", 1)
            .tenantWeight("c", 1)
            .build();
    List<JobHandle<?>> handles = new ArrayList<>();
    try (scheduler) {
      long runAt = time.read() + Duration.ofSeconds(1).toNanos(); // all eligible at once
      for (int i = 0; i < perTenant; i++) {
        for (String tenant : new String[] {"a", "b", "c"}) {
          handles.add(
              scheduler
                  .newJob(
                      context -> {
                        if (started.incrementAndGet() <= window) {
                          inWindow
                              .computeIfAbsent(tenant, t -> new AtomicInteger())
                              .incrementAndGet();
                        }
                        return null;
                      })
                  .tenant(tenant)
                  .priority(tenant.equals("c") ? 9 : 0)
                  .runAt(runAt)
                  .submit());
        }
      }
      time.advance(Duration.ofSeconds(1));
      for (JobHandle<?> h : handles) {
        h.result().get(20, TimeUnit.SECONDS);
      }
    }
    // Shares 1/2, 1/4, 1/4 of the window, within +-5% (the order in which 4 workers record their
    // starts may differ from the dispatch order by a few jobs).
    assertThat(inWindow.get("a").get()).isBetween(950, 1_050);
    assertThat(inWindow.get("b").get()).isBetween(475, 525);
    assertThat(inWindow.get("c").get()).isBetween(475, 525);
  }

  @Test
  void badTenantsAndWeightsAreRefused() {
    assertThatThrownBy(() -> JobScheduler.builder().tenantWeight("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be between 1 and 1000000: 0");
    assertThatThrownBy(() -> JobScheduler.builder().tenantWeight("a", 1).tenantWeight("a", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("weight for a already set");
    assertThatThrownBy(() -> JobScheduler.builder().tenantWeight(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tenant");
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().build();
    assertThatThrownBy(() -> scheduler.newJob(context -> null).tenant(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenant must not be empty");
    assertThat(scheduler.newJob(context -> null).tenant("t").submit().tenant()).isEqualTo("t");
  }
}
