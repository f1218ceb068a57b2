package dev.kiln.ingest.internal;

import java.io.IOException;

/** A catalogue file that cannot be read as rows at all from some point on. */
public final class MalformedCatalogueException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final int column;

  /**
   * @param line 1-based line where the problem starts
   * @param column 1-based column, 0 when it concerns the whole line
   */
  public MalformedCatalogueException(int line, int column, String message) {
    super(message);
    this.line = line;
    this.column = column;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
