package dev.kiln.safety.classifier;

/**
 * A classifier model that cannot be loaded: a missing or unreadable file, a file ONNX Runtime
 * cannot parse, or a graph that does not take and return what the classifier expects. The
 * message names the file.
 */
public class ClassifierLoadException extends RuntimeException {
  public ClassifierLoadException(String message) {
    super(message);
  }

  public ClassifierLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
