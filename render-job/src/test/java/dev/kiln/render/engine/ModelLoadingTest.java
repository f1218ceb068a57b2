package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.render.engine.internal.ModelLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken model directory fails at load, with a message naming the file and what was expected. */
class ModelLoadingTest {
  @TempDir
  Path tmp;
  Path model;

  @BeforeEach
  void copyModel() throws IOException {
    model = tmp.resolve("kiln-tiny");
    Path source = ModelFixtures.kilnTiny();
    for (String component : List.of("tokenizer", "text_encoder", "unet", "vae_decoder", "scheduler")) {
      try (Stream<Path> files = Files.list(source.resolve(component))) {
        Files.createDirectories(model.resolve(component));
        for (Path f : files.toList()) {
          Files.copy(f, model.resolve(component).resolve(f.getFileName()));
        }
      }
    }
    Files.copy(source.resolve("model_index.json"), model.resolve("model_index.json"));
  }

  @Test
  void missingUnetIsNamedWithTheExpectedLayout() throws IOException {
    Files.delete(model.resolve("unet/model.onnx"));
    assertThatThrownBy(() -> DiffusionEngine.load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("unet/model.onnx is missing in " + model)
        .hasMessageContaining("expected the diffusers ONNX layout (model_index.json, tokenizer/, text_encoder/, unet/, "
            + "vae_decoder/, scheduler/)");
  }

  @Test
  void missingDirectoryIsNamed() {
    Path nowhere = tmp.resolve("nowhere");
    assertThatThrownBy(() -> DiffusionEngine.load(nowhere))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(nowhere + " does not exist");
  }

  @Test
  void unetWithWrongTensorNamesIsNamedWithTheExpectedInputs() throws IOException {
    Files.copy(model.resolve("vae_decoder/model.onnx"), model.resolve("unet/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> DiffusionEngine.load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("unet/model.onnx has inputs [latent_sample]; expected sample, timestep, encoder_hidden_states");
  }

  @Test
  void fileThatIsNotOnnxIsNamed() throws IOException {
    Files.writeString(model.resolve("text_encoder/model.onnx"), "<html>not found</html>");
    assertThatThrownBy(() -> DiffusionEngine.load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("text_encoder/model.onnx in " + model + " cannot be read as an ONNX model");
  }

  @Test
  void unknownSchedulerClassNamesTheSupportedOnes() throws IOException {
    Path config = model.resolve("scheduler/scheduler_config.json");
    Files.writeString(config, Files.readString(config).replace("DDIMScheduler", "LMSDiscreteScheduler"));
    assertThatThrownBy(() -> DiffusionEngine.load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("scheduler/scheduler_config.json")
        .hasMessageContaining("'LMSDiscreteScheduler' is not supported; expected one of DDIMScheduler, "
            + "EulerAncestralDiscreteScheduler, EulerDiscreteScheduler, LCMScheduler, PNDMScheduler");
  }

  @Test
  void schedulerOverrideReplacesTheModelsScheduler() {
    try (DiffusionEngine engine = DiffusionEngine.load(EngineOptions.builder().setModelDir(model)
        .optScheduler("EulerDiscreteScheduler").build())) {
      assertThat(engine.schedulerName()).isEqualTo("EulerDiscreteScheduler");
      GeneratedImage image = engine.generate(List.of(new GenerationRequest("a red circle", "", 64, 64, 2, 3f, 1)))
          .get(0);
      assertThat(image.width()).isEqualTo(64);
    }
  }

  /** Each thread setting reaches ONNX Runtime on its own; neither needs the other. */
  @Test
  void eitherThreadCountAloneLoadsAndRenders() {
    for (EngineOptions options : List.of(
        EngineOptions.builder().setModelDir(model).optInterOpThreads(1).build(),
        EngineOptions.builder().setModelDir(model).optIntraOpThreads(1).build())) {
      try (DiffusionEngine engine = DiffusionEngine.load(options)) {
        GeneratedImage image = engine.generate(List.of(new GenerationRequest("a red circle", "", 64, 64, 2, 3f, 1)))
            .get(0);
        assertThat(image.height()).isEqualTo(64);
      }
    }
  }

  @Test
  void gpuWithoutTheGpuRuntimeSaysWhatIsNeeded() {
    assertThatThrownBy(() -> DiffusionEngine.load(model, ai.djl.Device.gpu(0)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("text_encoder/model.onnx")
        .hasMessageContaining("onnxruntime_gpu");
  }

  @Test
  void digestCoversModelFilesOnly() throws IOException {
    String original = ModelLayout.check(model).digest();
    Files.createDirectories(model.resolve("train"));
    Files.writeString(model.resolve("train/train.log"), "step 1");
    assertThat(ModelLayout.check(model).digest()).isEqualTo(original);
    Files.writeString(model.resolve("scheduler/scheduler_config.json"), " ",
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(ModelLayout.check(model).digest()).isNotEqualTo(original);
  }

  @Test
  void engineDigestMatchesTheLayoutDigest() {
    try (DiffusionEngine engine = DiffusionEngine.load(model)) {
      assertThat(engine.modelDigest()).isEqualTo(ModelLayout.check(model).digest());
    }
  }

  @Test
  void scalingFactorDefaultsToStableDiffusionsWhenTheVaeConfigIsAbsent() throws IOException {
    assertThat(ModelLayout.check(model).scalingFactor()).isNotEqualTo(ModelLayout.DEFAULT_SCALING_FACTOR);
    Files.delete(model.resolve("vae_decoder/config.json"));
    assertThat(ModelLayout.check(model).scalingFactor()).isEqualTo(0.18215f);
  }
}
