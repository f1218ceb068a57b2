package dev.kiln.safety.pdq.internal;

import dev.kiln.safety.pdq.Dihedral;
import java.util.Arrays;

/**
 * The low-frequency 16x16 block of the 2-D DCT-II of a 64x64 downsample, its dihedral
 * transforms, and its reduction to 256 bits.
 *
 * <p>Coefficient {@code (u, v)} of the block is DCT frequency {@code (u + 1, v + 1)}: as in the
 * reference, frequency 0 along either axis is left out, so the hash does not see overall
 * brightness.
 */
public final class Dct16 {
  /** Side of the coefficient block. */
  public static final int SIZE = 16;

  private static final int N = TentDownsampler.SIZE;

  /** Row {@code u}: basis function of frequency {@code u + 1} sampled at the 64 cell centres. */
  private static final float[] BASIS = basis();

  private Dct16() {}

  private static float[] basis() {
    float[] basis = new float[SIZE * N];
    double scale = Math.sqrt(2.0 / N);
    for (int u = 0; u < SIZE; u++) {
      for (int x = 0; x < N; x++) {
        basis[u * N + x] = (float) (scale * Math.cos(Math.PI / (2.0 * N) * (u + 1) * (2 * x + 1)));
      }
    }
    return basis;
  }

  /** Returns the 16x16 row-major block {@code BASIS * image * BASIS^T} of a 64x64 image. */
  public static float[] transform(float[] image) {
    // Only the 16 wanted frequencies are computed in each pass; a fast full 64-point DCT would do
    // more work than these ~82k multiplications.
    float[] vertical = new float[SIZE * N];
    for (int u = 0; u < SIZE; u++) {
      for (int x = 0; x < N; x++) {
        float sum = 0;
        for (int y = 0; y < N; y++) {
          sum += BASIS[u * N + y] * image[y * N + x];
        }
        vertical[u * N + x] = sum;
      }
    }
    float[] block = new float[SIZE * SIZE];
    for (int u = 0; u < SIZE; u++) {
      for (int v = 0; v < SIZE; v++) {
        float sum = 0;
        for (int x = 0; x < N; x++) {
          sum += vertical[u * N + x] * BASIS[v * N + x];
        }
        block[u * SIZE + v] = sum;
      }
    }
    return block;
  }

  /**
   * Returns the coefficient block the image would have had after {@code transform}, without
   * going back to pixels.
   *
   * <p>Mirroring an image along one axis multiplies every odd frequency along that axis by -1 and
   * leaves even ones alone; since block index {@code k} is frequency {@code k + 1}, that negates
   * the even indices. Swapping the axes transposes the block. Each of the eight transforms is a
   * transpose or not followed by negating the even rows, the even columns, both or neither.
   */
  public static float[] dihedral(float[] block, Dihedral transform) {
    return switch (transform) {
      case ORIGINAL -> block.clone();
      case ROTATE_90 -> signFlip(block, true, true, false);
      case ROTATE_180 -> signFlip(block, false, true, true);
      case ROTATE_270 -> signFlip(block, true, false, true);
      case FLIP_X -> signFlip(block, false, true, false);
      case FLIP_Y -> signFlip(block, false, false, true);
      case FLIP_PLUS_1 -> signFlip(block, true, false, false);
      case FLIP_MINUS_1 -> signFlip(block, true, true, true);
    };
  }

  private static float[] signFlip(
      float[] block, boolean transpose, boolean negateEvenRows, boolean negateEvenColumns) {
    float[] out = new float[SIZE * SIZE];
    for (int row = 0; row < SIZE; row++) {
      for (int column = 0; column < SIZE; column++) {
        float value = transpose ? block[column * SIZE + row] : block[row * SIZE + column];
        boolean negate = (negateEvenRows && row % 2 == 0) ^ (negateEvenColumns && column % 2 == 0);
        out[row * SIZE + column] = negate ? -value : value;
      }
    }
    return out;
  }

  /**
   * Returns the 256 hash bits of a block as four words in {@link
   * dev.kiln.safety.pdq.PdqHash#fromWords} order: bit {@code 16 * u + v} is set when coefficient
   * {@code (u, v)} is strictly greater than the lower median (the 128th smallest) of the block.
   */
  public static long[] bits(float[] block) {
    float[] sorted = block.clone();
    Arrays.sort(sorted);
    float median = sorted[sorted.length / 2 - 1];
    long[] words = new long[4];
    for (int k = 0; k < block.length; k++) {
      if (block[k] > median) {
        words[3 - (k >>> 6)] |= 1L << (k & 63);
      }
    }
    return words;
  }
}
