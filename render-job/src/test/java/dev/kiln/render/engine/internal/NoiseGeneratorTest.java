package dev.kiln.render.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NoiseGeneratorTest {
  @Test
  void sameSeedGivesSameNoiseAndLongerRunsExtendShorterOnes() {
    float[] a = NoiseGenerator.standardNormal(42, 256);
    assertThat(NoiseGenerator.standardNormal(42, 256)).isEqualTo(a);
    assertThat(Arrays.copyOf(NoiseGenerator.standardNormal(42, 1024), 256)).isEqualTo(a);
  }

  @Test
  void differentSeedsGiveDifferentNoise() {
    assertThat(NoiseGenerator.standardNormal(1, 64)).isNotEqualTo(NoiseGenerator.standardNormal(2, 64));
  }

  @Test
  void valuesAreStandardNormal() {
    float[] x = NoiseGenerator.standardNormal(7, 200_000);
    double mean = 0;
    double sq = 0;
    for (float v : x) {
      mean += v;
      sq += v * v;
    }
    mean /= x.length;
    assertThat(mean).isCloseTo(0, within(0.01));
    assertThat(sq / x.length - mean * mean).isCloseTo(1, within(0.02));
  }

  @Test
  void oddCountsAreFilled() {
    float[] x = NoiseGenerator.standardNormal(3, 5);
    assertThat(x[4]).isNotZero();
  }
}
