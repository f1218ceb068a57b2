package dev.kiln.render.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Latents to decoded images: divides by the VAE scaling factor into {@code latent_sample} and returns
 * the decoder's {@code sample} {@code [B, 3, H, W]} (about [-1, 1]) as float32; {@link
 * DecodedImages#toImages()} makes the RGB bytes.
 */
public final class VaeDecoderTranslator implements NoBatchifyTranslator<Latents, DecodedImages> {
  public static final String INPUT = "latent_sample";
  public static final String OUTPUT = "sample";

  private final float scalingFactor;
  private final int inputType;

  /**
   * @param inputType ONNX element type of {@code latent_sample}, float32 or float16 (see {@link
   *     OnnxGraphInfo.TensorSpec}); the output may be either
   */
  public VaeDecoderTranslator(float scalingFactor, int inputType) {
    this.scalingFactor = scalingFactor;
    this.inputType = inputType;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Latents latents) {
    float[] unscaled = new float[latents.values().length];
    for (int i = 0; i < unscaled.length; i++) {
      unscaled[i] = latents.values()[i] / scalingFactor;
    }
    NDArray input = FloatTensors.create(ctx.getNDManager(), unscaled,
        new Shape(latents.batch(), latents.channels(), latents.height(), latents.width()), inputType);
    input.setName(INPUT);
    return new NDList(input);
  }

  @Override
  public DecodedImages processOutput(TranslatorContext ctx, NDList list) {
    NDArray sample = OnnxOutputs.named(list, OUTPUT);
    Shape s = sample.getShape();
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new IllegalStateException("vae_decoder returned sample of shape " + s + "; expected [batch, 3, height, "
          + "width] (RGB)");
    }
    return new DecodedImages(FloatTensors.toFloats(sample), (int) s.get(0), (int) s.get(2), (int) s.get(3));
  }
}
