package dev.kiln.safety.classifier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AlignCornersBilinearTest {
  @Test
  void upscalingTwoByTwoToThreeByThreeKeepsCornersAndAveragesBetween() {
    float[] src = {0, 1, 2, 3};
    float[] out = AlignCornersBilinear.resize(src, 2, 2, 1, 3, 3);
    assertThat(out).containsExactly(0f, 0.5f, 1f, 1f, 1.5f, 2f, 2f, 2.5f, 3f);
  }

  @Test
  void cornersArePreservedExactlyWhenDownscaling() {
    int h = 5;
    int w = 7;
    float[] src = new float[h * w * 2];
    for (int i = 0; i < src.length; i++) {
      src[i] = (float) Math.sin(i * 0.37) / 3f;
    }
    float[] out = AlignCornersBilinear.resize(src, h, w, 2, 3, 4);
    for (int c = 0; c < 2; c++) {
      assertThat(out[c]).isEqualTo(src[c]);
      assertThat(out[(3 * 2) + c]).isEqualTo(src[(w - 1) * 2 + c]);
      assertThat(out[(2 * 4) * 2 + c]).isEqualTo(src[((h - 1) * w) * 2 + c]);
      assertThat(out[(2 * 4 + 3) * 2 + c]).isEqualTo(src[((h - 1) * w + w - 1) * 2 + c]);
    }
  }

  @Test
  void samplesAtIndexTimesInputMinusOneOverOutputMinusOne() {
    // 1x4 row 0, 10, 20, 30 to 1x3: x = 0, 1.5, 3 -> 0, 15, 30 (align corners); half-pixel would give 5, 15, 25.
    float[] out = AlignCornersBilinear.resize(new float[] {0, 10, 20, 30}, 1, 4, 1, 1, 3);
    assertThat(out).containsExactly(0f, 15f, 30f);
  }

  @Test
  void sameSizeIsTheIdentity() {
    float[] src = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    assertThat(AlignCornersBilinear.resize(src, 2, 3, 1, 2, 3)).containsExactly(src);
  }

  @Test
  void rejectsValuesThatDoNotMatchTheSize() {
    assertThatThrownBy(() -> AlignCornersBilinear.resize(new float[5], 2, 3, 1, 4, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 6 values for 2x3x1, got 5");
  }
}
