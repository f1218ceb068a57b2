package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signatures of optimum's Stable Diffusion exports, on tiny generated graphs
 * (src/test/resources/sd-signatures, written by models/sd-shaped/make_signature_fixtures.py):
 * int64 {@code input_ids}, int64 {@code timestep [steps]}, float16 inputs and outputs, and the
 * load-time message when a tensor has the wrong type.
 */
class SdSignatureTest {
  @TempDir
  Path tmp;

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(SdSignatureTest.class.getResource("/sd-signatures/" + name).toURI());
  }

  private static List<GenerationRequest> batchOfTwo() {
    return List.of(new GenerationRequest("a red circle", "", 64, 64, 2, 3f, 11L),
        new GenerationRequest("a blue square on a green background", "", 64, 64, 2, 3f, 12L));
  }

  @Test
  void int64IdsInt64TimestepAndFloat16TensorsGiveTheFloat32GraphsImagesAtBatchTwo() throws Exception {
    List<float[]> half;
    try (DiffusionEngine engine = DiffusionEngine.load(fixture("fp16"))) {
      half = engine.generateDecoded(batchOfTwo());
      assertThat(engine.stats().unetSamples()).as("guided batch of 2 runs 4 UNet rows per call").isEqualTo(8);
    }
    List<float[]> full;
    try (DiffusionEngine engine = DiffusionEngine.load(fixture("fp32"))) {
      full = engine.generateDecoded(batchOfTwo());
    }
    assertThat(half).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(half.get(i)).hasSize(3 * 64 * 64);
      double maxDiff = 0;
      double sum = 0;
      double sumSq = 0;
      for (int j = 0; j < half.get(i).length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(half.get(i)[j] - full.get(i)[j]));
        sum += full.get(i)[j];
        sumSq += full.get(i)[j] * full.get(i)[j];
      }
      double n = full.get(i).length;
      assertThat(Math.sqrt(sumSq / n - (sum / n) * (sum / n))).as("image %d varies", i).isGreaterThan(0.05);
      assertThat(maxDiff).as("image %d: float16 vs float32 graph", i).isLessThan(0.03);
    }
    assertThat(half.get(0)).isNotEqualTo(half.get(1));
  }

  @Test
  void textEncoderWithFloatIdsIsRefusedNamingTheTensorAndTheExpectedType() throws Exception {
    Path model = copy("text_encoder/model.onnx", "text_encoder_float_ids.onnx");
    assertThatThrownBy(() -> DiffusionEngine.load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("text_encoder/model.onnx declares input_ids as float32[-1, -1]; expected int64 or int32 "
            + "[batch, 77]");
  }

  @Test
  void unetWithInt32SampleIsRefusedNamingTheTensorTheTypesAndTheShape() throws Exception {
    Path model = copy("unet/model.onnx", "unet_int32_sample.onnx");
    assertThatThrownBy(() -> DiffusionEngine.load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("unet/model.onnx declares sample as int32[-1, 4, -1, -1]; expected float32 or float16 "
            + "[batch, 4, height, width]");
  }

  /** A copy of the fp16 fixture with {@code file} replaced by {@code bad/<replacement>}. */
  private Path copy(String file, String replacement) throws IOException, URISyntaxException {
    Path source = fixture("fp16");
    Path model = tmp.resolve("model");
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.toList()) {
        Path target = model.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    Files.copy(fixture("bad").resolve(replacement), model.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    return model;
  }
}
