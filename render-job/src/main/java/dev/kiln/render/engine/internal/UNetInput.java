package dev.kiln.render.engine.internal;

/**
 * One UNet evaluation: latents {@code [batch, channels, height, width]} at one timestep, and the
 * text context for each batch row.
 */
public record UNetInput(float[] sample, int batch, int channels, int height, int width, float timestep,
    TextEmbeddings context) {
  public UNetInput {
    if (sample.length != (long) batch * channels * height * width) {
      throw new IllegalArgumentException("sample has " + sample.length + " values, expected " + batch + "x" + channels
          + "x" + height + "x" + width);
    }
    if (context.batch() != batch) {
      throw new IllegalArgumentException("context batch " + context.batch() + " differs from sample batch " + batch);
    }
  }
}
