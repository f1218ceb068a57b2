package dev.kiln.render.engine.internal;

/** Denoised latents {@code [batch, channels, height, width]}, still multiplied by the VAE scaling factor. */
public record Latents(float[] values, int batch, int channels, int height, int width) {
  public Latents {
    if (values.length != (long) batch * channels * height * width) {
      throw new IllegalArgumentException("latents have " + values.length + " values, expected " + batch + "x"
          + channels + "x" + height + "x" + width);
    }
  }
}
