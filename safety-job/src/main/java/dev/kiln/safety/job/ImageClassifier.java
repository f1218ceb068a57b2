package dev.kiln.safety.job;

import java.awt.image.BufferedImage;
import java.util.Map;

/** Scores an image per class; the moderation job applies a tenant's thresholds to the scores. */
public interface ImageClassifier extends AutoCloseable {
  /** Every class's score in [0, 1], in the classifier's class order. */
  Map<String, Double> classify(BufferedImage image);

  /** sha256 of the model file, recorded in every verdict. */
  String sha256();

  @Override
  void close();
}
