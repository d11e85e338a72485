package dev.sysblocks.hashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PlacementAnalysisTest {

  private static final long[] SAMPLE = new SplittableRandom(61).longs(200_000).toArray();
  private static final List<Integer> TEN = IntStream.range(0, 10).boxed().toList();
  private static final List<Integer> ELEVEN = IntStream.range(0, 11).boxed().toList();

  @Test
  void aPerfectRoundRobinHasNoSpread() {
    long[] keys = new long[1_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = i;
    }
    Balance b = PlacementAnalysis.balance(TEN, h -> (int) (h % 10), keys);
    assertThat(b.peakToMean()).isEqualTo(1.0);
    assertThat(b.minToMean()).isEqualTo(1.0);
    assertThat(b.coefficientOfVariation()).isZero();
    assertThat(b.nodes()).isEqualTo(10);
    assertThat(b.keys()).isEqualTo(1_000);
  }

  @Test
  void nodesThatGetNoKeysCountAsEmpty() {
    Balance b = PlacementAnalysis.balance(TEN, h -> 0, SAMPLE);
    assertThat(b.peakToMean()).isEqualTo(10.0);
    assertThat(b.minToMean()).isZero();
  }

  @Test
  void jumpBackHashBalancesLikeARandomAssignment() {
    Balance b = PlacementAnalysis.balance(TEN, h -> JumpBackHash.bucket(h, 10), SAMPLE);
    // Within 50% of the sampling noise floor sqrt((n-1)/K) ~ 0.0067.
    assertThat(b.coefficientOfVariation())
        .isCloseTo(b.randomAssignmentCoefficientOfVariation(), offset(0.5 * 0.0067));
  }

  @Test
  void growingARingMovesAboutTheIdealShareWithNoCollateral() {
    HashRing<Integer> before = HashRing.<Integer>builder(String::valueOf).build();
    before.addAll(TEN);
    HashRing<Integer> after = HashRing.<Integer>builder(String::valueOf).build();
    after.addAll(ELEVEN);
    Movement m = PlacementAnalysis.movement(before, after, SAMPLE);
    assertThat(m.idealFraction()).isCloseTo(1.0 / 11, offset(1e-12));
    assertThat(m.movedFraction()).isCloseTo(1.0 / 11, offset(0.02));
    assertThat(m.collateral()).isZero();
    assertThat(m.collateralFraction()).isZero();
  }

  @Test
  void removingARendezvousNodeMovesOnlyItsKeys() {
    RendezvousHash<Integer> before = RendezvousHash.<Integer>builder(String::valueOf).build();
    before.addAll(ELEVEN);
    RendezvousHash<Integer> after = RendezvousHash.<Integer>builder(String::valueOf).build();
    after.addAll(TEN);
    Movement m = PlacementAnalysis.movement(before, after, SAMPLE);
    assertThat(m.idealFraction()).isCloseTo(1.0 / 11, offset(1e-12));
    assertThat(m.movedFraction()).isCloseTo(1.0 / 11, offset(0.01));
    assertThat(m.collateral()).isZero();
  }

  @Test
  void moduloHashingIsShownForWhatItIs() {
    Movement m =
        PlacementAnalysis.movement(
            TEN,
            h -> (int) Long.remainderUnsigned(h, 10),
            ELEVEN,
            h -> (int) Long.remainderUnsigned(h, 11),
            SAMPLE);
    assertThat(m.movedFraction()).isCloseTo(10.0 / 11, offset(0.01));
    assertThat(m.collateralFraction()).isGreaterThan(0.8);
  }

  @Test
  void badInputIsRejectedNamingIt() {
    assertThatThrownBy(() -> PlacementAnalysis.balance(TEN, h -> 0, new long[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keyHashes must not be empty");
    assertThatThrownBy(() -> PlacementAnalysis.balance(List.<Integer>of(), h -> 0, SAMPLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nodes must not be empty");
    assertThatThrownBy(() -> PlacementAnalysis.balance(TEN, h -> 99, SAMPLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the mapping answered a node not in nodes: 99");
    assertThatThrownBy(() -> PlacementAnalysis.balance((NodeLocator<Integer>) null, SAMPLE))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("locator");
  }
}
