package dev.kiln.render.engine;

import java.util.Arrays;

/**
 * A generated image as 8-bit RGB.
 *
 * @param rgb pixels row by row, 3 bytes (R, G, B) per pixel, {@code width * height * 3} bytes. The
 *     array is not copied: treat it as read-only.
 */
public record GeneratedImage(int width, int height, byte[] rgb) {
  public GeneratedImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("width and height must be positive, got " + width + "x" + height);
    }
    if (rgb == null || rgb.length != (long) width * height * 3) {
      throw new IllegalArgumentException("rgb must hold width * height * 3 = " + (long) width * height * 3
          + " bytes, got " + (rgb == null ? "null" : rgb.length));
    }
  }

  /** Channel {@code c} (0 red, 1 green, 2 blue) of pixel (x, y), 0..255. */
  public int channel(int x, int y, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xFF;
  }

  /** A PNG of this image without metadata; see {@link PngEncoder}. */
  public byte[] toPng() {
    return PngEncoder.encode(this, (String) null);
  }

  /** Equal when size and every pixel are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof GeneratedImage g && g.width == width && g.height == height && Arrays.equals(g.rgb, rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "GeneratedImage[" + width + "x" + height + "]";
  }
}
