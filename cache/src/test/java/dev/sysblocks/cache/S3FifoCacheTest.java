package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class S3FifoCacheTest {

  private static S3FifoCache<Integer, Integer> cache(int maximumSize) {
    return (S3FifoCache<Integer, Integer>)
        CacheBuilder.newBuilder()
            .recordStats()
            .maximumSize(maximumSize)
            .policy(EvictionPolicy.S3_FIFO)
            .<Integer, Integer>build();
  }

  @Test
  void theWorkedExampleOfTheClassEssay() {
    // Maximum 10: S's share is 1, M's 9, G's 9.
    S3FifoCache<Integer, Integer> cache = cache(10);
    for (int k = 1; k <= 10; k++) {
      cache.put(k, k); // not full yet: everything waits in S, beyond S's share
    }
    assertThat(cache.residentKeys()).containsExactly(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    for (int k : new int[] {2, 2, 3, 3}) {
      cache.getIfPresent(k);
    }

    cache.put(11, 11); // full: S's oldest, 1, never hit, is dropped; its key goes to G
    assertThat(cache.ghostSize()).isEqualTo(1);
    assertThat(cache.stats().evictionCount()).isEqualTo(1);

    cache.put(12, 12); // 2 and 3 (hit twice) move to M; 4 is dropped to G
    assertThat(cache.residentKeys()).containsExactly(12, 11, 10, 9, 8, 7, 6, 5, 3, 2);
    assertThat(cache.ghostSize()).isEqualTo(2);

    cache.put(1, 1); // 5 is dropped to G; 1 was in G: straight into M
    assertThat(cache.residentKeys()).containsExactly(12, 11, 10, 9, 8, 7, 6, 1, 3, 2);
    assertThat(cache.ghostSize()).isEqualTo(2); // 4 and 5
    assertThat(cache.stats().evictionCount()).isEqualTo(3);
  }

  @Test
  void anEntryHitTwiceInTheSmallQueueMovesToMain() {
    S3FifoCache<Integer, Integer> cache = cache(10);
    cache.put(1, 1);
    cache.getIfPresent(1);
    cache.getIfPresent(1);
    cache.put(2, 2); // S is full (1 entry): 1 was hit twice, so it moves to M; 2 enters S
    assertThat(cache.residentKeys()).containsExactly(2, 1);
    assertThat(cache.ghostSize()).isZero();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void cachesSmallerThanTenEntriesHaveNoSmallQueueAndStillEvict() {
    // maximum 5: S's share floors to 0. Promote everything to M, then keep inserting.
    S3FifoCache<Integer, Integer> cache = cache(5);
    for (int round = 0; round < 3; round++) {
      for (int k = 0; k < 50; k++) {
        cache.put(k, k);
        cache.getIfPresent(k);
        cache.getIfPresent(k);
        assertThat(cache.estimatedSize()).isLessThanOrEqualTo(5);
      }
    }
    assertThat(cache.residentKeys()).hasSize(5);
  }
}
