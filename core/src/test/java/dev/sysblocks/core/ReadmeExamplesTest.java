package dev.sysblocks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's core snippets, verbatim (ReadmeSnippetsTest in benchmarks/ checks that they still
 * match).
 */
class ReadmeExamplesTest {

  /** Code under test in the README example: measures how long a task took, through a Ticker. */
  static long timeIt(Ticker ticker, Runnable task) {
    long start = ticker.read();
    task.run();
    return ticker.read() - start;
  }

  @Test
  void fakeTickerExample() {
    FakeTicker time = FakeTicker.create();
    long elapsed = timeIt(time, () -> time.advance(Duration.ofMillis(250)));
    assertThat(elapsed).isEqualTo(Duration.ofMillis(250).toNanos());
  }

  @Test
  void keyHasherExample() {
    long secretSeed = 0x5eed_cafe_f00dL;
    KeyHasher hasher = KeyHasher.xxh3();
    long h = hasher.hash("user:42"); // the same on every JVM and release
    KeyHasher flooding = KeyHasher.xxh3(secretSeed); // keys chosen by clients: seed it
    assertThat(h).isEqualTo(0x309A965763830B61L);
    assertThat(flooding.hash("user:42")).isNotEqualTo(h);
  }
}
