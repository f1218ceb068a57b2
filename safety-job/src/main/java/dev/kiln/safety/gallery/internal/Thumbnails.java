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
   * PNG is tried only for thumbnails of at most this many colours. A rendered 256x256 photo has
   * tens of thousands and its PNG is several times its JPEG; flat artwork has few.
   */
  static final int PNG_MAX_COLOURS = 4096;

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
   * returned unchanged, without decoding its pixels. Anything else is {@linkplain #fromPixels made from its
   * decoded pixels}.
   *
   * @return empty when the bytes are not an image this JVM reads (for a small PNG returned
   *     unchanged, only its header is read), or the image has more than {@link #MAX_SOURCE_PIXELS}
   *     pixels
   */
  public static Optional<Thumbnail> fit(byte[] image, int maxSide, int maxBytes) {
    check(maxSide, maxBytes);
    if (image.length <= maxBytes && isPng(image)) {
      Optional<int[]> size = read(image, false).map(Decoded::size);
      if (size.isEmpty()) {
        return Optional.empty();
      }
      int w = size.get()[0];
      int h = size.get()[1];
      if (w <= maxSide && h <= maxSide) {
        return Optional.of(new Thumbnail(image, "image/png", w, h));
      }
    }
    return read(image, true).map(d -> fromPixels(d.image(), maxSide, maxBytes));
  }

  /**
   * The thumbnail of an image already decoded: {@code decoded} scaled to at most {@code maxSide}
   * pixels a side, keeping its aspect ratio, and encoded as whichever of PNG and JPEG is smaller
   * (JPEG only for opaque images). PNG is tried only for images of at most {@value #PNG_MAX_COLOURS}
   * colours: flat artwork stays a crisp PNG, while a rendered photo becomes a JPEG a tenth the size
   * (at 256x256, a PNG of a kiln-tiny render was 157 KB against the JPEG's 17 KB, and took 8 ms to
   * encode against 1.2 ms). When neither fits {@code maxBytes}, lower JPEG qualities are tried,
   * then half the size, until one fits.
   *
   * <p>For an image larger than {@code maxSide} on a side this is exactly what {@link #fit} gives
   * for any encoding of the same pixels, so it can be made wherever the pixels are at hand.
   */
  public static Thumbnail fromPixels(BufferedImage decoded, int maxSide, int maxBytes) {
    check(maxSide, maxBytes);
    int w = decoded.getWidth();
    int h = decoded.getHeight();
    double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    BufferedImage small = downscale(decoded, tw, th);
    while (true) {
      Thumbnail best = smallest(small, maxBytes);
      if (best.bytes().length <= maxBytes || small.getWidth() == 1 && small.getHeight() == 1) {
        return best;
      }
      // Even the lowest quality is too large (noise, or alpha, which JPEG cannot carry): fewer pixels always help.
      small = downscale(small, Math.max(1, small.getWidth() / 2), Math.max(1, small.getHeight() / 2));
    }
  }

  private static void check(int maxSide, int maxBytes) {
    if (maxSide < 1) {
      throw new IllegalArgumentException("maxSide is " + maxSide + ": pass the thumbnail size in pixels, e.g. 256");
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("maxBytes is " + maxBytes + ": pass at least 1024, e.g. 24576");
    }
  }

  private static Thumbnail smallest(BufferedImage image, int maxBytes) {
    int w = image.getWidth();
    int h = image.getHeight();
    boolean alpha = image.getColorModel().hasAlpha();
    Thumbnail best = alpha || fewColours(image) ? new Thumbnail(png(image), "image/png", w, h) : null;
    if (alpha) {
      return best;
    }
    for (float quality : JPEG_QUALITIES) {
      byte[] jpeg = jpeg(image, quality);
      if (best == null || jpeg.length < best.bytes().length) {
        best = new Thumbnail(jpeg, "image/jpeg", w, h);
      }
      if (best.bytes().length <= maxBytes) {
        return best;
      }
    }
    return best;
  }

  /** An image's size from its header, and its pixels when they were decoded. */
  private record Decoded(int[] size, BufferedImage image) {}

  /**
   * Reads the image's header and, when {@code pixels}, its pixels; empty when the bytes are not an
   * image this JVM reads, or declare more than {@link #MAX_SOURCE_PIXELS} pixels.
   */
  private static Optional<Decoded> read(byte[] image, boolean pixels) {
    // In memory: ImageIO.createImageInputStream would spool the bytes to a temporary file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return Optional.empty();
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int[] size = {reader.getWidth(0), reader.getHeight(0)};
        // The header says the size; checking it first keeps a decompression bomb from allocating its canvas.
        if ((long) size[0] * size[1] > MAX_SOURCE_PIXELS) {
          return Optional.empty();
        }
        if (!pixels) {
          return Optional.of(new Decoded(size, null));
        }
        return Optional.ofNullable(reader.read(0)).map(decoded -> new Decoded(size, decoded));
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code image} has at most {@value #PNG_MAX_COLOURS} distinct colours, counted until
   * one more is seen (a rendered photo stops within its first rows).
   */
  static boolean fewColours(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    // An open-addressing set of RGB values, four times the limit in size so probes stay short; -1 is empty.
    int[] table = new int[4 * PNG_MAX_COLOURS];
    Arrays.fill(table, -1);
    int mask = table.length - 1;
    int shift = Integer.numberOfLeadingZeros(mask);
    int seen = 0;
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int rgb = row[x] & 0xffffff;
        int slot = (rgb * 0x9E3779B1) >>> shift;
        while (table[slot] != -1 && table[slot] != rgb) {
          slot = (slot + 1) & mask;
        }
        if (table[slot] == -1) {
          if (++seen > PNG_MAX_COLOURS) {
            return false;
          }
          table[slot] = rgb;
        }
      }
    }
    return true;
  }

  private static BufferedImage downscale(BufferedImage source, int width, int height) {
    // Opaque images as 3-byte BGR, what ImageIO decodes a PNG to: scaling within one layout is faster, and the
    // JPEG writer takes its bytes as they are (0.68 against 1.05 ms for a 256x256 thumbnail, the same JPEG bytes).
    int type = source.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_3BYTE_BGR;
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
