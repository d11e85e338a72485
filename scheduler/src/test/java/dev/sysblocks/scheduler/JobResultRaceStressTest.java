package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link JobHandle#result()} racing the job's end: one thread asks for the future while another
 * runs the job to its end (success, a null value, a failure) or cancels it, each round starting
 * both together and delaying each by a random spin, so that the ask falls before, during and after
 * the end's publication. Whatever the interleaving, the future asked for must be the one every
 * later call returns, and it must complete, with the job's own outcome. A lost update (an outcome
 * recorded after the future was installed, or a future installed over an outcome without being
 * completed from it) shows as a future that never completes or completes with the wrong outcome.
 * The threads wait for each other by yielding, not spinning, so that a loaded 2-core machine still
 * makes progress.
 */
class JobResultRaceStressTest {

  private static final int ROUNDS = 20_000;
  private static final int MAX_SPINS = 2_000;
  private static final long WAIT_SECONDS = 20;

  @Test
  // Yielding, not blocking, keeps the two threads' starts close together (a park and unpark per
  // round would put tens of microseconds between them), and unlike spinning it cannot starve the
  // other thread of the two cores.
  @SuppressWarnings("ThreadPriorityCheck")
  void aFutureAskedForWhileTheJobEndsCompletesOnceWithTheJobsOutcome() throws Exception {
    JobScheduler scheduler = JobScheduler.builder().manualDispatch().build();
    AtomicInteger go = new AtomicInteger(); // the round the asker may start
    AtomicInteger done = new AtomicInteger(); // the last round the asker finished
    AtomicReference<JobHandle<Object>> current = new AtomicReference<>();
    AtomicReference<CompletableFuture<Object>> asked = new AtomicReference<>();
    AtomicReference<Throwable> askerError = new AtomicReference<>();
    AtomicInteger askedBeforeTheEnd = new AtomicInteger(); // got a future not yet completed
    AtomicInteger askedAfterTheEnd = new AtomicInteger(); // got one already completed
    Thread asker =
        new Thread(
            () -> {
              SplittableRandom random = new SplittableRandom(7);
              try {
                for (int round = 1; round <= ROUNDS; round++) {
                  while (go.get() < round) {
                    Thread.yield();
                  }
                  spin(random.nextInt(MAX_SPINS));
                  CompletableFuture<Object> future = current.get().result();
                  (future.isDone() ? askedAfterTheEnd : askedBeforeTheEnd).incrementAndGet();
                  asked.set(future);
                  done.set(round);
                }
              } catch (Throwable t) {
                askerError.set(t);
                done.set(ROUNDS);
              }
            },
            "asker");
    asker.setDaemon(true);
    asker.start();
    SplittableRandom random = new SplittableRandom(42);
    IOException error = new IOException("failed");
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        int kind = round % 4;
        int n = round;
        JobHandle<Object> handle =
            scheduler.submit(
                context -> {
                  if (kind == 1) {
                    return null;
                  }
                  if (kind == 2) {
                    throw error;
                  }
                  return n;
                });
        current.set(handle);
        go.set(round);
        spin(random.nextInt(MAX_SPINS));
        if (kind == 3) {
          handle.cancel();
        } else {
          scheduler.runNext();
        }
        while (done.get() < round) {
          Thread.yield();
        }
        assertThat(askerError).hasValue(null);
        CompletableFuture<Object> future = asked.get();
        assertThat(handle.result()).isSameAs(future);
        expectOutcome(future, kind, n, error);
      }
    } finally {
      go.set(Integer.MAX_VALUE);
      scheduler.shutdownNow();
    }
    // Both orders happened, so the test exercised the race it is about.
    assertThat(askedBeforeTheEnd).hasPositiveValue();
    assertThat(askedAfterTheEnd).hasPositiveValue();
  }

  private static void expectOutcome(
      CompletableFuture<Object> future, int kind, int n, IOException error) throws Exception {
    switch (kind) {
      case 0 -> assertThat(future.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(n);
      case 1 -> assertThat(future.get(WAIT_SECONDS, TimeUnit.SECONDS)).isNull();
      case 2 -> {
        try {
          future.get(WAIT_SECONDS, TimeUnit.SECONDS);
          throw new AssertionError("expected the job's failure");
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isSameAs(error);
        }
      }
      default -> {
        try {
          future.get(WAIT_SECONDS, TimeUnit.SECONDS);
          throw new AssertionError("expected a cancellation");
        } catch (CancellationException e) {
          assertThat(future.isCancelled()).isTrue();
        }
      }
    }
  }

  private static void spin(int spins) {
    for (int i = 0; i < spins; i++) {
      Thread.onSpinWait();
    }
  }
}
