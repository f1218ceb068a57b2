package dev.kiln.provenance.watermark.internal;

/**
 * The watermark's signal processing, on luma arrays: embedding adds a tiled pattern of cells of
 * +-strength to the luma (the same amount to R, G and B, so chroma is untouched); reading removes
 * the image's own low frequencies, folds the image onto one tile, finds where the tile starts with
 * the sync cells and reads the coded bits' soft values there.
 *
 * <p>Why a folded tile and large cells: a crop only moves where the tiling starts, which the
 * search over every start position undoes; cells of several pixels keep the pattern's energy in
 * frequencies that JPEG quantizes finely and that survive halving the image. Why square cells and
 * not a smooth pattern: at the same PSNR, bilinearly interpolated cells decoded worse under every
 * attack (their energy sits lower, where the image itself is strong); see docs/watermark.md.
 * Why a tight clip: a residual pixel beyond +-3 levels is an edge or texture, not the mark, and
 * letting it count in full halved the accuracy on textured images.
 */
public final class SpreadSpectrum {
  /**
   * @param cell cell size in pixels
   * @param grid cells per tile side
   * @param strength luma change per pixel, in whole 8-bit levels so that every pixel of a cell
   *     moves by the same amount after rounding
   * @param blurRadius radius of the box blur whose output reading subtracts from the luma
   * @param clip bound on the residual a single pixel contributes, so edges do not drown the mark
   * @param seed layout seed
   * @param median subtract the 3x3 median instead of the box blur (blurRadius unused): for cells
   *     of 1 and 2 pixels, where a mean lets the image's edges through and a median keeps them out
   *     (at 64x64 with 2-pixel cells, 92 of 100 mixed test images read untouched against 80)
   */
  public record Params(int cell, int grid, int strength, int blurRadius, double clip, long seed, boolean median) {
    /** Parameters that subtract the box blur's mean. */
    public Params(int cell, int grid, int strength, int blurRadius, double clip, long seed) {
      this(cell, grid, strength, blurRadius, clip, seed, false);
    }
  }

  /** Where reading found the tile and what it read there. */
  public record Reading(double[] soft, double syncScore, int offsetX, int offsetY) {
    /** Hard decisions of the soft values: true where positive. */
    public boolean[] bits() {
      boolean[] bits = new boolean[soft.length];
      for (int i = 0; i < soft.length; i++) {
        bits[i] = soft[i] > 0;
      }
      return bits;
    }
  }

  private final Params params;
  private final Layout layout;

  public SpreadSpectrum(Params params) {
    this.params = params;
    this.layout = new Layout(params.cell(), params.grid(), params.seed());
  }

  public Params params() {
    return params;
  }

  /** Tile side in pixels. */
  public int tile() {
    return layout.tile();
  }

  /** A copy of {@code argb} with the codeword's pattern added to every pixel's R, G and B. */
  public int[] embed(int[] argb, int width, int height, boolean[] codeword) {
    int[] levels = levels(codeword);
    int[] column = columns(width);
    int grid = params.grid();
    int[] out = new int[argb.length];
    for (int y = 0; y < height; y++) {
      int row = ((y / params.cell()) % grid) * grid;
      for (int x = 0; x < width; x++) {
        int d = levels[row + column[x]];
        int p = argb[y * width + x];
        int r = clamp(((p >> 16) & 0xFF) + d);
        int g = clamp(((p >> 8) & 0xFF) + d);
        int b = clamp((p & 0xFF) + d);
        out[y * width + x] = (p & 0xFF000000) | (r << 16) | (g << 8) | b;
      }
    }
    return out;
  }

  /**
   * As {@link #embed(int[], int, int, boolean[])} on interleaved 8-bit RGB ({@code width * height
   * * 3} bytes, row by row): the same pixels give the same pattern, with no detour through packed
   * ints.
   */
  public byte[] embedRgb(byte[] rgb, int width, int height, boolean[] codeword) {
    return shiftRgb(rgb, width, height, codeword, 1);
  }

  /** The inverse of {@link #embedRgb}: subtracts the codeword's pattern (clipping at 0 and 255). */
  public byte[] removeRgb(byte[] rgb, int width, int height, boolean[] codeword) {
    return shiftRgb(rgb, width, height, codeword, -1);
  }

