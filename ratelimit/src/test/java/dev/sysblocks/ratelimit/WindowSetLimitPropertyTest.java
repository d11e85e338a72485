package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The window limiters under random traffic and random changes of permits and window length, against
 * models that keep every admission in a list: decision by decision, and the transition bounds of
 * the class essays over every interval.
 */
class WindowSetLimitPropertyTest {

  private static final long MS = 1_000_000L;

  /** One step: a clock advance, a request, or a change of limit. */
  sealed interface Op permits Advance, Acquire, Change {}

  record Advance(long nanos) implements Op {}

  record Acquire(int permits) implements Op {}

  record Change(int permits, long windowNanos) implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> advance =
        Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 50 * MS),
                Arbitraries.longs().between(0, 1_500 * MS))
            .map(Advance::new);
    Arbitrary<Op> acquire = Arbitraries.integers().between(1, 3).map(Acquire::new);
    Arbitrary<Op> change =
        Arbitraries.integers()
            .between(3, 9)
            .flatMap(
                n ->
                    Arbitraries.of(600 * MS, 1_000 * MS, 2_500 * MS)
                        .map(w -> (Op) new Change(n, w)));
    return Arbitraries.frequencyOf(Tuple.of(6, advance), Tuple.of(10, acquire), Tuple.of(2, change))
        .list()
        .ofMinSize(20)
        .ofMaxSize(300);
  }

  // ------------------------------------------------------------------------------------------
  // Fixed window and sliding window counter
  // ------------------------------------------------------------------------------------------

  /**
   * The counters' semantics restated over a list of admissions: epochs (a start, a window length,
   * the permits carried in at the start) and, in each, windows aligned to its start; a window's
   * count is what it carried plus the permits admitted in it.
   */
  static final class CounterModel {
    final boolean sliding;
    final List<long[]> epochs = new ArrayList<>(); // {start, length, carried}
    final List<long[]> admitted = new ArrayList<>(); // {time, permits, epoch}
    final List<long[]> changes = new ArrayList<>(); // {time, permits}
    long permits;

    CounterModel(boolean sliding, Limit limit) {
      this.sliding = sliding;
      this.permits = limit.permits();
      epochs.add(new long[] {0, limit.periodNanos(), 0});
      changes.add(new long[] {0, permits});
    }

    private long count(int epoch, long index) {
      long[] e = epochs.get(epoch);
      long c = index == 0 ? e[2] : 0;
      for (long[] a : admitted) {
        if (a[2] == epoch && (a[0] - e[0]) / e[1] == index) {
          c += a[1];
        }
      }
      return c;
    }

    /** Permits held against the limit at t: the window's count and the previous one's share. */
    long held(long t) {
      int epoch = epochs.size() - 1;
      long[] e = epochs.get(epoch);
      long index = (t - e[0]) / e[1];
      long offset = t - e[0] - index * e[1];
      long previous = index == 0 ? 0 : count(epoch, index - 1);
      long share = sliding ? (previous * (e[1] - offset) + e[1] - 1) / e[1] : 0;
      return count(epoch, index) + share;
    }

    boolean tryAcquire(long t, int n) {
      if (held(t) + n > permits) {
        return false;
      }
      admitted.add(new long[] {t, n, epochs.size() - 1});
      return true;
    }

    void setLimit(long t, Limit limit) {
      long[] e = epochs.get(epochs.size() - 1);
      if (limit.periodNanos() != e[1]) {
        epochs.add(new long[] {t, limit.periodNanos(), held(t)});
      }
      changes.add(new long[] {t, limit.permits()});
      permits = limit.permits();
    }

    /**
     * The essays' bounds, over the admission times alone (not the carried counts, which are the
     * model's own reading of the rule). In each epoch, no interval of its window length holds more
     * than 2N permits (fixed) or 2N - 1 (sliding), N the most permits in force in it. And across
     * each change of window length, the switch mints nothing: from the start of the old window
     * running at the change (or, if that window was itself the first of an epoch, of the window
     * running when that epoch began, and so on back) to the end of the new first window, at most as
     * many permits pass as the largest limit in force meanwhile.
     */
    void checkTransitionBounds() {
      for (int epoch = 0; epoch < epochs.size(); epoch++) {
        long[] e = epochs.get(epoch);
        long next = epoch + 1 < epochs.size() ? epochs.get(epoch + 1)[0] : Long.MAX_VALUE;
        List<long[]> inEpoch = new ArrayList<>();
        for (long[] a : admitted) {
          if (a[2] == epoch) {
            inEpoch.add(a);
          }
        }
        long n = mostPermits(e[0], next);
        assertThat(busiest(inEpoch, e[1]))
            .as("epoch %s of %s", epoch, epochs.size())
            .isLessThanOrEqualTo(sliding ? 2 * n - 1 : 2 * n);
        if (epoch == 0) {
          continue;
        }
        long from = chainStart(epoch);
        long to = e[0] + e[1];
        long passed = 0;
        for (long[] a : admitted) {
          if (a[0] >= from && (a[2] < epoch || (a[2] == epoch && a[0] < to))) {
            passed += a[1];
          }
        }
        assertThat(passed)
            .as("from %s to %s ns across the change at %s ns", from, to, e[0])
            .isLessThanOrEqualTo(mostPermits(from, to));
      }
    }

    /** Start of the old window running when epoch e began, followed back through first windows. */
    private long chainStart(int epoch) {
      long[] old = epochs.get(epoch - 1);
      long index = (epochs.get(epoch)[0] - old[0]) / old[1];
      if (index == 0 && epoch - 1 > 0) {
        return chainStart(epoch - 1);
      }
      return old[0] + index * old[1];
    }

    /** The most permits of any limit in force in [from, to], if only for an instant. */
    private long mostPermits(long from, long to) {
      long most = 0;
      long before = 0; // the limit set last before from: still in force at from
      for (long[] c : changes) {
        if (c[0] < from) {
          before = c[1];
        } else if (c[0] <= to) {
          most = Math.max(most, c[1]);
        }
      }
      return Math.max(most, before);
    }
  }

  /** The most permits in any interval [x, x + length) of a time-ordered history. */
  static long busiest(List<long[]> history, long length) {
    long best = 0;
    for (int i = 0; i < history.size(); i++) {
      long sum = 0;
      for (int j = i; j < history.size() && history.get(j)[0] < history.get(i)[0] + length; j++) {
        sum += history.get(j)[1];
      }
      best = Math.max(best, sum);
    }
    return best;
  }

  private static Limit limitOf(Change c) {
    return Limit.of(c.permits(), Duration.ofNanos(c.windowNanos()));
  }

  private void runCounter(boolean sliding, List<Op> ops) {
    FakeTicker clock = FakeTicker.create();
    Limit first = Limit.of(5, Duration.ofSeconds(1));
    WindowedLimiter limiter =
        sliding
            ? SlidingWindowCounterLimiter.of(first, clock)
            : FixedWindowLimiter.of(first, clock);
    CounterModel model = new CounterModel(sliding, first);
    long now = 0;
    for (Op op : ops) {
      if (op instanceof Advance a) {
        clock.advanceNanos(a.nanos());
        now += a.nanos();
      } else if (op instanceof Acquire a) {
        assertThat(limiter.tryAcquire(a.permits()))
            .as("%s at %s ns", a, now)
            .isEqualTo(model.tryAcquire(now, a.permits()));
        assertThat(limiter.availablePermits())
            .isEqualTo(Math.max(0, model.permits - model.held(now)));
      } else if (op instanceof Change c) {
        limiter.setLimit(limitOf(c));
        model.setLimit(now, limitOf(c));
        assertThat(limiter.limit()).isEqualTo(limitOf(c));
      }
    }
    model.checkTransitionBounds();
  }

  @Property(tries = 300)
  void theFixedWindowDecidesAsItsModelAndKeepsTheTransitionBound(@ForAll("ops") List<Op> ops) {
    runCounter(false, ops);
  }

  @Property(tries = 300)
  void theSlidingCounterDecidesAsItsModelAndKeepsTheTransitionBound(@ForAll("ops") List<Op> ops) {
    runCounter(true, ops);
  }

  // ------------------------------------------------------------------------------------------
  // Sliding log
  // ------------------------------------------------------------------------------------------

  @Property(tries = 300)
  void theLogIsExactUnlessItMustCountWhatItForgotAndThenItOnlyRefuses(@ForAll("ops") List<Op> ops) {
    FakeTicker clock = FakeTicker.create();
    SlidingWindowLogLimiter limiter =
        SlidingWindowLogLimiter.of(Limit.of(5, Duration.ofSeconds(1)), clock);
    List<Long> times = new ArrayList<>(); // one entry per admitted permit
    long permits = 5;
    long window = Duration.ofSeconds(1).toNanos();
    long retained = 0; // the log holds the newest `retained` permits; its other slots are older
    long now = 0;
    for (Op op : ops) {
      if (op instanceof Advance a) {
        clock.advanceNanos(a.nanos());
        now += a.nanos();
      } else if (op instanceof Acquire a) {
        long inWindow = 0;
        for (long t : times) {
          inWindow += t > now - window ? 1 : 0;
        }
        boolean exact = inWindow + a.permits() <= permits;
        long newestForgotten =
            times.size() > retained ? times.get(times.size() - 1 - (int) retained) : Long.MIN_VALUE;
        boolean countsForgotten = retained < permits && newestForgotten > now - window;
        boolean taken = limiter.tryAcquire(a.permits());
        if (countsForgotten) {
          assertThat(taken).as("%s at %s ns, counting what the log forgot", a, now).isFalse();
        } else {
          assertThat(taken).as("%s at %s ns", a, now).isEqualTo(exact);
        }
        if (taken) {
          for (int i = 0; i < a.permits(); i++) {
            times.add(now);
          }
          retained = Math.min(retained + a.permits(), permits);
        }
      } else if (op instanceof Change c) {
        limiter.setLimit(limitOf(c));
        if (c.permits() != permits || c.windowNanos() != window) {
          retained = Math.min(retained, c.permits());
          permits = c.permits();
          window = c.windowNanos();
        }
      }
    }
  }
}
