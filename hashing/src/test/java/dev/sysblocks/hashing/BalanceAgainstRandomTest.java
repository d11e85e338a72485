package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongToIntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The balance target: at n = 100 over 10^6 keys, with default settings, jump, rendezvous
 * and Maglev balance within 0.01 (peak/mean) of a perfectly random assignment of the same number of
 * keys, where each key picks a node uniformly and independently.
 */
class BalanceAgainstRandomTest {

  private static final int NODES = 100;
  private static final int KEYS = 1_000_000;
  private static final long[] SAMPLE = new SplittableRandom(0xBA1A_4CE5L).longs(KEYS).toArray();
  private static final List<Integer> IDS = IntStream.range(0, NODES).boxed().toList();

  /** Peak/mean of uniformly random, independent choices: the reference every hash is held to. */
  private static final Balance RANDOM =
      PlacementAnalysis.balance(IDS, new UniformChoice(new SplittableRandom(5))::next, SAMPLE);

  /** Each call picks a node uniformly, ignoring the key: what "perfectly random" means. */
  private record UniformChoice(SplittableRandom random) {
    int next(long ignoredKey) {
      return random.nextInt(NODES);
    }
  }

  private static void assertBalancedLikeRandom(String name, Balance b) {
    assertThat(b.peakToMean())
        .as("%s peak/mean %s vs random %s", name, b.peakToMean(), RANDOM.peakToMean())
        .isCloseTo(RANDOM.peakToMean(), offset(0.01));
    assertThat(b.minToMean())
        .as("%s min/mean %s vs random %s", name, b.minToMean(), RANDOM.minToMean())
        .isCloseTo(RANDOM.minToMean(), offset(0.01));
  }

  private static Balance bucketBalance(LongToIntFunction bucket) {
    return PlacementAnalysis.balance(IDS, h -> bucket.applyAsInt(h), SAMPLE);
  }

  @Test
  void jumpHashBalancesLikeRandom() {
    assertBalancedLikeRandom("jump", bucketBalance(h -> JumpHash.bucket(h, NODES)));
  }

  @Test
  void jumpBackHashBalancesLikeRandom() {
    assertBalancedLikeRandom("jumpBack", bucketBalance(h -> JumpBackHash.bucket(h, NODES)));
  }

  @Test
  void rendezvousHashBalancesLikeRandom() {
    RendezvousHash<Integer> hash = RendezvousHash.<Integer>builder(String::valueOf).build();
    hash.addAll(IDS);
    assertBalancedLikeRandom("rendezvous", PlacementAnalysis.balance(hash, SAMPLE));
  }

  @Test
  void maglevHashBalancesLikeRandom() {
    MaglevHash<Integer> hash = MaglevHash.<Integer>builder(String::valueOf).build();
    hash.addAll(IDS);
    assertBalancedLikeRandom("maglev", PlacementAnalysis.balance(hash, SAMPLE));
  }

  @Test
  void theRandomReferenceItselfIsWhereTheoryPutsIt() {
    // Sampling noise: each count ~ Binomial(10^6, 1/100), sd 99.5 keys, so the coefficient of
    // variation is ~0.00995 and the busiest of 100 nodes sits ~2.5 sd above the mean.
    assertThat(RANDOM.coefficientOfVariation())
        .isCloseTo(RANDOM.randomAssignmentCoefficientOfVariation(), offset(0.002));
    assertThat(RANDOM.peakToMean()).isBetween(1.015, 1.04);
  }
}
