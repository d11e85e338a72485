package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

  private final FakeTicker ticker = FakeTicker.create();

  /** The two calls of a servlet response that the README example makes. */
  static final class Response {
    int status = 200;
    final Map<String, String> headers = new HashMap<>();

    void setStatus(int status) {
      this.status = status;
    }

    void setHeader(String name, String value) {
      headers.put(name, value);
    }
  }

  @Test
  void javadocExampleCompilesAndAdmitsAFirstRequest() {
    String clientId = "alice";
    Response response = new Response();
    // Mirrored in the class Javadoc of KeyedRateLimiter.
    KeyedRateLimiter<String> perClient =
        KeyedRateLimiter.<String>builder(Limit.of(100, Duration.ofMinutes(1)))
            .maximumKeys(1_000_000)
            .build();
    Decision d = perClient.decide(clientId, 1);
    if (!d.allowed()) {
      response.setStatus(429);
      response.setHeader("Retry-After", String.valueOf(d.retryAfterSeconds()));
    }
    assertThat(response.status).isEqualTo(200);
    assertThat(d.remaining()).isEqualTo(99);
  }

  @Test
  void readmeExampleGivesPaidClientsTheirOwnLimit() {
    Set<String> paidClients = Set.of("bob");
    for (String clientId : List.of("alice", "bob")) {
      Response response = new Response();
      // Mirrored in README.md (ratelimit section) and the class Javadoc, line for line.
      Limit free = Limit.of(100, Duration.ofMinutes(1));
      Limit paid = Limit.of(1_000, Duration.ofMinutes(1));
      KeyedRateLimiter<String> perClient =
          KeyedRateLimiter.<String>builder(free)
              .limitPerKey(id -> paidClients.contains(id) ? paid : free)
              .maximumKeys(1_000_000)
              .build();
      Decision d = perClient.decide(clientId, 1);
      if (!d.allowed()) {
        response.setStatus(429);
        response.setHeader("Retry-After", String.valueOf(d.retryAfterSeconds()));
      }
      assertThat(response.status).isEqualTo(200);
      assertThat(d.limit()).isEqualTo(clientId.equals("bob") ? 1_000 : 100);
      assertThat(d.remaining()).isEqualTo(clientId.equals("bob") ? 999 : 99);
    }
  }

  @Test
  void eachTierHasItsOwnBurstRateAndRetryAfter() {
    Limit free = Limit.of(2, Duration.ofSeconds(1)); // one every 500 ms
    Limit paid = Limit.of(10, Duration.ofSeconds(1)).withCapacity(5); // one every 100 ms
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.<String>builder(free)
            .limitPerKey(id -> id.startsWith("paid-") ? paid : free)
            .ticker(ticker)
            .build();
    assertThat(limiter.tryAcquire("free-1", 2)).isTrue();
    assertThat(limiter.decide("free-1", 1).retryAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire("paid-1", 5)).isTrue();
    assertThat(limiter.decide("paid-1", 1).retryAfter()).isEqualTo(Duration.ofMillis(100));
    assertThat(limiter.availablePermits("paid-2")).isEqualTo(5);
    assertThat(limiter.availablePermits("free-2")).isEqualTo(2);
    assertThat(limiter.keysHeld()).isEqualTo(2); // availablePermits adds no key
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire("paid-1")).isTrue();
    assertThat(limiter.tryAcquire("free-1")).isFalse();
    assertThat(limiter.toString())
        .isEqualTo("KeyedRateLimiter[2 per PT1S and 1 more limits per key, 2 keys]");
  }

  @Test
  void theLimitFunctionIsAskedOnceForAKeyAndAgainOnlyAfterTheKeyWasForgotten() {
    Limit free = Limit.of(2, Duration.ofSeconds(1));
    Limit paid = Limit.of(5, Duration.ofSeconds(1));
    Set<String> paidClients = new HashSet<>();
    Map<String, Integer> asked = new HashMap<>();
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.<String>builder(free)
            .maximumKeys(1) // one segment of 16 slots
            .ticker(ticker)
            .limitPerKey(
                id -> {
                  asked.merge(id, 1, Integer::sum);
                  return paidClients.contains(id) ? paid : free;
                })
            .build();
    for (int i = 0; i < 10; i++) {
      limiter.tryAcquire("alice");
      limiter.decide("bob", 1);
      ticker.advance(Duration.ofMillis(100));
    }
    assertThat(asked).isEqualTo(Map.of("alice", 1, "bob", 1));
    paidClients.add("alice"); // an upgrade: it applies once alice is admitted afresh
    ticker.advance(Duration.ofSeconds(1)); // both buckets are full again
    assertThat(limiter.availablePermits("alice")).isEqualTo(2); // still held, as a free client
    for (int k = 0; k < 20; k++) {
      assertThat(limiter.tryAcquire("client-" + k)).isTrue(); // in debt: they fill the table
    }
    assertThat(limiter.evictions()).isPositive(); // some of them, not the full alice and bob
    Decision d = limiter.decide("alice", 5);
    assertThat(d.allowed()).isTrue();
    assertThat(d.limit()).isEqualTo(5);
    assertThat(asked.get("alice")).isEqualTo(2);
  }

  @Test
  void keysOfALimitStartingInDebtAreNeverForgottenWhenFull() {
    // A limit with fewer initial permits than its capacity: a key forgotten when full would come
    // back with 1 permit instead of 4. Keys of the other limit are forgotten as usual.
    Limit cold = Limit.of(4, Duration.ofSeconds(1)).withInitialPermits(1);
    Limit warm = Limit.of(4, Duration.ofSeconds(1));
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.<Integer>builder(warm)
            .maximumKeys(1_000)
            .ticker(ticker)
            .limitPerKey(k -> k % 2 == 0 ? cold : warm)
            .build();
    for (int k = 0; k < 400; k++) {
      assertThat(limiter.tryAcquire(k)).isTrue();
      ticker.advance(Duration.ofMillis(10)); // keys refill behind; the table grows and rebuilds
    }
    ticker.advance(Duration.ofSeconds(2)); // every bucket full
    for (int k = 0; k < 400; k++) {
      assertThat(limiter.availablePermits(k)).as("key %s", k).isEqualTo(4); // forgotten cold: 1
    }
    assertThat(limiter.keysHeld()).isBetween(200L, 400L); // the 200 cold keys at least
    assertThat(limiter.evictions()).isZero();
  }

  @Test
  void eightThreadsAdmitExactlyEachKeysOwnCapacityWhileTheirLimitsAreRegistered() throws Exception {
    int keys = 20_000;
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.<Integer>builder(Limit.of(1, Duration.ofHours(1)))
            .maximumKeys(keys)
            .ticker(ticker)
            .limitPerKey(k -> Limit.of(1 + k % 7, Duration.ofHours(1)))
            .build();
    int threads = 8;
    AtomicLongArray admitted = new AtomicLongArray(keys);
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t * (keys / threads);
        done.add(
            pool.submit(
                () -> {
                  start.await(60, TimeUnit.SECONDS);
                  for (int round = 0; round < 8; round++) {
                    for (int j = 0; j < keys; j++) {
                      int k = (offset + j) % keys;
                      if (limiter.tryAcquire(k)) {
                        admitted.incrementAndGet(k);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int k = 0; k < keys; k++) {
      assertThat(admitted.get(k)).as("key %s", k).isEqualTo(1 + k % 7);
    }
    assertThat(limiter.evictions()).isZero();
    assertThat(limiter.keysHeld()).isEqualTo(keys);
  }

  @Test
  void atMost256DistinctLimitsAndTheNextIsRefusedWithoutAddingItsKey() {
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.<Integer>builder(Limit.of(1_000, Duration.ofSeconds(1)))
            .ticker(ticker)
            .limitPerKey(k -> Limit.of(k + 1, Duration.ofSeconds(1)))
            .build();
    for (int k = 0; k < 255; k++) { // 255 limits, and the builder's
      assertThat(limiter.tryAcquire(k)).isTrue();
    }
    assertThatThrownBy(() -> limiter.tryAcquire(255))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("limitPerKey returned more than 256 distinct limits: 256 per PT1S");
    assertThat(limiter.keysHeld()).isEqualTo(255);
    assertThat(limiter.tryAcquire(999)).isTrue(); // equal to the builder's: not a new one
    assertThat(limiter.tryAcquire(0)).isFalse(); // key 0 still has its own limit, 1 per second
  }

  @Test
  void badAnswersOfTheLimitFunctionAreRefusedByNameAndAddNoKey() {
    Limit limit = Limit.of(2, Duration.ofSeconds(1));
    KeyedRateLimiter<String> nulls =
        KeyedRateLimiter.<String>builder(limit).limitPerKey(k -> null).build();
    assertThatThrownBy(() -> nulls.tryAcquire("a"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limitPerKey returned null");
    assertThatThrownBy(() -> nulls.availablePermits("a"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limitPerKey returned null");
    assertThat(nulls.keysHeld()).isZero();
    KeyedRateLimiter<String> fractional =
        KeyedRateLimiter.<String>builder(limit)
            .limitPerKey(k -> Limit.of(3, Duration.ofNanos(10)))
            .build();
    assertThatThrownBy(() -> fractional.decide("a", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "limitPerKey returned a limit GCRA cannot enforce: GCRA needs a whole-nanosecond");
    assertThat(fractional.keysHeld()).isZero();
    KeyedRateLimiter<String> tiered =
        KeyedRateLimiter.<String>builder(limit).limitPerKey(k -> limit).build();
    assertThatThrownBy(() -> tiered.tryAcquire("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be at least 1: 0");
    assertThatThrownBy(() -> tiered.decide("a", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the key's capacity 2: 3");
    assertThatThrownBy(() -> KeyedRateLimiter.builder(limit).limitPerKey(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limitPerKey");
    assertThatThrownBy(
            () -> KeyedRateLimiter.builder(limit).limitPerKey(k -> limit).limitPerKey(k -> limit))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("limitPerKey already set");
  }

  @Test
  void eachClientGetsItsOwnBucketAndItsOwnRetryAfter() {
    KeyedRateLimiter<String> perClient =
        KeyedRateLimiter.<String>builder(Limit.of(100, Duration.ofMinutes(1)))
            .maximumKeys(1_000_000)
            .ticker(ticker)
            .build();

    for (int i = 0; i < 100; i++) {
      assertThat(perClient.decide("alice", 1).allowed()).isTrue();
    }
    Decision d = perClient.decide("alice", 1);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfterSeconds()).isEqualTo(1); // one permit every 600 ms
    assertThat(d.remaining()).isZero();
    assertThat(perClient.decide("bob", 1).allowed()).isTrue(); // bob has his own bucket

    ticker.advance(Duration.ofMillis(600));
    assertThat(perClient.decide("alice", 1).allowed()).isTrue();
  }

  @Test
  void aKeySeenForTheFirstTimeStartsWithTheLimitsInitialPermits() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.<String>builder(Limit.of(10, Duration.ofSeconds(1)).withInitialPermits(3))
            .ticker(ticker)
            .build();
    ticker.advance(Duration.ofHours(1)); // idle time before the first request gives nothing extra
    assertThat(limiter.availablePermits("k")).isEqualTo(3);
    assertThat(limiter.tryAcquire("k", 3)).isTrue();
    assertThat(limiter.tryAcquire("k")).isFalse();
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire("k")).isTrue();
  }

  @Test
  void tenMillionOneOffKeysPassThroughATableSizedForAHundredThousand() {
    // 10^7 distinct keys, one request each, 2 µs apart: each key owes 100 ms for its permit, so
    // about 50,000 keys are in debt at any moment, and the other 9.95 million must be forgotten.
    long maximumKeys = 100_000;
    KeyedRateLimiter<CharSequence> limiter =
        KeyedRateLimiter.<CharSequence>builder(Limit.of(10, Duration.ofSeconds(1)))
            .maximumKeys(maximumKeys)
            .ticker(ticker)
            .build();
    StringBuilder key = new StringBuilder(); // one reused key object: the table keeps only hashes
    long refused = 0;
    for (int i = 0; i < 10_000_000; i++) {
      key.setLength(0);
      key.append("client-").append(i);
      if (!limiter.tryAcquire(key)) {
        refused++;
      }
      ticker.advanceNanos(2_000);
    }
    assertThat(refused).isZero();
    assertThat(limiter.evictions()).isZero();
    assertThat(limiter.tableBytes()).isLessThanOrEqualTo(43 * maximumKeys);
    assertThat(limiter.keysHeld()).isLessThanOrEqualTo(limiter.tableBytes() / 16);
  }

  @Test
  void aRebuildKeepsTheSegmentsSizeOnlyWhileAQuarterOrLessStaysInDebt() {
    // One segment (maximumKeys < 1024), first of 16 slots: room for 12 keys. Keys are their
    // own hashes, so key k lives in slot k. Twelve keys fill it; two seconds later all have
    // full buckets again, and `inDebt` of them take a permit. Key 14 then finds its home slot
    // empty but the segment full, with no full bucket on its (one-slot) probe run: the segment
    // is rebuilt, dropping the full buckets. Three keys in debt fit a quarter with the
    // newcomer: same size. Four do not, and the segment doubles. (The old rule, a half, kept
    // 16 slots with up to 7: on a Zipf stream its rebuilds allocated twice as much; see
    // KEEP_SIZE_LOAD.)
    assertThat(tableBytesAfterRebuildWith(3)).isEqualTo(16 + 8 * 2 * 16);
    assertThat(tableBytesAfterRebuildWith(4)).isEqualTo(16 + 8 * 2 * 32);
  }

  private long tableBytesAfterRebuildWith(int inDebt) {
    FakeTicker clock = FakeTicker.create();
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.<Integer>builder(Limit.of(1, Duration.ofSeconds(1)))
            .maximumKeys(100) // one segment, of at most 256 slots
            .keyHash(k -> k)
            .ticker(clock)
            .build();
    for (int k = 1; k <= 12; k++) {
      assertThat(limiter.tryAcquire(k)).isTrue();
    }
    assertThat(limiter.tableBytes()).isEqualTo(16 + 8 * 2 * 16);
    clock.advance(Duration.ofSeconds(2));
    for (int k = 1; k <= inDebt; k++) {
      assertThat(limiter.tryAcquire(k)).isTrue();
    }
    assertThat(limiter.tryAcquire(14)).isTrue();
    assertThat(limiter.keysHeld()).isEqualTo(inDebt + 1);
    for (int k = 1; k <= inDebt; k++) {
      assertThat(limiter.tryAcquire(k)).as("key %d kept its debt", k).isFalse();
    }
    return limiter.tableBytes();
  }

  @Test
  void aFloodOfBusyKeysEvictsTheKeysNearestToAFullBucketAndStaysWithinItsBound() {
    long maximumKeys = 1_000;
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.<Integer>builder(Limit.of(10, Duration.ofMinutes(1)))
            .maximumKeys(maximumKeys)
            .ticker(ticker)
            .build();
    int flood = 100_000;
    for (int k = 0; k < flood; k++) {
      assertThat(limiter.tryAcquire(k, 10)).isTrue(); // every key drains its bucket at once
      ticker.advanceNanos(1_000);
    }
    // Sized for 1,000 busy keys, the table evicts the others, 500 to 1,500 keys at a time.
    assertThat(limiter.evictions()).isGreaterThan(flood - 1_600);
    assertThat(limiter.tableBytes()).isLessThanOrEqualTo(43 * maximumKeys);
    // The keys that stayed still owe their burst; the evicted ones start afresh, as they would
    // from a size-bounded cache of buckets.
    long stillRefused = 0;
    for (int k = flood - 500; k < flood; k++) {
      if (!limiter.tryAcquire(k)) {
        stillRefused++;
      }
    }
    assertThat(stillRefused).isEqualTo(500); // the most recent keys are never the ones evicted
    ticker.advance(Duration.ofMinutes(1));
    assertThat(limiter.tryAcquire(0, 10)).isTrue();
  }

  @Test
  void eightThreadsAdmitExactlyEachKeysCapacityWhileSegmentsGrow() throws Exception {
    int keys = 20_000;
    int capacity = 5;
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.<Integer>builder(Limit.of(capacity, Duration.ofHours(1)))
            .maximumKeys(keys)
            .ticker(ticker)
            .build();
    int threads = 8;
    AtomicLongArray admitted = new AtomicLongArray(keys);
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t * (keys / threads);
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  // Every thread walks all keys from its own offset, twice as often as needed.
                  for (int round = 0; round < 2 * capacity; round++) {
                    for (int j = 0; j < keys; j++) {
                      int k = (offset + j) % keys;
                      if (limiter.tryAcquire(k)) {
                        admitted.incrementAndGet(k);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int k = 0; k < keys; k++) {
      assertThat(admitted.get(k)).as("key %s", k).isEqualTo(capacity);
    }
    assertThat(limiter.evictions()).isZero();
    assertThat(limiter.keysHeld()).isEqualTo(keys);
  }

  @Test
  void eightThreadsOnOneHotKeyAdmitExactlyWhatTheRateAllows() throws Exception {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.<String>builder(Limit.of(100, Duration.ofSeconds(1)))
            .ticker(ticker)
            .build();
    int threads = 8;
    int intervals = 50;
    long[] admitted = new long[intervals];
    CyclicBarrier phase = new CyclicBarrier(threads, () -> ticker.advance(Duration.ofMillis(50)));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[]>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  long[] mine = new long[intervals];
                  for (int i = 0; i < intervals; i++) {
                    for (int j = 0; j < 40; j++) {
                      if (limiter.tryAcquire("hot")) {
                        mine[i]++;
                      }
                    }
                    phase.await();
                  }
                  return mine;
                }));
      }
      for (Future<long[]> f : done) {
        long[] mine = f.get(60, TimeUnit.SECONDS);
        for (int i = 0; i < intervals; i++) {
          admitted[i] += mine[i];
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted[0]).isEqualTo(100); // the burst
    for (int i = 1; i < intervals; i++) {
      assertThat(admitted[i]).as("interval %s", i).isEqualTo(5); // 50 ms at 100 per second
    }
  }

  @Test
  void badInputIsRejectedByName() {
    Limit limit = Limit.of(10, Duration.ofSeconds(1));
    KeyedRateLimiter<String> limiter = KeyedRateLimiter.<String>builder(limit).build();
    assertThatThrownBy(() -> KeyedRateLimiter.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit");
    assertThatThrownBy(() -> limiter.tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> limiter.tryAcquire("k", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: 0");
    assertThatThrownBy(() -> limiter.decide("k", 11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be between 1 and the capacity 10: 11");
    assertThatThrownBy(() -> KeyedRateLimiter.builder(limit).maximumKeys(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumKeys must be between 1 and")
        .hasMessageEndingWith(": 0");
    assertThatThrownBy(() -> KeyedRateLimiter.builder(limit).ticker(ticker).ticker(ticker))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker already set");
    assertThatThrownBy(() -> KeyedRateLimiter.builder(limit).keyHash(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyHash");
    KeyedRateLimiter<Object> objects = KeyedRateLimiter.builder(limit).build();
    assertThatThrownBy(() -> objects.tryAcquire(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "keys of type java.lang.Object need a keyHash function (builder().keyHash(...))");
    KeyedRateLimiter<Object> hashed = KeyedRateLimiter.builder(limit).keyHash(k -> 42).build();
    assertThat(hashed.tryAcquire(new Object())).isTrue();
  }

  @Test
  void keysWhoseHashesCollideShareOneLimit() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.<String>builder(Limit.of(2, Duration.ofSeconds(1)))
            .keyHash(k -> 7)
            .ticker(ticker)
            .build();
    assertThat(limiter.tryAcquire("a")).isTrue();
    assertThat(limiter.tryAcquire("b")).isTrue();
    assertThat(limiter.tryAcquire("a")).isFalse(); // stricter, never looser
  }
}
