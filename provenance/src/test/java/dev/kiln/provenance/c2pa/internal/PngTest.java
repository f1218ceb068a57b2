package dev.kiln.provenance.c2pa.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {
  @Test
  void insertsAfterIhdrAndStripsAgain() throws Exception {
    byte[] png = png();
    int at = Png.afterIhdr(png);
    assertThat(at).isEqualTo(33);
    byte[] with = Png.insertChunk(png, at, Png.C2PA_CHUNK, new byte[] {1, 2, 3});
    List<Png.Chunk> chunks = Png.chunks(with);
    assertThat(chunks.get(1)).isEqualTo(new Png.Chunk("caBX", 33, 3));
    assertThat(ImageIO.read(new ByteArrayInputStream(with)).getWidth()).as("CRC and framing stay valid").isEqualTo(5);
    assertThat(Png.withoutC2pa(with)).isEqualTo(png);
  }

  @Test
  void stripsEveryC2paChunk() throws Exception {
    byte[] png = png();
    byte[] twice = Png.insertChunk(Png.insertChunk(png, 33, "caBX", new byte[] {1}), 33, "caBX", new byte[] {2});
    assertThat(Png.withoutC2pa(twice)).isEqualTo(png);
  }

  @Test
  void rejectsAFileWithoutThePngSignature() {
    assertThatThrownBy(() -> Png.chunks(new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PNG");
  }

  @Test
  void rejectsATruncatedChunk() throws Exception {
    byte[] png = png();
    assertThatThrownBy(() -> Png.chunks(java.util.Arrays.copyOf(png, 30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PNG");
  }

  private static byte[] png() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }
}
