package dev.kiln.provenance.c2pa;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Random;
import javax.imageio.ImageIO;

/** Images and assertions for the provenance tests. */
final class Fixtures {
  private Fixtures() {}

  /** A PNG of noise and gradients, reproducible from {@code seed}. */
  static byte[] png(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (x * 255 / width + random.nextInt(32)) & 0xff;
        int g = (y * 255 / height + random.nextInt(32)) & 0xff;
        int b = random.nextInt(256);
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static KilnAssertion assertion(String imageId, int width, int height, String prompt) {
    return new KilnAssertion("kiln-tiny", "sha256:3f1c0e5d9a", 42L, 20, 7.5f, "euler", width, height, "acme",
        "batch-7", imageId, "approved", "default", "2024-05", prompt, Instant.parse("2025-01-02T03:04:05Z"),
        null);
  }
}
