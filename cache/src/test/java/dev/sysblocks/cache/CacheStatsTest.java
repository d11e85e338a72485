package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheStatsTest {

  @Test
  void ratiosAreComputedFromTheCounts() {
    CacheStats stats = new CacheStats(3, 1, 2, 4, 1, 500);
    assertThat(stats.requestCount()).isEqualTo(4);
    assertThat(stats.hitRate()).isEqualTo(0.75);
    assertThat(stats.missRate()).isEqualTo(0.25);
    assertThat(stats.loadCount()).isEqualTo(5);
    assertThat(stats.averageLoadPenaltyNanos()).isEqualTo(100.0);
  }

  @Test
  void anUnusedCacheHasAHitRateOfOne() {
    CacheStats stats = CacheStats.empty();
    assertThat(stats.hitRate()).isEqualTo(1.0);
    assertThat(stats.missRate()).isEqualTo(0.0);
    assertThat(stats.averageLoadPenaltyNanos()).isEqualTo(0.0);
  }

  @Test
  void aNegativeCounterIsRejectedByName() {
    assertThatThrownBy(() -> new CacheStats(0, 0, -1, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("evictionCount must not be negative: -1");
  }
}
