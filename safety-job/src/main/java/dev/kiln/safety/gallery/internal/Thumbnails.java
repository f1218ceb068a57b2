package dev.kiln.safety.gallery.internal;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Small thumbnails for embedding in a page, bounded in pixels and in bytes.
 *
 * <p>Every thumbnail is a deterministic function of the image's bytes: the same image gives the
 * same thumbnail bytes, so a page made again from a cache miss is the page made before.
 */
public final class Thumbnails {
  /**
   * Images with more pixels than this are not decoded: a small PNG can declare a huge canvas, and
   * decoding it would take {@code 4 * width * height} bytes of heap. Kiln renders at most 2048².
   */
  public static final long MAX_SOURCE_PIXELS = 4096L * 4096L;

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** JPEG qualities tried in turn until the thumbnail fits its byte limit. */
  private static final float[] JPEG_QUALITIES = {0.85f, 0.7f, 0.5f, 0.3f};

  /**
   * An encoded thumbnail and its size in pixels.
   *
   * @param mediaType {@code image/png} or {@code image/jpeg}
   */
  public record Thumbnail(byte[] bytes, String mediaType, int width, int height) {}

  private Thumbnails() {}

  /**
   * The image as a PNG or JPEG of at most {@code maxBytes} bytes and no larger than {@code
   * maxSide} pixels on either side, keeping its aspect ratio. A PNG already that small in both is
   * returned unchanged. Anything else is downscaled and encoded as whichever of PNG and JPEG is
   * smaller (JPEG only for opaque images): flat artwork stays a crisp PNG, a rendered photo
   * becomes a JPEG a tenth the size. When neither fits {@code maxBytes}, lower JPEG qualities are
   * tried, then half the size, until one fits.
   *
   * @return empty when the bytes do not decode as an image, or the image has more than {@link
   *     #MAX_SOURCE_PIXELS} pixels
   */
  public static Optional<Thumbnail> fit(byte[] image, int maxSide, int maxBytes) {
    if (maxSide < 1) {
      throw new IllegalArgumentException("maxSide is " + maxSide + ": pass the thumbnail size in pixels, e.g. 256");
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("maxBytes is " + maxBytes + ": pass at least 1024, e.g. 24576");
    }
    Optional<BufferedImage> read = decode(image);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    BufferedImage decoded = read.get();
    int w = decoded.getWidth();
    int h = decoded.getHeight();
    if (w <= maxSide && h <= maxSide && image.length <= maxBytes && isPng(image)) {
      return Optional.of(new Thumbnail(image, "image/png", w, h));
    }
    double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    BufferedImage small = downscale(decoded, tw, th);
    while (true) {
      Thumbnail best = smallest(small, maxBytes);
      if (best.bytes().length <= maxBytes || small.getWidth() == 1 && small.getHeight() == 1) {
        return Optional.of(best);
      }
      // Even the lowest quality is too large (noise, or alpha, which JPEG cannot carry): fewer pixels always help.
      small = downscale(small, Math.max(1, small.getWidth() / 2), Math.max(1, small.getHeight() / 2));
    }
  }

  private static Thumbnail smallest(BufferedImage image, int maxBytes) {
    int w = image.getWidth();
    int h = image.getHeight();
    Thumbnail best = new Thumbnail(png(image), "image/png", w, h);
    if (image.getColorModel().hasAlpha()) {
      return best;
    }
    for (float quality : JPEG_QUALITIES) {
      byte[] jpeg = jpeg(image, quality);
      if (jpeg.length < best.bytes().length) {
        best = new Thumbnail(jpeg, "image/jpeg", w, h);
      }
      if (best.bytes().length <= maxBytes) {
        return best;
      }
    }
    return best;
  }

  private static Optional<BufferedImage> decode(byte[] image) {
    // In memory: ImageIO.createImageInputStream would spool the bytes to a temporary file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return Optional.empty();
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        // The header says the size; checking it first keeps a decompression bomb from allocating its canvas.
        if ((long) reader.getWidth(0) * reader.getHeight(0) > MAX_SOURCE_PIXELS) {
          return Optional.empty();
        }
        return Optional.ofNullable(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      return Optional.empty();
    }
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

  private static byte[] png(BufferedImage image) {
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

  private static byte[] jpeg(BufferedImage image, float quality) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    if (!writers.hasNext()) {
      throw new IllegalStateException("this JVM has no JPEG writer, which every Java SE JVM must provide");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("writing a JPEG to memory failed", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static boolean isPng(byte[] bytes) {
    return bytes.length >= PNG_SIGNATURE.length
        && Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length);
  }
}
