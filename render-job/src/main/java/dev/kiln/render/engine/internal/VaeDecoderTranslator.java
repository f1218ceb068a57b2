package dev.kiln.render.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.kiln.render.engine.GeneratedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Latents to RGB images: divides by the VAE scaling factor into {@code latent_sample}, and maps the
 * decoder's {@code sample} {@code [B, 3, H, W]} in [-1, 1] to bytes as
 * {@code round_half_even(clamp(x / 2 + 0.5, 0, 1) * 255)}, the same as the Python reference.
 */
public final class VaeDecoderTranslator implements NoBatchifyTranslator<Latents, List<GeneratedImage>> {
  public static final String INPUT = "latent_sample";
  public static final String OUTPUT = "sample";

  private final float scalingFactor;

  public VaeDecoderTranslator(float scalingFactor) {
    this.scalingFactor = scalingFactor;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Latents latents) {
    float[] unscaled = new float[latents.values().length];
    for (int i = 0; i < unscaled.length; i++) {
      unscaled[i] = latents.values()[i] / scalingFactor;
    }
    NDArray input = ctx.getNDManager().create(unscaled,
        new Shape(latents.batch(), latents.channels(), latents.height(), latents.width()));
    input.setName(INPUT);
    return new NDList(input);
  }

  @Override
  public List<GeneratedImage> processOutput(TranslatorContext ctx, NDList list) {
    NDArray sample = OnnxOutputs.named(list, OUTPUT);
    Shape s = sample.getShape();
    int batch = (int) s.get(0);
    int channels = (int) s.get(1);
    int height = (int) s.get(2);
    int width = (int) s.get(3);
    if (channels != 3) {
      throw new IllegalStateException("vae_decoder returned " + channels + " channels; expected 3 (RGB)");
    }
    float[] chw = sample.toFloatArray();
    int plane = height * width;
    List<GeneratedImage> images = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      byte[] rgb = new byte[plane * 3];
      int base = b * 3 * plane;
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) {
          float v = chw[base + c * plane + p] / 2 + 0.5f;
          v = Math.max(0f, Math.min(1f, v));
          rgb[p * 3 + c] = (byte) (int) Math.rint(v * 255f);
        }
      }
      images.add(new GeneratedImage(width, height, rgb));
    }
    return images;
  }
}
