package dev.kiln.render.engine;

/** A batch that failed inside the runtime (ONNX Runtime or DJL); every image of the batch is lost. */
public class GenerationException extends RuntimeException {
  public GenerationException(String message, Throwable cause) {
    super(message, cause);
  }
}