  private byte[] shiftRgb(byte[] rgb, int width, int height, boolean[] codeword, int sign) {
    int[] levels = levels(codeword);
    int[] column = columns(width);
    int grid = params.grid();
    byte[] out = new byte[rgb.length];
    int i = 0;
    for (int y = 0; y < height; y++) {
      int row = ((y / params.cell()) % grid) * grid;
      for (int x = 0; x < width; x++) {
        int d = sign * levels[row + column[x]];
        out[i] = (byte) clamp((rgb[i] & 0xFF) + d);
        out[i + 1] = (byte) clamp((rgb[i + 1] & 0xFF) + d);
        out[i + 2] = (byte) clamp((rgb[i + 2] & 0xFF) + d);
        i += 3;
      }
    }
    return out;
  }

  /** The luma change of every cell of the tile for {@code codeword}, in levels. */
  private int[] levels(boolean[] codeword) {
    double[] values = layout.cellValues(codeword);
    int[] levels = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      levels[i] = (int) values[i] * params.strength();
    }
    return levels;
  }

  /** The tile column of every image column. */
  private int[] columns(int width) {
    int[] column = new int[width];
    for (int x = 0; x < width; x++) {
      column[x] = (x / params.cell()) % params.grid();
    }
    return column;
  }

  /** Reads the mark from a luma image (values 0..255, row-major). */
  public Reading read(double[] luma, int width, int height) {
    int tile = layout.tile();
    int cell = params.cell();
    int grid = params.grid();
    double[] fold = fold(residual(luma, width, height), width, height, tile);

    // Cell sums at each sub-cell phase, stored twice over in each direction so that a cyclic
    // shift needs no modulo in the inner loop.
    int g2 = 2 * grid;
    double[][] sums = new double[cell * cell][];
    for (int qy = 0; qy < cell; qy++) {
      for (int qx = 0; qx < cell; qx++) {
        double[] d = new double[g2 * g2];
        for (int i = 0; i < grid; i++) {
          for (int j = 0; j < grid; j++) {
            double s = 0;
            for (int a = 0; a < cell; a++) {
              int row = ((i * cell + qy + a) % tile) * tile;
              for (int b = 0; b < cell; b++) {
                s += fold[row + (j * cell + qx + b) % tile];
              }
            }
            d[i * g2 + j] = s;
            d[(i + grid) * g2 + j] = s;
            d[i * g2 + j + grid] = s;
            d[(i + grid) * g2 + j + grid] = s;
          }
        }
        sums[qy * cell + qx] = d;
      }
    }
    int[] syncIndex = new int[layout.syncCells.length];
    for (int i = 0; i < syncIndex.length; i++) {
      syncIndex[i] = (layout.syncCells[i] / grid) * g2 + layout.syncCells[i] % grid;
    }
    int[] syncSigns = layout.syncSigns;
    double best = Double.NEGATIVE_INFINITY;
    int bestPhase = 0;
    int bestShift = 0;
    double sum = 0;
    double sumSq = 0;
    for (int phase = 0; phase < cell * cell; phase++) {
      double[] d = sums[phase];
      for (int sy = 0; sy < grid; sy++) {
        for (int sx = 0; sx < grid; sx++) {
          int base = sy * g2 + sx;
          double c = 0;
          for (int i = 0; i < syncIndex.length; i++) {
            c += syncSigns[i] * d[base + syncIndex[i]];
          }
          sum += c;
          sumSq += c * c;
          if (c > best) {
            best = c;
            bestPhase = phase;
            bestShift = base;
          }
        }
      }
    }
    int count = cell * cell * grid * grid;
    double mean = sum / count;
    double sd = Math.sqrt(Math.max(sumSq / count - mean * mean, 1e-12));

    double[] d = sums[bestPhase];
    double[] soft = new double[Bch.N];
    for (int k = 0; k < Bch.N; k++) {
      double s = 0;
      for (int j = 0; j < layout.perBit; j++) {
        int c = layout.bitCells[k * layout.perBit + j];
        s += layout.bitSigns[k * layout.perBit + j] * d[bestShift + (c / grid) * g2 + c % grid];
      }
      soft[k] = s;
    }
    // The tile's cell (0, 0) lies at fold position p = q + s * cell: the tiling starts at p.
    int py = bestPhase / cell + (bestShift / g2) * cell;
    int px = bestPhase % cell + (bestShift % g2) * cell;
    return new Reading(soft, (best - mean) / sd, Math.floorMod(px, tile), Math.floorMod(py, tile));
  }

  /**
   * Luma minus the median of its 3x3 neighbourhood (itself included; fewer pixels at the border),
   * bounded by {@link Params#clip()}.
   */
  private double[] medianResidual(double[] luma, int width, int height) {
    double clip = params.clip();
    double[] out = new double[luma.length];
    double[] window = new double[9];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int n = 0;
        for (int yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
          for (int xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
            // Insertion sort as it fills: at most 9 values.
            double v = luma[yy * width + xx];
            int i = n++;
            while (i > 0 && window[i - 1] > v) {
              window[i] = window[i - 1];
              i--;
            }
            window[i] = v;
          }
        }
        double median = (n & 1) == 1 ? window[n / 2] : (window[n / 2 - 1] + window[n / 2]) / 2;
        out[y * width + x] = Math.max(-clip, Math.min(clip, luma[y * width + x] - median));
      }
    }
    return out;
  }

  /** Luma minus its local mean, each pixel's value bounded by {@link Params#clip()}. */
  private double[] residual(double[] luma, int width, int height) {
    if (params.median()) {
      return medianResidual(luma, width, height);
    }
    int r = params.blurRadius();
    // Integral image, one row and column of zeros in front.
    int w1 = width + 1;
    double[] integral = new double[w1 * (height + 1)];
    for (int y = 0; y < height; y++) {
      double row = 0;
      for (int x = 0; x < width; x++) {
        row += luma[y * width + x];
        integral[(y + 1) * w1 + x + 1] = integral[y * w1 + x + 1] + row;
      }
    }
    double clip = params.clip();
    double[] out = new double[luma.length];
    for (int y = 0; y < height; y++) {
      int y0 = Math.max(0, y - r);
      int y1 = Math.min(height, y + r + 1);
      for (int x = 0; x < width; x++) {
        int x0 = Math.max(0, x - r);
        int x1 = Math.min(width, x + r + 1);
        double s = integral[y1 * w1 + x1] - integral[y0 * w1 + x1] - integral[y1 * w1 + x0] + integral[y0 * w1 + x0];
        double v = luma[y * width + x] - s / ((y1 - y0) * (x1 - x0));
        out[y * width + x] = Math.max(-clip, Math.min(clip, v));
      }
    }
    return out;
  }

  private static double[] fold(double[] residual, int width, int height, int tile) {
    double[] fold = new double[tile * tile];
    for (int y = 0; y < height; y++) {
      int row = (y % tile) * tile;
      for (int x = 0; x < width; x++) {
        fold[row + x % tile] += residual[y * width + x];
      }
    }
    return fold;
  }

  /** BT.601 luma of packed RGB pixels. */
  public static double[] luma(int[] argb) {
    double[] y = new double[argb.length];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      y[i] = 0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF);
    }
    return y;
  }

  /** Bilinear resampling of a luma image to {@code newWidth x newHeight}, pixel centres aligned. */
  public static double[] resample(double[] luma, int width, int height, int newWidth, int newHeight) {
    double[] out = new double[newWidth * newHeight];
    double fx = (double) width / newWidth;
    double fy = (double) height / newHeight;
    for (int y = 0; y < newHeight; y++) {
      double sy = Math.max(0, Math.min(height - 1, (y + 0.5) * fy - 0.5));
      int y0 = (int) sy;
      int y1 = Math.min(height - 1, y0 + 1);
      double ty = sy - y0;
      for (int x = 0; x < newWidth; x++) {
        double sx = Math.max(0, Math.min(width - 1, (x + 0.5) * fx - 0.5));
        int x0 = (int) sx;
        int x1 = Math.min(width - 1, x0 + 1);
        double tx = sx - x0;
        double top = luma[y0 * width + x0] * (1 - tx) + luma[y0 * width + x1] * tx;
        double bottom = luma[y1 * width + x0] * (1 - tx) + luma[y1 * width + x1] * tx;
        out[y * newWidth + x] = top * (1 - ty) + bottom * ty;
      }
    }
    return out;
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(255, v);
  }
}
