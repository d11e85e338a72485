package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random traces of submissions (priority, delay), cancellations, clock advances and dispatches
 * against a reference model written from the definition: among jobs whose run-at time has come, run
 * the one with the highest effective priority {@code p + waited / step}, and among equals the one
 * submitted first. The model evaluates effective priorities at the dispatch instant with exact
 * rational arithmetic, so it checks the static-key trick rather than restating it.
 */
class DispatchOrderPropertyTest {

  private static final long STEP = 7; // ms per priority level: odd, so ties are rare but happen

  /** One operation of a trace. */
  record Op(int kind, int priority, int delayMillis, int advanceMillis, int pick) {}

  @Provide
  Arbitrary<List<Op>> traces() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.integers().between(0, 9), // 0-4 submit, 5-6 run, 7-8 advance, 9 cancel
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 30).injectDuplicates(0.3),
                Arbitraries.integers().between(1, 40),
                Arbitraries.integers().between(0, 1_000))
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 300)
  void dispatchFollowsEffectivePriorityWithAging(@ForAll("traces") List<Op> trace) {
    check(trace, true);
  }

  @Property(tries = 200)
  void dispatchFollowsStrictPriorityWithoutAging(@ForAll("traces") List<Op> trace) {
    check(trace, false);
  }

  private static void check(List<Op> trace, boolean aging) {
    FakeTicker time = FakeTicker.create();
    JobScheduler.Builder builder = JobScheduler.builder().manualDispatch().ticker(time);
    JobScheduler scheduler =
        aging ? builder.aging(Duration.ofMillis(STEP)).build() : builder.noAging().build();
    List<Model> pending = new ArrayList<>();
    List<Long> ran = new ArrayList<>();
    long now = 0;
    long seq = 0;
    for (Op op : trace) {
      if (op.kind() <= 4) {
        JobHandle<Void> h =
            scheduler
                .newJob(Job.of(() -> {}))
                .priority(op.priority())
                .delay(Duration.ofMillis(op.delayMillis()))
                .submit();
        pending.add(new Model(h, op.priority(), now + op.delayMillis(), seq++));
      } else if (op.kind() <= 6) {
        Optional<Model> expected = choose(pending, now, aging);
        int before = ran.size();
        long expectedId = expected.map(m -> m.handle.id()).orElse(-1L);
        boolean didRun = scheduler.runNext();
        assertThat(didRun).isEqualTo(expected.isPresent());
        if (didRun) {
          Model m = expected.get();
          assertThat(m.handle.status())
              .as("expected job %s to have run", expectedId)
              .isEqualTo(JobStatus.SUCCEEDED);
          pending.remove(m);
          ran.add(m.handle.id());
        }
        assertThat(ran.size() - before).isLessThanOrEqualTo(1);
      } else if (op.kind() <= 8) {
        time.advance(Duration.ofMillis(op.advanceMillis()));
        now += op.advanceMillis();
      } else if (!pending.isEmpty()) {
        Model victim = pending.remove(op.pick() % pending.size());
        assertThat(victim.handle.cancel()).isTrue();
      }
    }
    for (Model m : pending) {
      assertThat(m.handle.status()).isEqualTo(JobStatus.QUEUED);
    }
  }

  /** The job the definition says runs now, if any is eligible. */
  private static Optional<Model> choose(List<Model> pending, long now, boolean aging) {
    // Effective priority times STEP, to stay in integers: p * STEP + (now - eligibleAt).
    Comparator<Model> byEffectivePriority =
        aging
            ? Comparator.comparingLong((Model m) -> m.priority * STEP + (now - m.eligibleAt))
            : Comparator.comparingLong((Model m) -> m.priority);
    Comparator<Model> order = byEffectivePriority.reversed().thenComparingLong(m -> m.seq);
    return pending.stream().filter(m -> m.eligibleAt <= now).min(order);
  }

  private static final class Model {
    final JobHandle<Void> handle;
    final int priority;
    final long eligibleAt;
    final long seq;

    Model(JobHandle<Void> handle, int priority, long eligibleAt, long seq) {
      this.handle = handle;
      this.priority = priority;
      this.eligibleAt = eligibleAt;
      this.seq = seq;
    }
  }
}
