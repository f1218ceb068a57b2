package dev.kiln.safety.pdq;

import dev.kiln.safety.pdq.internal.Dct16;
import dev.kiln.safety.pdq.internal.Luma;
import dev.kiln.safety.pdq.internal.Quality;
import dev.kiln.safety.pdq.internal.TentDownsampler;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Computes PDQ perceptual hashes, following Meta's published algorithm (ThreatExchange {@code
 * pdq/}, "pdqhash-2017-10-09.pdf"): luminance, a Jarosz tent-filter blur and 64x64 decimation,
 * the 16x16 low-frequency DCT block, and one bit per coefficient above the block's median.
 *
 * <p>Hashes agree with the reference implementations' to within a few bits; exact equality
 * depends on the image decoder, which differs between them too. Two images are conventionally
 * the same picture when their hashes are at most {@link HashBlockList#DEFAULT_MATCH_DISTANCE}
 * apart. Hashes of featureless images (low {@link Result#quality()}) are unreliable:
 * ThreatExchange's vPDQ, for one, ignores frames whose quality is below 50.
 *
 * <p>All methods are stateless and thread-safe. Cost is linear in the pixel count.
 */
public final class PdqHasher {
  private PdqHasher() {}

  /**
   * A hash and the quality of the image it came from.
   *
   * @param quality 0 (featureless) to 100, from the strength of the image's gradients
   */
  public record Result(PdqHash hash, int quality) {
    public Result {
      Objects.requireNonNull(hash, "hash");
    }
  }

  /**
   * The hashes of an image under all eight {@link Dihedral} transforms, as if each transform had
   * been applied to the image before hashing (to within a few bits), and the image's quality.
   *
   * @param hashes eight hashes in {@link Dihedral} order, {@link Dihedral#ORIGINAL} first
   */
  public record DihedralResult(List<PdqHash> hashes, int quality) {
    public DihedralResult {
      hashes = List.copyOf(hashes);
      if (hashes.size() != Dihedral.values().length) {
        throw new IllegalArgumentException(
            "expected " + Dihedral.values().length + " hashes, got " + hashes.size());
      }
    }

    /** Returns the hash of the untransformed image, the same as {@link PdqHasher#hash}'s. */
    public PdqHash original() {
      return hashes.get(Dihedral.ORIGINAL.ordinal());
    }

    /** Returns the hash of the image after {@code transform}. */
    public PdqHash get(Dihedral transform) {
      return hashes.get(transform.ordinal());
    }

    /**
     * Returns the smallest distance from {@code other} to any of the eight hashes: small when
     * {@code other} is the hash of this image rotated or mirrored in any way.
     */
    public int minDistance(PdqHash other) {
      int min = PdqHash.BITS;
      for (PdqHash hash : hashes) {
        min = Math.min(min, hash.distance(other));
      }
      return min;
    }
  }

  /** Hashes a decoded image. Pixels are read as sRGB; alpha is ignored. */
  public static Result hash(BufferedImage image) {
    return hashLuma(Luma.of(image), image.getWidth(), image.getHeight());
  }

  /**
   * Hashes raw 8-bit RGB pixels stored row by row, three bytes per pixel ({@code rgbHwc[3 * (y *
   * width + x) + channel]}, channel 0 = red).
   *
   * @throws IllegalArgumentException if a dimension is not positive or {@code rgbHwc} is not
   *     exactly {@code width * height * 3} bytes
   */
  public static Result hash(int width, int height, byte[] rgbHwc) {
    checkRgb(width, height, rgbHwc);
    return hashLuma(Luma.of(width, height, rgbHwc), width, height);
  }

  /** Hashes a decoded image under all eight {@link Dihedral} transforms. See {@link #hash}. */
  public static DihedralResult hashDihedral(BufferedImage image) {
    return dihedralLuma(Luma.of(image), image.getWidth(), image.getHeight());
  }

  /**
   * Hashes raw RGB pixels, laid out as for {@link #hash(int, int, byte[])}, under all eight
   * {@link Dihedral} transforms.
   *
   * @throws IllegalArgumentException as {@link #hash(int, int, byte[])} does
   */
  public static DihedralResult hashDihedral(int width, int height, byte[] rgbHwc) {
    checkRgb(width, height, rgbHwc);
    return dihedralLuma(Luma.of(width, height, rgbHwc), width, height);
  }

  private static Result hashLuma(float[] luma, int width, int height) {
    float[] downsample = TentDownsampler.downsample(luma, width, height);
    float[] block = Dct16.transform(downsample);
    return new Result(PdqHash.fromWords(Dct16.bits(block)), Quality.of(downsample));
  }

  private static DihedralResult dihedralLuma(float[] luma, int width, int height) {
    float[] downsample = TentDownsampler.downsample(luma, width, height);
    // The DCT is taken once: sign-flipping and transposing the coefficients gives exactly the
    // DCT of the rotated or mirrored 64x64 downsample, at a fraction of the cost of hashing eight
    // transformed copies of the pixels.
    float[] block = Dct16.transform(downsample);
    List<PdqHash> hashes = new ArrayList<>(Dihedral.values().length);
    for (Dihedral transform : Dihedral.values()) {
      hashes.add(PdqHash.fromWords(Dct16.bits(Dct16.dihedral(block, transform))));
    }
    return new DihedralResult(hashes, Quality.of(downsample));
  }

  private static void checkRgb(int width, int height, byte[] rgbHwc) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "image dimensions must be positive, got " + width + "x" + height);
    }
    long expected = 3L * width * height;
    if (rgbHwc.length != expected) {
      throw new IllegalArgumentException("expected " + expected + " bytes of RGB for a " + width
          + "x" + height + " image (3 per pixel), got " + rgbHwc.length);
    }
  }
}
