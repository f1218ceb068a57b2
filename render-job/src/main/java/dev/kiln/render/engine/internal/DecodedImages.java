package dev.kiln.render.engine.internal;

import dev.kiln.render.engine.GeneratedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The VAE decoder's output: {@code batch} images, channel-major {@code [B, 3, height, width]}, in about
 * [-1, 1].
 */
public record DecodedImages(float[] values, int batch, int height, int width) {
  public DecodedImages {
    if (values.length != (long) batch * 3 * height * width) {
      throw new IllegalArgumentException("decoded images have " + values.length + " values, expected " + batch
          + "x3x" + height + "x" + width);
    }
  }

  /** Image {@code i}'s values, {@code [3, height, width]}. */
  public float[] image(int i) {
    int size = 3 * height * width;
    float[] out = new float[size];
    System.arraycopy(values, i * size, out, 0, size);
    return out;
  }

  /**
   * RGB bytes as {@code round_half_even(clamp(x / 2 + 0.5, 0, 1) * 255)}, the same as the Python
   * reference.
   */
  public List<GeneratedImage> toImages() {
    int plane = height * width;
    List<GeneratedImage> images = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      byte[] rgb = new byte[plane * 3];
      int base = b * 3 * plane;
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) {
          float v = values[base + c * plane + p] / 2 + 0.5f;
          v = Math.max(0f, Math.min(1f, v));
          rgb[p * 3 + c] = (byte) (int) Math.rint(v * 255f);
        }
      }
      images.add(new GeneratedImage(width, height, rgb));
    }
    return images;
  }
}
