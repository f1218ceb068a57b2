package dev.kiln.ingest.catalogue;

/** An image size in pixels, written {@code WIDTHxHEIGHT} as in {@code 64x64}. */
public record Size(int width, int height) {

  /**
   * Parses {@code WIDTHxHEIGHT}. Only the syntax is checked here; the request validator checks the
   * range, so the rule lives in one place.
   *
   * @throws IllegalArgumentException for anything else, quoting it
   */
  public static Size parse(String text) {
    String trimmed = text.trim();
    int x = Math.max(trimmed.indexOf('x'), trimmed.indexOf('X'));
    if (x > 0 && x < trimmed.length() - 1) {
      try {
        return new Size(Integer.parseInt(trimmed.substring(0, x)), Integer.parseInt(trimmed.substring(x + 1)));
      } catch (NumberFormatException e) {
        // Falls through to the message that shows the expected form.
      }
    }
    throw new IllegalArgumentException("expected WIDTHxHEIGHT, e.g. 64x64, got \"" + text + "\"");
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
