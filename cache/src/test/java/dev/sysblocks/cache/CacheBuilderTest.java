package dev.sysblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysblocks.core.FakeTicker;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class CacheBuilderTest {

  @Test
  void aMaximumSizeOfZeroOrLessIsRejectedWithItsValue() {
    assertThatThrownBy(() -> CacheBuilder.newBuilder().maximumSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maximumSize must be positive: 0");
    assertThatThrownBy(() -> CacheBuilder.newBuilder().maximumSize(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maximumSize must be positive: -3");
  }

  @Test
  void theMaximumSizeIsRequired() {
    assertThatThrownBy(() -> CacheBuilder.newBuilder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maximumSize is required");
  }

  @Test
  void aTimeToLiveMustBePositive() {
    assertThatThrownBy(() -> CacheBuilder.newBuilder().expireAfterWrite(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeToLive must be positive: PT0S");
    assertThatThrownBy(() -> CacheBuilder.newBuilder().expireAfterWrite(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeToLive must be positive: PT-1S");
  }

  @Test
  void nullSettingsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> CacheBuilder.newBuilder().policy(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policy");
    assertThatThrownBy(() -> CacheBuilder.newBuilder().expireAfterWrite(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeToLive");
    assertThatThrownBy(() -> CacheBuilder.newBuilder().ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
  }

  @Test
  void eachSettingMayBeMadeOnce() {
    assertThatThrownBy(() -> CacheBuilder.newBuilder().maximumSize(1).maximumSize(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maximumSize already set: 1");
    assertThatThrownBy(
            () -> CacheBuilder.newBuilder().policy(EvictionPolicy.LRU).policy(EvictionPolicy.SIEVE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("policy already set: LRU");
    assertThatThrownBy(
            () ->
                CacheBuilder.newBuilder()
                    .expireAfterWrite(Duration.ofSeconds(1))
                    .expireAfterWrite(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("expireAfterWrite already set: PT1S");
    FakeTicker ticker = FakeTicker.create();
    assertThatThrownBy(() -> CacheBuilder.newBuilder().ticker(ticker).ticker(ticker))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker already set");
  }

  @Test
  void theDefaultPolicyIsLru() {
    Cache<String, String> cache = CacheBuilder.newBuilder().maximumSize(1).build();
    assertThat(cache).isInstanceOf(LruCache.class);
  }

  @Test
  void eachPolicyBuildsItsImplementation() {
    assertThat(build(EvictionPolicy.LRU)).isInstanceOf(LruCache.class);
    assertThat(build(EvictionPolicy.SIEVE)).isInstanceOf(SieveCache.class);
    assertThat(build(EvictionPolicy.S3_FIFO)).isInstanceOf(S3FifoCache.class);
    assertThat(build(EvictionPolicy.CAFFEINE)).isInstanceOf(CaffeineCache.class);
  }

  @Test
  void anEnormousTimeToLiveMeansNever() {
    FakeTicker ticker = FakeTicker.create();
    Cache<String, String> cache =
        CacheBuilder.newBuilder()
            .maximumSize(1)
            .expireAfterWrite(ChronoUnit.FOREVER.getDuration())
            .ticker(ticker)
            .build();
    cache.put("a", "1");
    ticker.advance(Duration.ofDays(365L * 200));
    assertThat(cache.getIfPresent("a")).isEqualTo("1");
  }

  @Test
  void oneBuilderBuildsIndependentCaches() {
    CacheBuilder builder = CacheBuilder.newBuilder().maximumSize(5);
    Cache<String, String> first = builder.build();
    Cache<String, String> second = builder.build();
    first.put("a", "1");
    assertThat(second.getIfPresent("a")).isNull();
  }

  private static Cache<Object, Object> build(EvictionPolicy policy) {
    return CacheBuilder.newBuilder().maximumSize(1).policy(policy).build();
  }
}
