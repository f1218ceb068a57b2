package dev.kiln.safety.gallery.internal;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import javax.imageio.ImageIO;

/** Small PNG thumbnails for embedding in a page. */
public final class Thumbnails {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** A PNG and its size in pixels. */
  public record Thumbnail(byte[] png, int width, int height) {}

  private Thumbnails() {}

  /**
   * The image as a PNG no larger than {@code maxSide} pixels on either side, keeping its aspect
   * ratio: a PNG already that small is returned unchanged, anything else is downscaled or
   * re-encoded.
   *
   * @return empty when the bytes do not decode as an image
   */
  public static Optional<Thumbnail> fit(byte[] image, int maxSide) {
    if (maxSide < 1) {
      throw new IllegalArgumentException("maxSide is " + maxSide + ": pass the thumbnail size in pixels, e.g. 256");
    }
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(new ByteArrayInputStream(image));
    } catch (IOException e) {
      return Optional.empty();
    }
    if (decoded == null) {
      return Optional.empty();
    }
    int w = decoded.getWidth();
    int h = decoded.getHeight();
    if (w <= maxSide && h <= maxSide && isPng(image)) {
      return Optional.of(new Thumbnail(image, w, h));
    }
    double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    return Optional.of(new Thumbnail(encode(downscale(decoded, tw, th)), tw, th));
  }

  private static BufferedImage downscale(BufferedImage source, int width, int height) {
    int type = source.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    BufferedImage current = source;
    int w = source.getWidth();
    int h = source.getHeight();
    // One bilinear step from far above the target skips most source pixels and aliases; halving first keeps every
    // pixel's contribution.
    do {
      w = Math.max(width, w / 2);
      h = Math.max(height, h / 2);
      if (current.getWidth() <= width * 2 && current.getHeight() <= height * 2) {
        w = width;
        h = height;
      }
      BufferedImage next = new BufferedImage(w, h, type);
      Graphics2D g = next.createGraphics();
      try {
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(current, 0, 0, w, h, null);
      } finally {
        g.dispose();
      }
      current = next;
    } while (w != width || h != height);
    return current;
  }

  private static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("this JVM has no PNG writer, which every Java SE JVM must provide");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing a PNG to memory failed", e);
    }
    return out.toByteArray();
  }

  private static boolean isPng(byte[] bytes) {
    return bytes.length >= PNG_SIGNATURE.length
        && Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length);
  }
}
