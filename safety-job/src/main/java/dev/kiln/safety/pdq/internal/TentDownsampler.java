package dev.kiln.safety.pdq.internal;

/**
 * Blurs a luminance plane with a tent filter and samples it down to 64x64, as PDQ does before the
 * DCT.
 *
 * <p>The tent filter is built as in Jarosz, "Fast Image Convolutions" (SIGGRAPH 2001): two rounds
 * of a horizontal then a vertical 1-D box filter. Each box window is 1/128 of the image dimension,
 * so the two rounds together cover one 64th, i.e. one output cell.
 */
public final class TentDownsampler {
  /** Side of the downsampled square. */
  public static final int SIZE = 64;

  private static final int ROUNDS = 2;
  private static final int WINDOW_DIVISOR = 2 * SIZE;

  private TentDownsampler() {}

  /**
   * Returns the 64x64 row-major downsample of {@code luma} ({@code height x width}, row-major).
   * {@code luma} is used as scratch space and is overwritten.
   */
  public static float[] downsample(float[] luma, int width, int height) {
    int windowAlongRows = windowSize(width);
    int windowAlongColumns = windowSize(height);
    float[] scratch = new float[luma.length];
    for (int round = 0; round < ROUNDS; round++) {
      boxRows(luma, scratch, width, height, windowAlongRows);
      boxColumns(scratch, luma, width, height, windowAlongColumns);
    }
    return decimate(luma, width, height);
  }

  /** Returns the box window size for an image dimension: one 128th of it, rounded up. */
  public static int windowSize(int dimension) {
    return (dimension + WINDOW_DIVISOR - 1) / WINDOW_DIVISOR;
  }

  // A window of w values covers `behind` values before the output position and `ahead` after it.
  // For an even window the extra value goes ahead; the reference places it the same way, and the
  // hash depends on it. Near the ends the window is cut off and the average is over what remains.

  private static int ahead(int window) {
    return window / 2;
  }

  private static int behind(int window) {
    return window - 1 - window / 2;
  }

  private static int count(int position, int length, int window) {
    return Math.min(position + ahead(window), length - 1) - Math.max(position - behind(window), 0)
        + 1;
  }

  /** Box-filters each row of {@code in} (row-major, {@code height x width}) into {@code out}. */
  static void boxRows(float[] in, float[] out, int width, int height, int window) {
    int ahead = ahead(window);
    int behind = behind(window);
    for (int y = 0; y < height; y++) {
      int row = y * width;
      float sum = 0;
      for (int x = 0; x < Math.min(ahead, width); x++) {
        sum += in[row + x];
      }
      for (int x = 0; x < width; x++) {
        if (x + ahead < width) {
          sum += in[row + x + ahead];
        }
        if (x - behind - 1 >= 0) {
          sum -= in[row + x - behind - 1];
        }
        out[row + x] = sum / count(x, width, window);
      }
    }
  }

  /**
   * Box-filters each column of {@code in} into {@code out}. The same arithmetic as {@link
   * #boxRows}, in the same order per column, but swept a whole row at a time: walking down one
   * column at a time strides through memory and took twice as long on a 512x512 image.
   */
  static void boxColumns(float[] in, float[] out, int width, int height, int window) {
    int ahead = ahead(window);
    int behind = behind(window);
    float[] sums = new float[width];
    for (int y = 0; y < Math.min(ahead, height); y++) {
      addRow(sums, in, y * width);
    }
    for (int y = 0; y < height; y++) {
      if (y + ahead < height) {
        addRow(sums, in, (y + ahead) * width);
      }
      if (y - behind - 1 >= 0) {
        subtractRow(sums, in, (y - behind - 1) * width);
      }
      int count = count(y, height, window);
      int row = y * width;
      for (int x = 0; x < width; x++) {
        out[row + x] = sums[x] / count;
      }
    }
  }

  private static void addRow(float[] sums, float[] in, int offset) {
    for (int x = 0; x < sums.length; x++) {
      sums[x] += in[offset + x];
    }
  }

  private static void subtractRow(float[] sums, float[] in, int offset) {
    for (int x = 0; x < sums.length; x++) {
      sums[x] -= in[offset + x];
    }
  }

  /** Samples the centre of each of the 64x64 cells the image divides into. */
  static float[] decimate(float[] plane, int width, int height) {
    float[] out = new float[SIZE * SIZE];
    for (int i = 0; i < SIZE; i++) {
      int y = (int) ((i + 0.5) * height / SIZE);
      for (int j = 0; j < SIZE; j++) {
        int x = (int) ((j + 0.5) * width / SIZE);
        out[i * SIZE + j] = plane[y * width + x];
      }
    }
    return out;
  }
}
