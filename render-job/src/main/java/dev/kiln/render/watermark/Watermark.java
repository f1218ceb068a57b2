package dev.kiln.render.watermark;

import dev.kiln.render.watermark.internal.Bch;
import dev.kiln.render.watermark.internal.SpreadSpectrum;
import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * Kiln's invisible watermark: a {@link Payload} of 64 bits, protected by a BCH(127, 64) code that
 * corrects 10 bit errors, spread over a tiled pattern in the image's luma. See docs/watermark.md
 * for the method, its measured robustness and its limits.
 *
 * <p>Embedding is deterministic: the same pixels and payload give the same pixels. Reading needs
 * no key: the pattern's layout is fixed, so anyone can read the payload (and, with effort, remove
 * it); the C2PA signature, not the watermark, is what proves where an image came from.
 */
public final class Watermark {
  /** The tile side: a copy smaller than this on either side, after undoing its scale, cannot be read. */
  public static final int MIN_DETECT_SIZE = 128;

  /** Sync scores below this are treated as no mark, whatever the bits decode to. */
  static final double MIN_SYNC_SCORE = 6.0;

  /**
   * Scales tried when the mark is not found at the image's own size, as the factor the image was
   * resized by: a mark embedded at 512x512 and read from a 256x256 copy is found at 0.5.
   */
  static final double[] SCALES = {0.5, 0.75, 2.0 / 3, 0.8, 0.9, 1 / 0.9, 1.25, 1.5, 2.0};

  /**
   * Cells of 4x4 pixels, 32x32 cells a tile (128 pixels), +-2 luma levels (PSNR 42.1 dB before
   * clipping at black and white), a 5x5 local mean removed and residuals clipped at +-3 when
   * reading. Changing any of these, or the seed, makes earlier marks unreadable.
   */
  private static final SpreadSpectrum SCHEME =
      new SpreadSpectrum(new SpreadSpectrum.Params(4, 32, 2, 2, 3.0, 0x4B696C6E574D3031L));

  private Watermark() {}

  /**
   * A copy of {@code image}, same size, with {@code payload} embedded: TYPE_INT_ARGB when the image
   * has alpha (kept as it was), TYPE_INT_RGB otherwise.
   */
  public static BufferedImage embed(BufferedImage image, Payload payload) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] marked = SCHEME.embed(pixels(image), w, h, Bch.encode(payload.toBits()));
    boolean alpha = image.getColorModel().hasAlpha();
    BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    out.getRaster().setDataElements(0, 0, w, h, marked);
    return out;
  }

  /**
   * The watermark in {@code image}, or empty when there is none: the bits must decode within the
   * code's 10 corrections at a position where the sync pattern stands out. Tries the image as it
   * is, then each of a few common resize factors.
   */
  public static Optional<Detection> detect(BufferedImage image) {
    return inspect(image).detection();
  }

  /** What reading found, whether or not it amounts to a detection; for benches and diagnostics. */
  public record Inspection(boolean[] codedBits, double syncScore, Optional<Detection> detection) {}

  /** Reads {@code image} as {@link #detect} does and also returns the raw coded bits at scale 1. */
  public static Inspection inspect(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double[] luma = SpreadSpectrum.luma(pixels(image));
    SpreadSpectrum.Reading first = SCHEME.read(luma, w, h);
    int attempts = 1 + SCALES.length;
    Optional<Detection> found = decide(first, 1.0, attempts);
    for (int i = 0; found.isEmpty() && i < SCALES.length; i++) {
      double scale = SCALES[i];
      int sw = (int) Math.round(w / scale);
      int sh = (int) Math.round(h / scale);
      if (Math.min(sw, sh) < MIN_DETECT_SIZE) {
        continue;
      }
      double[] resized = SpreadSpectrum.resample(luma, w, h, sw, sh);
      found = decide(SCHEME.read(resized, sw, sh), scale, attempts);
    }
    return new Inspection(first.bits(), first.syncScore(), found);
  }

  /** The 127 coded bits that carry {@code payload}, in the order {@link Inspection} reports. */
  public static boolean[] codedBits(Payload payload) {
    return Bch.encode(payload.toBits());
  }

  /** The image's pixels as packed ARGB (alpha 0 for TYPE_INT_RGB, which has none). */
  private static int[] pixels(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int type = image.getType();
    if (type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB) {
      // A copy of the raster's ints: several times faster than getRGB's per-pixel colour model.
      return (int[]) image.getRaster().getDataElements(0, 0, w, h, null);
    }
    return image.getRGB(0, 0, w, h, null, 0, w);
  }

  private static Optional<Detection> decide(SpreadSpectrum.Reading reading, double scale, int attempts) {
    if (reading.syncScore() < MIN_SYNC_SCORE) {
      return Optional.empty();
    }
    return Bch.decode(reading.bits()).map(decoded -> {
      int e = decoded.corrected();
      double falseMatch = Math.min(1.0, attempts * codewordsWithin(e));
      return new Detection(Payload.fromBits(decoded.message()), 1 - falseMatch, 1 - (double) e / Bch.N, e,
          reading.syncScore(), scale, reading.offsetX(), reading.offsetY());
    });
  }

  /**
   * The chance that a random 127-bit word lies within {@code e} flips of some codeword: 2^64
   * codewords, each with sum(C(127, i), i <= e) words around it, out of 2^127.
   */
  static double codewordsWithin(int e) {
    double ball = 0;
    double c = 1;
    for (int i = 0; i <= e; i++) {
      ball += c;
      c = c * (Bch.N - i) / (i + 1);
    }
    return ball * Math.pow(2, Bch.K - Bch.N);
  }
}
