package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EngineOptionsTest {
  @Test
  void requiresModelDirectoryAndSaysHowToSetIt() {
    assertThatThrownBy(() -> EngineOptions.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EngineOptions requires a model directory: call setModelDir(path)");
  }

  @Test
  void rejectsNonPositiveThreadCountSayingHowToFixIt() {
    assertThatThrownBy(() -> EngineOptions.builder().setModelDir(Path.of("m")).optIntraOpThreads(0).build())
        .hasMessageStartingWith("intraOpThreads must be at least 1, got 0")
        .hasMessageContaining("or do not set it");
  }

  @Test
  void rejectsUnknownSchedulerOverrideNamingSupportedOnes() {
    assertThatThrownBy(() -> EngineOptions.builder().setModelDir(Path.of("m")).optScheduler("Heun").build())
        .hasMessageContaining("use one of DDIMScheduler, EulerAncestralDiscreteScheduler, EulerDiscreteScheduler, "
            + "LCMScheduler, PNDMScheduler");
  }

  @Test
  void defaultsToCpuAndOnnxRuntimeThreadDefaults() {
    EngineOptions options = EngineOptions.builder().setModelDir(Path.of("m")).build();
    assertThat(options.device()).isEqualTo(Device.cpu());
    assertThat(options.intraOpThreads()).isEmpty();
    assertThat(options.scheduler()).isEmpty();
  }
}
