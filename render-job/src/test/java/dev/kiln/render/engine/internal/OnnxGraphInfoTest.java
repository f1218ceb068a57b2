package dev.kiln.render.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.render.engine.ModelFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGraphInfoTest {
  @Test
  void readsKilnTinyUnetSignatureWithoutLoadingIt() throws IOException {
    OnnxGraphInfo unet = OnnxGraphInfo.read(ModelFixtures.kilnTiny().resolve("unet/model.onnx"));
    assertThat(unet.inputNames()).containsExactly("sample", "timestep", "encoder_hidden_states");
    assertThat(unet.outputNames()).containsExactly("out_sample");
    assertThat(unet.input("sample").typeName()).isEqualTo("float32");
    assertThat(unet.input("sample").dims()).containsExactly(-1, 4, -1, -1);
    assertThat(unet.input("timestep").dims()).containsExactly(-1);
    assertThat(unet.input("encoder_hidden_states").dims()).containsExactly(-1, 77, 64);
  }

  @Test
  void readsTextEncoderIdsAsInt32() throws IOException {
    OnnxGraphInfo text = OnnxGraphInfo.read(ModelFixtures.kilnTiny().resolve("text_encoder/model.onnx"));
    assertThat(text.input("input_ids").typeName()).isEqualTo("int32");
    assertThat(text.output("last_hidden_state").dim(2)).isEqualTo(64);
  }

  @Test
  void rejectsFileThatIsNotOnnx(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("model.onnx");
    Files.writeString(file, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n");
    assertThatThrownBy(() -> OnnxGraphInfo.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an ONNX model");
  }
}
