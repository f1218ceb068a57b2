package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GenerationRequestTest {
  @Test
  void rejectsWidthNotMultipleOfEightNamingWidth() {
    assertThatThrownBy(() -> new GenerationRequest("p", "", 63, 64, 20, 3f, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("width must be a multiple of 8 from 8 to 4096, got 63");
  }

  @Test
  void rejectsHeightBelowEightNamingHeight() {
    assertThatThrownBy(() -> new GenerationRequest("p", "", 64, 0, 20, 3f, 1))
        .hasMessageStartingWith("height must be a multiple of 8");
  }

  @Test
  void rejectsZeroStepsNamingSteps() {
    assertThatThrownBy(() -> new GenerationRequest("p", "", 64, 64, 0, 3f, 1))
        .hasMessage("steps must be at least 1, got 0");
  }

  @Test
  void rejectsNonFiniteGuidanceNamingGuidanceScale() {
    assertThatThrownBy(() -> new GenerationRequest("p", "", 64, 64, 20, Float.NaN, 1))
        .hasMessageStartingWith("guidanceScale must be a finite number >= 0");
  }

  @Test
  void rejectsNullPrompt() {
    assertThatThrownBy(() -> new GenerationRequest(null, "", 64, 64, 20, 3f, 1)).hasMessageContaining("prompt");
  }

  @Test
  void nullNegativePromptMeansNone() {
    assertThat(new GenerationRequest("p", null, 64, 64, 20, 3f, 1).negativePrompt()).isEmpty();
  }

  @Test
  void guidanceRunsOnlyAboveOne() {
    assertThat(new GenerationRequest("p", "", 64, 64, 20, 1f, 1).usesGuidance()).isFalse();
    assertThat(new GenerationRequest("p", "", 64, 64, 20, 1.5f, 1).usesGuidance()).isTrue();
  }
}
