package dev.kiln.render.engine.adherence;

/** The shapes of kiln-tiny's scenes, in scenes.py's order. */
public enum Shape {
  CIRCLE, SQUARE, TRIANGLE;

  /** The word used in captions, e.g. {@code "circle"}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
