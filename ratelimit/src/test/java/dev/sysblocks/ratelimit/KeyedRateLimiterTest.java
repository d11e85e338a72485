package dev.sysblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  void readmeExampleCompilesAndAdmitsAFirstRequest() {
    String clientId = "alice";
    Response response = new Response();
    // Mirrored in README.md (ratelimit section), line for line.
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
