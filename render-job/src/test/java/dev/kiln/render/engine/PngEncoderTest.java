package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Node;

class PngEncoderTest {
  private static GeneratedImage noisyImage(int w, int h, long seed) {
    byte[] rgb = new byte[w * h * 3];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i % 7 == 0 ? random.nextInt(256) : (i / 3) % 256);
    }
    return new GeneratedImage(w, h, rgb);
  }

  @Test
  void decodesToTheSamePixels() throws IOException {
    GeneratedImage image = noisyImage(24, 16, 3);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(image)));
    assertThat(decoded.getWidth()).isEqualTo(24);
    assertThat(decoded.getHeight()).isEqualTo(16);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 24; x++) {
        int argb = decoded.getRGB(x, y);
        assertThat(new int[] {(argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF})
            .as("pixel %d,%d", x, y)
            .containsExactly(image.channel(x, y, 0), image.channel(x, y, 1), image.channel(x, y, 2));
      }
    }
  }

  @Test
  void samePixelsAndMetadataGiveSameBytesWhateverTheMapOrder() {
    GeneratedImage image = noisyImage(8, 8, 1);
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("a", "1");
    forward.put("b", "2");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("b", "2");
    backward.put("a", "1");
    assertThat(PngEncoder.encode(image, "<x/>", forward)).isEqualTo(PngEncoder.encode(image, "<x/>", backward));
    assertThat(PngEncoder.encode(image, "<x/>", forward)).isNotEqualTo(PngEncoder.encode(image, "<y/>", forward));
  }

  @Test
  void embedsXmpInAnItxtChunkWithTheXmpKeyword() throws IOException {
    String xmp = Xmp.trainedAlgorithmicMedia(Map.of("prompt", "a red circle"));
    Map<String, String> texts = itxtEntries(PngEncoder.encode(noisyImage(8, 8, 2), xmp));
    assertThat(texts).containsEntry("XML:com.adobe.xmp", xmp);
  }

  @Test
  void rejectsInvalidKeywordSayingWhatIsAllowed() {
    assertThatThrownBy(() -> PngEncoder.encode(noisyImage(8, 8, 1), Map.of(" bad", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 79 printable Latin-1 characters");
  }

  /** iTXt keyword to text, through ImageIO's PNG metadata. */
  static Map<String, String> itxtEntries(byte[] png) throws IOException {
    Map<String, String> texts = new HashMap<>();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      reader.setInput(in);
      IIOMetadata metadata = reader.getImageMetadata(0);
      Node root = metadata.getAsTree("javax_imageio_png_1.0");
      for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n.getNodeName().equals("iTXt")) {
          for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
            texts.put(e.getAttributes().getNamedItem("keyword").getNodeValue(),
                e.getAttributes().getNamedItem("text").getNodeValue());
          }
        }
      }
      reader.dispose();
    }
    return texts;
  }
}
