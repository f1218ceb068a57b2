package dev.kiln.safety.classifier.internal;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/** Reads a {@link BufferedImage} as the HWC RGB values nsfwjs sees, scaled to [0, 1]. */
public final class RgbPixels {
  private RgbPixels() {}

  /**
   * Returns {@code height * width * 3} values {@code byte / 255}, row-major HWC, RGB.
   *
   * <p>Alpha is dropped, as {@code tf.browser.fromPixels} does. 8-bit grey images are read from
   * the raster: {@link BufferedImage#getRGB} would convert their linear grey colour space and
   * brighten them, while a browser (and nsfwjs) repeats the stored grey value in R, G and B.
   */
  public static float[] unitRgb(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[] out = new float[width * height * 3];
    if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      Raster raster = image.getRaster();
      int[] row = new int[width];
      for (int y = 0; y < height; y++) {
        raster.getSamples(0, y, width, 1, 0, row);
        for (int x = 0; x < width; x++) {
          float v = unit(row[x]);
          int i = (y * width + x) * 3;
          out[i] = v;
          out[i + 1] = v;
          out[i + 2] = v;
        }
      }
      return out;
    }
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        int argb = row[x];
        int i = (y * width + x) * 3;
        out[i] = unit((argb >> 16) & 0xff);
        out[i + 1] = unit((argb >> 8) & 0xff);
        out[i + 2] = unit(argb & 0xff);
      }
    }
    return out;
  }

  // TFJS divides in double precision and stores float32; so does this.
  private static float unit(int value) {
    return (float) (value / 255.0);
  }
}
