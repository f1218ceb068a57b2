package dev.kiln.safety.pdq.internal;

/** PDQ's image-domain quality score. */
public final class Quality {
  private static final int SIZE = TentDownsampler.SIZE;

  // A hand-tuned heuristic of the reference; changing it makes scores incomparable with other
  // PDQ implementations' quality thresholds.
  private static final int GRADIENT_SUM_PER_POINT = 90;

  private Quality() {}

  /**
   * Returns the quality score, 0..100, of a 64x64 row-major downsample: the sum of the absolute
   * differences between neighbouring cells, each truncated to a whole percent of full scale, so
   * that many tiny gradients (noise, smooth shading) add nothing; divided by 90 and capped at 100.
   */
  public static int of(float[] downsample) {
    int gradientSum = 0;
    for (int i = 0; i < SIZE; i++) {
      for (int j = 0; j < SIZE; j++) {
        float here = downsample[i * SIZE + j];
        if (i + 1 < SIZE) {
          gradientSum += percent(here - downsample[(i + 1) * SIZE + j]);
        }
        if (j + 1 < SIZE) {
          gradientSum += percent(here - downsample[i * SIZE + j + 1]);
        }
      }
    }
    return Math.min(100, gradientSum / GRADIENT_SUM_PER_POINT);
  }

  private static int percent(float difference) {
    return Math.abs((int) (difference * 100 / 255));
  }
}
