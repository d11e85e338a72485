package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * LRU maintenance handed to an executor: the drain runs there, one drain is scheduled at a time
 * however many reads and writes ask for one, writes made while it is pending are not lost, and an
 * executor that refuses the task leaves the work to the caller.
 */
class LruCacheMaintenanceExecutorTest {

  /** Holds submitted tasks until the test runs them: a pool whose thread has not run yet. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    int submitted;

    @Override
    public void execute(Runnable task) {
      submitted++;
      tasks.add(task);
    }

    void runAll() {
      for (Runnable task; (task = tasks.poll()) != null; ) {
        task.run();
      }
    }
  }

  private static LruCache<Integer, Integer> lru(int maximumSize, Executor executor) {
    return (LruCache<Integer, Integer>)
        CacheBuilder.newBuilder()
            .maximumSize(maximumSize)
            .policy(EvictionPolicy.LRU)
            .executor(executor)
            .<Integer, Integer>build();
  }

  @Test
  void evictionWaitsForTheExecutorAndOneDrainIsScheduledAtATime() {
    ManualExecutor executor = new ManualExecutor();
    LruCache<Integer, Integer> cache = lru(10, executor);
    for (int i = 0; i < 50; i++) {
      cache.put(i, i);
    }
    for (int i = 0; i < 1_000; i++) {
      cache.getIfPresent(i % 50); // fills the read stripe many times over
    }
    assertThat(executor.submitted).isEqualTo(1); // the first write scheduled it; the rest waited
    assertThat(cache.estimatedSize()).isEqualTo(50); // nothing evicted on the callers' threads

    executor.runAll();
    assertThat(cache.estimatedSize()).isEqualTo(10);
    assertThat(cache.linkedSize()).isEqualTo(10);
    assertThat(cache.keysInAccessOrder()).hasSize(10);
  }

  @Test
  void writesMadeWhileADrainIsPendingAreAppliedByIt() {
    ManualExecutor executor = new ManualExecutor();
    LruCache<Integer, Integer> cache = lru(3, executor);
    cache.put(1, 1); // schedules the drain
    cache.put(2, 2);
    cache.put(3, 3);
    cache.put(4, 4);
    cache.invalidate(2);
    assertThat(executor.submitted).isEqualTo(1);

    executor.runAll(); // one task: its closing CAS fails and it goes round again for the rest
    assertThat(executor.submitted).isEqualTo(1);
    assertThat(cache.linkedSize()).isEqualTo(3);
    assertThat(cache.keysInAccessOrder()).containsExactly(1, 3, 4);
  }

  @Test
  void aDrainAfterTheLastOneFinishedIsScheduledAgain() {
    ManualExecutor executor = new ManualExecutor();
    LruCache<Integer, Integer> cache = lru(2, executor);
    cache.put(1, 1);
    executor.runAll();
    cache.put(2, 2);
    cache.put(3, 3);
    assertThat(executor.submitted).isEqualTo(2);
    executor.runAll();
    assertThat(cache.keysInAccessOrder()).containsExactly(2, 3);
  }

  @Test
  void anExecutorThatRefusesLeavesTheWorkToTheCaller() {
    Executor refusing =
        task -> {
          throw new RejectedExecutionException("shut down");
        };
    LruCache<Integer, Integer> cache = lru(5, refusing);
    for (int i = 0; i < 100; i++) {
      cache.put(i, i);
      cache.getIfPresent(i / 2);
    }
    assertThat(cache.estimatedSize()).isEqualTo(5); // evicted on the writing thread
    assertThat(cache.linkedSize()).isEqualTo(5);
  }
}
