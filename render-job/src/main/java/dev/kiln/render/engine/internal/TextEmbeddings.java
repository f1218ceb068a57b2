package dev.kiln.render.engine.internal;

/**
 * Text encoder output, row-major {@code [batch, length, dim]}.
 */
public record TextEmbeddings(float[] values, int batch, int length, int dim) {
  public TextEmbeddings {
    if (values.length != (long) batch * length * dim) {
      throw new IllegalArgumentException("expected " + batch + "x" + length + "x" + dim + " values, got " + values.length);
    }
  }
}
