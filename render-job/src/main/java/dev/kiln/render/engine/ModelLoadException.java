package dev.kiln.render.engine;

/**
 * A model directory that cannot be loaded: a missing or unreadable file, a tensor with an
 * unexpected name or type, an unsupported scheduler setting, or a runtime that fails to start.
 * The message names the file (relative to the model directory) and what was expected.
 */
public class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
