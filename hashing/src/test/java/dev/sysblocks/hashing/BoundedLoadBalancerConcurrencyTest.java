package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Eight threads hammer one balancer in rounds of two phases, separated by a barrier at which the
 * test thread checks the invariants while nobody is running:
 *
 * <ol>
 *   <li>acquires only, from zero load: the sum of the loads equals the total, which counts every
 *       acquire, and each node holds at most {@code ceil(c * total / n)} plus the overflows of the
 *       phase;
 *   <li>every unit released, interleaved with more acquire/release pairs, while the test thread
 *       removes and re-adds a node (dropping its load mid-flight): back to zero everywhere.
 * </ol>
 *
 * A watcher thread reads every load and the total throughout and must never see one below zero.
 */
class BoundedLoadBalancerConcurrencyTest {

  private static final int THREADS = 8;
  private static final int NODES = 10;
  private static final int ROUNDS = 6;
  private static final int ACQUIRES_PER_PHASE = 10_000;
  private static final double C = 1.25;

  @Test
  void invariantsHoldAtEveryBarrierAndLoadsNeverGoNegative() throws Exception {
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(C).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      ids.add("node-" + i);
    }
    balancer.addAll(ids);
    String churned = ids.get(NODES - 1);

    CyclicBarrier barrier = new CyclicBarrier(THREADS + 1);
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = 70L + t;
        workers.add(pool.submit(() -> work(balancer, barrier, seed)));
      }
      Future<Long> watcher =
          pool.submit(
              () -> {
                long reads = 0;
                while (!done.get()) {
                  for (String id : ids) {
                    assertThat(balancer.load(id)).isNotNegative();
                  }
                  assertThat(balancer.totalLoad()).isNotNegative();
                  reads++;
                }
                return reads;
              });

      for (int round = 0; round < ROUNDS; round++) {
        long overflowsBefore = balancer.overflows();
        barrier.await(10, TimeUnit.SECONDS); // phase 1 starts
        barrier.await(10, TimeUnit.SECONDS); // phase 1 done: quiescent
        long total = balancer.totalLoad();
        assertThat(total).isEqualTo((long) THREADS * ACQUIRES_PER_PHASE);
        assertThat(sumOfLoads(balancer, ids)).isEqualTo(total);
        long bound =
            BoundedLoadBalancerTest.capacity(C, total, 1, NODES)
                + (balancer.overflows() - overflowsBefore);
        for (String id : ids) {
          assertThat(balancer.load(id)).as("load of %s", id).isLessThanOrEqualTo(bound);
        }

        barrier.await(10, TimeUnit.SECONDS); // phase 2 starts
        for (int change = 0; change < 20; change++) {
          balancer.remove(churned);
          balancer.add(churned);
        }
        barrier.await(10, TimeUnit.SECONDS); // phase 2 done: quiescent
        assertThat(balancer.totalLoad()).isZero();
        assertThat(sumOfLoads(balancer, ids)).isZero();
      }
      for (Future<?> worker : workers) {
        worker.get(10, TimeUnit.SECONDS);
      }
      done.set(true);
      assertThat(watcher.get(10, TimeUnit.SECONDS)).isPositive();
    } finally {
      done.set(true);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    // Overflows need a thread to read a total that lags the loads; they can happen, but rarely.
    assertThat(balancer.overflows()).isLessThan((long) ROUNDS * THREADS * ACQUIRES_PER_PHASE / 100);
  }

  @Test
  void threadsRacingForTheLastRoomOnOneNodeNeverPushItPastTheBound() throws Exception {
    // Two nodes, c = 1.01, one key: its owner is at capacity after every acquire and gains room
    // for one more unit about every second acquire, which all threads then race for.
    BoundedLoadBalancer<String> balancer =
        BoundedLoadBalancer.<String>builder(id -> id).balanceFactor(1.01).build();
    balancer.addAll(List.of("a", "b"));
    int perThread = 20_000;
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<String>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        workers.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  for (int i = 0; i < perThread; i++) {
                    String node = balancer.acquire(42L);
                    // Read in this order, each value can only have grown since the one before,
                    // so a correct balancer satisfies this at every instant, not only at the end.
                    long load = balancer.load(node);
                    long total = balancer.totalLoad();
                    long overflows = balancer.overflows();
                    long capacity = BoundedLoadBalancerTest.capacity(1.01, total, 1, 2);
                    if (load > capacity + overflows) {
                      return "load " + load + " above " + capacity + " + " + overflows;
                    }
                  }
                  return "ok";
                }));
      }
      for (Future<String> worker : workers) {
        assertThat(worker.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    long total = balancer.totalLoad();
    assertThat(total).isEqualTo((long) THREADS * perThread);
    assertThat(balancer.load("a") + balancer.load("b")).isEqualTo(total);
    long bound = BoundedLoadBalancerTest.capacity(1.01, total, 1, 2) + balancer.overflows();
    assertThat(balancer.load("a")).isLessThanOrEqualTo(bound);
    assertThat(balancer.load("b")).isLessThanOrEqualTo(bound);
  }

  private static Void work(BoundedLoadBalancer<String> balancer, CyclicBarrier barrier, long seed)
      throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    long[] hot = new SplittableRandom(7).longs(4).toArray(); // the same hot keys in every thread
    List<String> held = new ArrayList<>(ACQUIRES_PER_PHASE);
    for (int round = 0; round < ROUNDS; round++) {
      barrier.await(10, TimeUnit.SECONDS);
      for (int i = 0; i < ACQUIRES_PER_PHASE; i++) {
        long key = random.nextInt(4) == 0 ? hot[random.nextInt(4)] : random.nextLong();
        held.add(balancer.acquire(key));
      }
      barrier.await(10, TimeUnit.SECONDS);
      barrier.await(10, TimeUnit.SECONDS);
      for (String node : held) {
        balancer.release(node); // false if its node was removed meanwhile
        String extra = balancer.acquire(random.nextLong());
        balancer.release(extra);
      }
      held.clear();
      barrier.await(10, TimeUnit.SECONDS);
    }
    return null;
  }

  private static long sumOfLoads(BoundedLoadBalancer<String> balancer, List<String> ids) {
    long sum = 0;
    for (String id : ids) {
      sum += balancer.load(id);
    }
    return sum;
  }
}
