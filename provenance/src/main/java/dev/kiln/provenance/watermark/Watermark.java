package dev.kiln.provenance.watermark;

import dev.kiln.provenance.watermark.internal.Bch;
import dev.kiln.provenance.watermark.internal.SpreadSpectrum;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kiln's invisible watermark: a {@link Payload} of 64 bits, protected by a BCH(127, 64) code that
 * corrects 10 bit errors, spread over a tiled pattern in the image's luma. See docs/watermark.md
 * for the method, its measured robustness and its limits.
 *
 * <p>Three schemes share the method and differ in cell size: 4-pixel cells (a 128-pixel tile, the
 * robust one), 2-pixel cells (64) and 1-pixel cells (32), each with its own layout seed. An image
 * is marked with the largest cell whose tile fits its smaller side, so every image of at least
 * {@value #MIN_SIZE} pixels a side can be marked; the small schemes are much less robust than the
 * 4-pixel one.
 *
 * <p>Embedding is deterministic: the same pixels and payload give the same pixels. Reading needs
 * no key: the pattern's layout is fixed, so anyone can read the payload (and, with effort, remove
 * it); the C2PA signature, not the watermark, is what proves where an image came from.
 */
public final class Watermark {
  /** The smallest side an image can have to be marked: the 1-pixel scheme's tile. */
  public static final int MIN_SIZE = 32;

  /**
   * The 4-pixel scheme's tile: images at least this large on both sides get the robust scheme, and
   * a copy of such a mark smaller than this on either side, after undoing its scale, cannot be read.
   */
  public static final int MIN_DETECT_SIZE = 128;

  /** Sync scores below this are treated as no mark, whatever the bits decode to. */
  static final double MIN_SYNC_SCORE = 6.0;

  /**
   * Scales tried for the 4-pixel scheme when no scheme finds the mark at the image's own size, as
   * the factor the image was resized by: a mark embedded at 512x512 and read from a 256x256 copy is
   * found at 0.5.
   */
  static final double[] SCALES = {0.5, 0.75, 2.0 / 3, 0.8, 0.9, 1 / 0.9, 1.25, 1.5, 2.0};

  /**
   * Cells of 4x4 pixels, 32x32 cells a tile (128 pixels), +-2 luma levels (PSNR 42.1 dB before
   * clipping at black and white), a 5x5 local mean removed and residuals clipped at +-3 when
   * reading. Changing any of these, or the seed, makes earlier marks unreadable.
   */
  private static final SpreadSpectrum CELL_4 =
      new SpreadSpectrum(new SpreadSpectrum.Params(4, 32, 2, 2, 3.0, 0x4B696C6E574D3031L));

  /**
   * Cells of 2x2 pixels (a 64-pixel tile) for images from 64 to 127 pixels a side: same strength
   * and clip, the 3x3 median removed when reading (a mean over more than a cell lets the image's
   * edges through; see docs/watermark.md), and a seed of its own, so that a half-size copy of a
   * 4-pixel mark is not read as one of these.
   */
  private static final SpreadSpectrum CELL_2 =
      new SpreadSpectrum(new SpreadSpectrum.Params(2, 32, 2, 1, 3.0, 0x4B696C6E574D3032L, true));

  /** Cells of single pixels (a 32-pixel tile) for images from 32 to 63 pixels a side; as CELL_2, its own seed. */
  private static final SpreadSpectrum CELL_1 =
      new SpreadSpectrum(new SpreadSpectrum.Params(1, 32, 2, 1, 3.0, 0x4B696C6E574D3033L, true));

  /** Largest cell first: the order embedding picks in and reading tries in. */
  private static final List<SpreadSpectrum> SCHEMES = List.of(CELL_4, CELL_2, CELL_1);

  private Watermark() {}

