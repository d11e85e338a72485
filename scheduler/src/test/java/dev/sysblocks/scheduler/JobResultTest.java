package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The result future is made only when {@link JobHandle#result()} is first called. A job that ended
 * before anyone asked keeps its outcome in the field the future would use, and the future made
 * later must complete exactly as one made before the end would have: these tests ask only after the
 * end, for every final status. (JobResultRaceStressTest asks while the job ends.)
 */
class JobResultTest {

  private final FakeTicker time = FakeTicker.create();

  private JobScheduler manual() {
    return JobScheduler.builder().manualDispatch().ticker(time).build();
  }

  @Test
  void aFutureAskedForAfterASuccessHasTheValueAndIsTheSameOnEveryCall() {
    JobScheduler scheduler = manual();
    JobHandle<String> handle = scheduler.submit(context -> "done");
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.SUCCEEDED);
    CompletableFuture<String> first = handle.result();
    assertThat(first).isCompletedWithValue("done");
    assertThat(handle.result()).isSameAs(first);
  }

  @Test
  void aFutureAskedForAfterASuccessWithNullHasNull() {
    JobScheduler scheduler = manual();
    JobHandle<Void> handle = scheduler.submit(context -> null);
    scheduler.runPending();
    assertThat(handle.result()).isCompletedWithValue(null);
  }

  @Test
  @SuppressWarnings("FutureReturnValueIgnored") // a future of a future is the case under test
  void aJobWhoseValueIsAFutureGetsThatFutureAsItsValueNotAsItsResult() {
    JobScheduler scheduler = manual();
    CompletableFuture<String> value = new CompletableFuture<>(); // never completed
    JobHandle<CompletableFuture<String>> handle = scheduler.submit(context -> value);
    scheduler.runPending();
    CompletableFuture<CompletableFuture<String>> result = handle.result();
    assertThat(result).isDone();
    assertThat(result.join()).isSameAs(value);
    assertThat(handle.result()).isSameAs(result);
  }

  @Test
  void aJobWhoseValueIsAThrowableSucceedsWithIt() {
    JobScheduler scheduler = manual();
    IllegalStateException value = new IllegalStateException("a value, not a failure");
    JobHandle<IllegalStateException> handle = scheduler.submit(context -> value);
    scheduler.runPending();
    assertThat(handle.result()).isCompletedWithValue(value);
  }

  @Test
  void aFutureAskedForAfterAFailureFailsWithTheJobsError() {
    JobScheduler scheduler = manual();
    IOException error = new IOException("boom");
    JobHandle<Object> handle =
        scheduler.submit(
            context -> {
              throw error;
            });
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.FAILED);
    assertThatThrownBy(() -> handle.result().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isSameAs(error);
  }

  @Test
  void aFutureAskedForAfterDeadLetteringFailsWithTheLastError() {
    JobScheduler scheduler = manual();
    JobHandle<Object> handle =
        scheduler
            .newJob(
                context -> {
                  throw new IOException("attempt " + context.attempt());
                })
            .retry(RetryPolicy.exponentialBackoff(2, Duration.ZERO, Duration.ZERO))
            .submit();
    scheduler.runPending();
    assertThat(handle.status()).isEqualTo(JobStatus.DEAD_LETTERED);
    assertThatThrownBy(() -> handle.result().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("attempt 2");
  }

  @Test
  void aFutureAskedForAfterACancelIsCancelled() {
    JobScheduler scheduler = manual();
    JobHandle<String> handle = scheduler.submit(context -> "never");
    assertThat(handle.cancel()).isTrue();
    assertThat(handle.result()).isCancelled();
  }

  @Test
  void aFutureAskedForAfterShutdownNowReturnedTheJobSaysSo() {
    JobScheduler scheduler = manual();
    JobHandle<String> handle = scheduler.submit(context -> "never");
    scheduler.shutdownNow();
    assertThat(handle.status()).isEqualTo(JobStatus.RETURNED);
    assertThatThrownBy(() -> handle.result().join())
        .isInstanceOf(CancellationException.class)
        .hasMessage("job " + handle.id() + " returned unstarted by shutdownNow");
  }

  @Test
  void aFutureAskedForBeforeTheEndIsTheOneCompleted() {
    JobScheduler scheduler = manual();
    JobHandle<String> handle = scheduler.submit(context -> "done");
    CompletableFuture<String> asked = handle.result();
    assertThat(asked).isNotDone();
    scheduler.runPending();
    assertThat(asked).isCompletedWithValue("done");
    assertThat(handle.result()).isSameAs(asked);
  }
}
