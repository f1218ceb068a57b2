package dev.kiln.safety.classifier.internal;

/**
 * Bilinear resize with {@code alignCorners = true}, as TensorFlow.js's CPU backend computes
 * {@code tf.image.resizeBilinear(images, size, true)}: the four corner pixels map onto each
 * other exactly, and output pixel {@code (r, c)} samples the source at
 * {@code (r * (inH - 1) / (outH - 1), c * (inW - 1) / (outW - 1))}.
 *
 * <p>Arithmetic follows the TFJS kernel step by step (double precision, float32 inputs and
 * outputs), so the result is bit-identical to what nsfwjs feeds its model.
 */
public final class AlignCornersBilinear {
  private AlignCornersBilinear() {}

  /**
   * Resizes an HWC image.
   *
   * @param src {@code height * width * channels} values, row-major HWC
   * @return {@code outHeight * outWidth * channels} values, row-major HWC
   * @throws IllegalArgumentException when a size is not positive or {@code src} has the wrong length
   */
  public static float[] resize(float[] src, int height, int width, int channels, int outHeight, int outWidth) {
    if (height < 1 || width < 1 || channels < 1 || outHeight < 1 || outWidth < 1) {
      throw new IllegalArgumentException("sizes must be positive: " + height + "x" + width + "x" + channels
          + " -> " + outHeight + "x" + outWidth);
    }
    if (src.length != height * width * channels) {
      throw new IllegalArgumentException("expected " + height * width * channels + " values for " + height + "x"
          + width + "x" + channels + ", got " + src.length);
    }
    // A one-pixel output axis has no second corner to align; TFJS then falls back to the plain ratio.
    double rowRatio = outHeight > 1 ? (double) (height - 1) / (outHeight - 1) : (double) height / outHeight;
    double colRatio = outWidth > 1 ? (double) (width - 1) / (outWidth - 1) : (double) width / outWidth;
    float[] out = new float[outHeight * outWidth * channels];
    int rowStride = width * channels;
    int o = 0;
    for (int r = 0; r < outHeight; r++) {
      double srcRow = rowRatio * r;
      int rowFloor = Math.max(0, (int) Math.floor(srcRow));
      double rowFrac = srcRow - rowFloor;
      int rowCeil = Math.min(height - 1, (int) Math.ceil(srcRow));
      int top = rowFloor * rowStride;
      int bottom = rowCeil * rowStride;
      for (int c = 0; c < outWidth; c++) {
        double srcCol = colRatio * c;
        int colFloor = Math.max(0, (int) Math.floor(srcCol));
        double colFrac = srcCol - colFloor;
        int colCeil = Math.min(width - 1, (int) Math.ceil(srcCol));
        int left = colFloor * channels;
        int right = colCeil * channels;
        for (int d = 0; d < channels; d++) {
          double topLeft = src[top + left + d];
          double topRight = src[top + right + d];
          double bottomLeft = src[bottom + left + d];
          double bottomRight = src[bottom + right + d];
          double upper = topLeft + (topRight - topLeft) * colFrac;
          double lower = bottomLeft + (bottomRight - bottomLeft) * colFrac;
          out[o++] = (float) (upper + (lower - upper) * rowFrac);
        }
      }
    }
    return out;
  }
}