  /**
   * The cell size, 4, 2 or 1 pixels, that {@link #embed} uses for an image of this size: the largest
   * whose tile (32 cells) fits the smaller side.
   *
   * @throws IllegalArgumentException when the smaller side is below {@value #MIN_SIZE}
   */
  public static int cellSizeFor(int width, int height) {
    return schemeFor(width, height).params().cell();
  }

  /**
   * A copy of {@code image}, same size, with {@code payload} embedded: TYPE_INT_ARGB when the image
   * has alpha (kept as it was), TYPE_INT_RGB otherwise. The cell size is {@link #cellSizeFor}'s.
   *
   * @throws IllegalArgumentException when the smaller side is below {@value #MIN_SIZE}
   */
  public static BufferedImage embed(BufferedImage image, Payload payload) {
    return embed(image, payload, schemeFor(image.getWidth(), image.getHeight()));
  }

  /** As {@link #embed(BufferedImage, Payload)} with the scheme of {@code cell}, whatever the size; for tests. */
  static BufferedImage embed(BufferedImage image, Payload payload, int cell) {
    return embed(image, payload, scheme(cell));
  }

  private static BufferedImage embed(BufferedImage image, Payload payload, SpreadSpectrum scheme) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] marked = scheme.embed(pixels(image), w, h, Bch.encode(payload.toBits()));
    boolean alpha = image.getColorModel().hasAlpha();
    BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    out.getRaster().setDataElements(0, 0, w, h, marked);
    return out;
  }

  /**
   * A marked copy of interleaved 8-bit RGB pixels ({@code width * height * 3} bytes, row by row):
   * the same bytes {@link #embed(BufferedImage, Payload)} gives for the same pixels, without
   * converting to an image and back.
   *
   * @throws IllegalArgumentException when the smaller side is below {@value #MIN_SIZE}, or the
   *     array does not hold {@code width * height * 3} bytes
   */
  public static byte[] embedRgb(byte[] rgb, int width, int height, Payload payload) {
    SpreadSpectrum scheme = schemeFor(width, height);
    if (rgb.length != (long) width * height * 3) {
      throw new IllegalArgumentException("rgb must hold width * height * 3 = " + (long) width * height * 3
          + " bytes, got " + rgb.length);
    }
    return scheme.embedRgb(rgb, width, height, Bch.encode(payload.toBits()));
  }

  /**
   * {@code rgb} with {@code payload}'s mark taken out again: the pixels {@link #embedRgb} was given,
   * except where embedding clipped at black or white, which come back within the mark's 2 levels.
   * For comparing what the model rendered rather than the mark: at 64x64 the mark moves a PDQ hash
   * by 21 bits on average (up to 76 of 256), enough to hide an image from a block list (31) and to
   * keep two identical renders from counting as near-duplicates (8); at 512x512 by about 2.
   *
   * @throws IllegalArgumentException as {@link #embedRgb} does
   */
  public static byte[] removeRgb(byte[] rgb, int width, int height, Payload payload) {
    SpreadSpectrum scheme = schemeFor(width, height);
    if (rgb.length != (long) width * height * 3) {
      throw new IllegalArgumentException("rgb must hold width * height * 3 = " + (long) width * height * 3
          + " bytes, got " + rgb.length);
    }
    return scheme.removeRgb(rgb, width, height, Bch.encode(payload.toBits()));
  }

  /**
   * The watermark in {@code image}, or empty when there is none: the bits must decode within the
   * code's 10 corrections at a position where the sync pattern stands out. Tries each scheme whose
   * tile fits the image as it is, then the 4-pixel scheme at each of a few common resize factors.
   */
  public static Optional<Detection> detect(BufferedImage image) {
    return inspect(image).detection();
  }

  /**
   * What reading found, whether or not it amounts to a detection; for benches and diagnostics.
   *
   * @param codedBits the 127 coded bits read at scale 1 by the scheme {@link #embed} would use for
   *     an image of this size; empty for an image under {@value #MIN_SIZE} pixels a side
   * @param syncScore that reading's sync score; 0 when there was none
   */
  public record Inspection(boolean[] codedBits, double syncScore, Optional<Detection> detection) {}

  /** Reads {@code image} as {@link #detect} does and also returns the raw coded bits at scale 1. */
  public static Inspection inspect(BufferedImage image) {
    return inspect(image, SCHEMES);
  }

  /** As {@link #inspect(BufferedImage)} with only the schemes of the given cell sizes; for tests. */
  static Inspection inspect(BufferedImage image, int... cells) {
    List<SpreadSpectrum> schemes = new ArrayList<>();
    for (int cell : cells) {
      schemes.add(scheme(cell));
    }
    return inspect(image, schemes);
  }

  private static Inspection inspect(BufferedImage image, List<SpreadSpectrum> schemes) {
    int w = image.getWidth();
    int h = image.getHeight();
    // Every read this image can get, decided up front: the confidence counts all of them, since an
    // unmarked image has that many chances to decode by accident.
    List<SpreadSpectrum> atScaleOne = new ArrayList<>();
    for (SpreadSpectrum scheme : schemes) {
      if (Math.min(w, h) >= scheme.tile()) {
        atScaleOne.add(scheme);
      }
    }
    List<Double> scales = new ArrayList<>();
    if (schemes.contains(CELL_4)) {
      for (double scale : SCALES) {
        if (Math.min(Math.round(w / scale), Math.round(h / scale)) >= CELL_4.tile()) {
          scales.add(scale);
        }
      }
    }
    int attempts = atScaleOne.size() + scales.size();
    double[] luma = SpreadSpectrum.luma(pixels(image));
    SpreadSpectrum.Reading first = null;
    Optional<Detection> found = Optional.empty();
    for (int i = 0; found.isEmpty() && i < atScaleOne.size(); i++) {
      SpreadSpectrum scheme = atScaleOne.get(i);
      SpreadSpectrum.Reading reading = scheme.read(luma, w, h);
      if (first == null) {
        first = reading;
      }
      found = decide(reading, scheme, 1.0, attempts);
    }
    for (int i = 0; found.isEmpty() && i < scales.size(); i++) {
      double scale = scales.get(i);
      int sw = (int) Math.round(w / scale);
      int sh = (int) Math.round(h / scale);
      double[] resized = SpreadSpectrum.resample(luma, w, h, sw, sh);
      found = decide(CELL_4.read(resized, sw, sh), CELL_4, scale, attempts);
    }
    return first == null
        ? new Inspection(new boolean[0], 0, found)
        : new Inspection(first.bits(), first.syncScore(), found);
  }

  private static SpreadSpectrum schemeFor(int width, int height) {
    for (SpreadSpectrum scheme : SCHEMES) {
      if (Math.min(width, height) >= scheme.tile()) {
        return scheme;
      }
    }
    throw new IllegalArgumentException("cannot watermark a " + width + "x" + height + " image: both sides must be"
        + " at least " + MIN_SIZE + " pixels, the smallest watermark tile");
  }

  private static SpreadSpectrum scheme(int cell) {
    for (SpreadSpectrum scheme : SCHEMES) {
      if (scheme.params().cell() == cell) {
        return scheme;
      }
    }
    throw new IllegalArgumentException("no watermark scheme with " + cell + "-pixel cells (there are 4, 2 and 1)");
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

  private static Optional<Detection> decide(SpreadSpectrum.Reading reading, SpreadSpectrum scheme, double scale,
      int attempts) {
    if (reading.syncScore() < MIN_SYNC_SCORE) {
      return Optional.empty();
    }
    return Bch.decode(reading.bits()).map(decoded -> {
      int e = decoded.corrected();
      double falseMatch = Math.min(1.0, attempts * codewordsWithin(e));
      return new Detection(Payload.fromBits(decoded.message()), 1 - falseMatch, 1 - (double) e / Bch.N, e,
          reading.syncScore(), scale, reading.offsetX(), reading.offsetY(), scheme.params().cell());
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
