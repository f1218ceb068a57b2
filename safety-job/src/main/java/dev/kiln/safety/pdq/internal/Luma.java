package dev.kiln.safety.pdq.internal;

import java.awt.image.BufferedImage;

/** Converts pixels to the float luminance plane PDQ hashes. */
public final class Luma {
  // Rec. 601 weights, as float: the reference computes luma in single precision, and doing the
  // same keeps our values bit-identical to it before any filtering.
  private static final float R = 0.299f;
  private static final float G = 0.587f;
  private static final float B = 0.114f;

  private Luma() {}

  /**
   * Returns the luminance of {@code image} as a row-major {@code height x width} array. Pixels are
   * read as sRGB through {@link BufferedImage#getRGB}; alpha is ignored.
   */
  public static float[] of(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[] luma = new float[width * height];
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, row, 0, width);
      int offset = y * width;
      for (int x = 0; x < width; x++) {
        int argb = row[x];
        luma[offset + x] = weigh((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff);
      }
    }
    return luma;
  }

  /**
   * Returns the luminance of interleaved 8-bit RGB pixels ({@code rgb[3 * (y * width + x) + c]})
   * as a row-major array of {@code width * height} values.
   */
  public static float[] of(int width, int height, byte[] rgb) {
    float[] luma = new float[width * height];
    for (int i = 0, p = 0; i < luma.length; i++, p += 3) {
      luma[i] = weigh(rgb[p] & 0xff, rgb[p + 1] & 0xff, rgb[p + 2] & 0xff);
    }
    return luma;
  }

  private static float weigh(int r, int g, int b) {
    return R * r + G * g + B * b;
  }
}
