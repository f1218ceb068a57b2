package dev.kiln.safety.job;

import dev.kiln.safety.classifier.NsfwClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

/** Opens the image classifier named by {@link SafetyJobOptions#CLASSIFIER}. */
final class Classifiers {
  private Classifiers() {}

  /**
   * @param spec "none" for no classifier, an ONNX file, or empty for the shipped NSFW model
   * @param modelsDir where the shipped model lives
   * @param threads ONNX Runtime intra-op threads per classification, 0 for its default
   * @return null only for "none"
   */
  static ImageClassifier open(String spec, String modelsDir, int threads) {
    if ("none".equalsIgnoreCase(spec.trim())) {
      return null;
    }
    Path file = spec.isBlank() ? Path.of(modelsDir, "nsfw-mobilenet-v2", "model.onnx") : Path.of(spec);
    NsfwClassifier nsfw = NsfwClassifier.load(file, threads);
    return new ImageClassifier() {
      @Override
      public Map<String, Double> classify(BufferedImage image) {
        return nsfw.classify(image);
      }

      @Override
      public String sha256() {
        return nsfw.sha256();
      }

      @Override
      public void close() {
        nsfw.close();
      }
    };
  }
}
