package dev.kiln.safety.classifier.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nsfwjs's preprocessing and output mapping around the converted MobileNetV2.
 *
 * <p>In: an image of any size; pixels / 255, then, unless it is already {@value #SIZE}x{@value
 * #SIZE}, an align-corners bilinear resize to that size, into {@code input} float32
 * {@code [1, 224, 224, 3]} (NHWC). Out: {@code probabilities} {@code [1, 5]} (softmax) as class
 * name to probability, in the model's class order.
 */
public final class NsfwTranslator implements NoBatchifyTranslator<BufferedImage, Map<String, Double>> {
  public static final int SIZE = 224;
  public static final String INPUT = "input";
  public static final String OUTPUT = "probabilities";

  private final List<String> classes;

  public NsfwTranslator(List<String> classes) {
    this.classes = List.copyOf(classes);
  }

  /** The model input for {@code image}: NHWC {@code [1, 224, 224, 3]} in [0, 1], flattened. */
  public static float[] toInput(BufferedImage image) {
    float[] rgb = RgbPixels.unitRgb(image);
    int height = image.getHeight();
    int width = image.getWidth();
    // nsfwjs skips the resize at 224x224; an align-corners resize to the same size is the identity anyway.
    if (height == SIZE && width == SIZE) {
      return rgb;
    }
    return AlignCornersBilinear.resize(rgb, height, width, 3, SIZE, SIZE);
  }

  @Override
  public NDList processInput(TranslatorContext ctx, BufferedImage image) {
    NDArray input = ctx.getNDManager().create(toInput(image), new Shape(1, SIZE, SIZE, 3));
    input.setName(INPUT);
    return new NDList(input);
  }

  @Override
  public Map<String, Double> processOutput(TranslatorContext ctx, NDList list) {
    NDArray output = list.size() == 1 ? list.singletonOrThrow() : list.get(OUTPUT);
    if (output == null) {
      throw new IllegalStateException("the model has no output named " + OUTPUT);
    }
    float[] probabilities = output.toFloatArray();
    if (probabilities.length != classes.size()) {
      throw new IllegalStateException("the model returned " + probabilities.length + " values " + output.getShape()
          + "; expected " + classes.size() + " class probabilities " + classes);
    }
    Map<String, Double> byClass = new LinkedHashMap<>();
    for (int i = 0; i < probabilities.length; i++) {
      byClass.put(classes.get(i), (double) probabilities[i]);
    }
    return byClass;
  }
}
