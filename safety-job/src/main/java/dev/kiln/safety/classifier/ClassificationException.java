package dev.kiln.safety.classifier;

/** ONNX Runtime failed while classifying an image with a model that loaded. */
public class ClassificationException extends RuntimeException {
  public ClassificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
