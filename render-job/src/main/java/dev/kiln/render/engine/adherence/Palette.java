package dev.kiln.render.engine.adherence;

import java.util.List;

/** kiln-tiny's training palette, in the order of {@code COLOURS} in models/kiln-tiny/train/scenes.py. */
public enum Palette {
  RED(220, 30, 30),
  ORANGE(245, 140, 20),
  YELLOW(245, 225, 30),
  GREEN(40, 170, 50),
  BLUE(30, 70, 225),
  PURPLE(140, 40, 180),
  WHITE(245, 245, 245),
  BLACK(15, 15, 15);

  public static final List<Palette> ALL = List.of(values());

  public final int r;
  public final int g;
  public final int b;

  Palette(int r, int g, int b) {
    this.r = r;
    this.g = g;
    this.b = b;
  }

  /** The word used in captions, e.g. {@code "red"}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
