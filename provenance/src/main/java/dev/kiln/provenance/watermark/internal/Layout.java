package dev.kiln.provenance.watermark.internal;

/**
 * Where the watermark's bits sit in its tile: a square tile of {@code grid x grid} cells of
 * {@code cell x cell} pixels, repeated over the whole image from its top-left corner. Each cell
 * carries either the sync pattern (a fixed sign) or one coded bit times a fixed sign; the {@link
 * Bch#N} coded bits are spread over the tile in a fixed pseudo-random order, so losing a region of
 * the image costs every bit a little rather than some bits everything.
 *
 * <p>The layout is derived from a fixed seed with SplitMix64, written out here rather than taken
 * from {@link java.util.SplittableRandom}, whose algorithm the JDK does not promise to keep: a mark
 * embedded today must be readable by every later build.
 */
public final class Layout {
  /** Cell index of each cell that carries the sync pattern. */
  final int[] syncCells;
  /** Sign of each sync cell, +1 or -1, in the order of {@link #syncCells}. */
  final int[] syncSigns;
  /** For coded bit k, its cells: {@code bitCells[k * perBit + j]}. */
  final int[] bitCells;
  /** Sign of each cell in {@link #bitCells}. */
  final int[] bitSigns;
  final int perBit;
  final int cell;
  final int grid;

  Layout(int cell, int grid, long seed) {
    this.cell = cell;
    this.grid = grid;
    int cells = grid * grid;
    int[] order = new int[cells];
    for (int i = 0; i < cells; i++) {
      order[i] = i;
    }
    long[] state = {seed};
    for (int i = cells - 1; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(splitMix(state), i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    perBit = cells * 3 / 4 / Bch.N;
    int dataCells = perBit * Bch.N;
    bitCells = new int[dataCells];
    bitSigns = new int[dataCells];
    for (int k = 0; k < Bch.N; k++) {
      for (int j = 0; j < perBit; j++) {
        // Interleave: bit k takes every N-th cell of the shuffled order.
        bitCells[k * perBit + j] = order[j * Bch.N + k];
        bitSigns[k * perBit + j] = sign(state);
      }
    }
    syncCells = new int[cells - dataCells];
    syncSigns = new int[cells - dataCells];
    for (int i = 0; i < syncCells.length; i++) {
      syncCells[i] = order[dataCells + i];
      syncSigns[i] = sign(state);
    }
  }

  int tile() {
    return cell * grid;
  }

  /** The value, +1 or -1, of every cell of the tile for a codeword. */
  double[] cellValues(boolean[] codeword) {
    double[] values = new double[grid * grid];
    for (int i = 0; i < syncCells.length; i++) {
      values[syncCells[i]] = syncSigns[i];
    }
    for (int k = 0; k < Bch.N; k++) {
      int bit = codeword[k] ? 1 : -1;
      for (int j = 0; j < perBit; j++) {
        values[bitCells[k * perBit + j]] = bit * bitSigns[k * perBit + j];
      }
    }
    return values;
  }

  private static int sign(long[] state) {
    return (splitMix(state) & 1) == 0 ? 1 : -1;
  }

  private static long splitMix(long[] state) {
    long z = (state[0] += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
