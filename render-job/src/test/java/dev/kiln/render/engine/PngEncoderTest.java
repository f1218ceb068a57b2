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
  void everyCompressionLevelDecodesToTheSamePixelsAndHigherLevelsAreNoLarger() throws IOException {
    GeneratedImage image = noisyImage(40, 30, 5);
    BufferedImage reference = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(image, null, Map.of(), 0)));
    int stored = PngEncoder.encode(image, null, Map.of(), 0).length;
    int fastest = PngEncoder.encode(image, null, Map.of(), 1).length;
    int smallest = PngEncoder.encode(image, null, Map.of(), 9).length;
    assertThat(stored).isGreaterThan(image.rgb().length);
    assertThat(fastest).isLessThan(stored);
    assertThat(smallest).isLessThanOrEqualTo(fastest);
    assertThat(PngEncoder.encode(image)).isEqualTo(
        PngEncoder.encode(image, null, Map.of(), PngEncoder.DEFAULT_COMPRESSION_LEVEL));
    for (int level = 0; level <= 9; level++) {
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(image, null, Map.of(), level)));
      for (int y = 0; y < 30; y++) {
        for (int x = 0; x < 40; x++) {
          assertThat(decoded.getRGB(x, y)).as("level %d, pixel %d,%d", level, x, y).isEqualTo(reference.getRGB(x, y));
        }
      }
    }
    assertThat(reference.getRGB(3, 2) & 0xFFFFFF)
        .isEqualTo(image.channel(3, 2, 0) << 16 | image.channel(3, 2, 1) << 8 | image.channel(3, 2, 2));
    assertThatThrownBy(() -> PngEncoder.encode(image, null, Map.of(), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PNG compression level must be 0 to 9, got 10");
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

  @Test
  void filtersRowsExactlyAsTheStraightforwardHeuristic() {
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int w = 1 + random.nextInt(70);
      int h = 1 + random.nextInt(70);
      GeneratedImage image = seed % 2 == 0 ? noisyImage(w, h, seed) : smoothImage(w, h, random);
      assertThat(PngEncoder.filter(image)).as("%dx%d, seed %d", w, h, seed).isEqualTo(referenceFilter(image));
    }
  }

  private static GeneratedImage smoothImage(int w, int h, SplittableRandom random) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < 3; ch++) {
          rgb[(y * w + x) * 3 + ch] = (byte) (x * (ch + 1) + y * 2 + random.nextInt(3));
        }
      }
    }
    return new GeneratedImage(w, h, rgb);
  }

  /** Every filter type per row, computed one byte at a time; the lowest score wins, ties to the lower type. */
  private static byte[] referenceFilter(GeneratedImage image) {
    int stride = image.width() * 3;
    byte[] rgb = image.rgb();
    byte[] out = new byte[(stride + 1) * image.height()];
    for (int y = 0; y < image.height(); y++) {
      int row = y * stride;
      byte[] bestRow = null;
      long bestScore = Long.MAX_VALUE;
      int best = 0;
      for (int f = 0; f < 5; f++) {
        byte[] c = new byte[stride];
        long score = 0;
        for (int i = 0; i < stride; i++) {
          int x = rgb[row + i] & 0xFF;
          int a = i >= 3 ? rgb[row + i - 3] & 0xFF : 0;
          int b = y > 0 ? rgb[row - stride + i] & 0xFF : 0;
          int d = i >= 3 && y > 0 ? rgb[row - stride + i - 3] & 0xFF : 0;
          int p = a + b - d;
          int pa = Math.abs(p - a);
          int pb = Math.abs(p - b);
          int pc = Math.abs(p - d);
          int paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : d;
          int v = switch (f) {
            case 0 -> x;
            case 1 -> x - a;
            case 2 -> x - b;
            case 3 -> x - ((a + b) >>> 1);
            default -> x - paeth;
          };
          c[i] = (byte) v;
          score += Math.abs((int) c[i]);
        }
        if (score < bestScore) {
          bestScore = score;
          bestRow = c;
          best = f;
        }
      }
      out[y * (stride + 1)] = (byte) best;
      System.arraycopy(bestRow, 0, out, y * (stride + 1) + 1, stride);
    }
    return out;
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
