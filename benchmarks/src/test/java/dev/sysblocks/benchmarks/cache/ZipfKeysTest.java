package dev.sysblocks.benchmarks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZipfKeysTest {

  private static final ZipfKeys STREAM = ZipfKeys.generate(1 << 12, 1 << 18, 0.99, 42);

  @Test
  void keysAreDistinctAndEveryRequestIsOneOfTheirBoxes() {
    Set<Integer> values = new HashSet<>();
    // Object keys: the point is identity, one box per key, never an equal copy.
    Set<Object> boxes = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Integer key : STREAM.keys()) {
      values.add(key);
      boxes.add(key);
    }
    assertThat(values).hasSize(1 << 12);
    int foreign = 0;
    for (Integer request : STREAM.requests()) {
      foreign += boxes.contains(request) ? 0 : 1;
    }
    assertThat(foreign).as("requests that are not one of the key boxes").isZero();
  }

  @Test
  void theHottestKeysAreRequestedAsZipfPredicts() {
    double norm = 0;
    for (int rank = 1; rank <= 1 << 12; rank++) {
      norm += Math.pow(rank, -0.99);
    }
    int[] counts = new int[3];
    for (Integer request : STREAM.requests()) {
      for (int rank = 0; rank < counts.length; rank++) {
        if (request.equals(STREAM.keys()[rank])) {
          counts[rank]++;
        }
      }
    }
    for (int rank = 0; rank < counts.length; rank++) {
      double expected = Math.pow(rank + 1, -0.99) / norm;
      assertThat(counts[rank] / (double) STREAM.requests().length)
          .as("share of rank %d", rank)
          .isCloseTo(expected, within(0.005));
    }
  }

  @Test
  void equalSeedsGiveEqualStreams() {
    ZipfKeys again = ZipfKeys.generate(1 << 12, 1 << 18, 0.99, 42);
    ZipfKeys other = ZipfKeys.generate(1 << 12, 1 << 18, 0.99, 43);
    // Arrays.equals: AssertJ's element-wise array assertions take seconds on 2^18 elements.
    assertThat(Arrays.equals(again.requests(), STREAM.requests())).isTrue();
    assertThat(Arrays.equals(other.requests(), STREAM.requests())).isFalse();
  }

  @Test
  void badArgumentsAreRefusedWithTheirValues() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> ZipfKeys.generate(0, 10, 0.99, 1))
        .withMessageContaining("0, 10, 0.99");
  }
}
