package dev.kiln.render.engine.adherence;

import dev.kiln.render.engine.GeneratedImage;
import java.util.Arrays;

/**
 * The procedural colour and shape classifier of kiln-tiny's model card, identical to
 * {@code classify()} in models/kiln-tiny/train/train.py:
 *
 * <ol>
 *   <li>Background: the per-channel median of the 64 pixels in the four corner 4x4 patches.
 *   <li>Each pixel's nearest palette colour ({@link Palette}) by squared RGB distance, first on ties.
 *   <li>Foreground: pixels whose nearest palette colour differs from the background's nearest, and
 *       whose L1 distance from the background exceeds 60.
 *   <li>Fewer than 12 foreground pixels: no shape ({@link Classification#NONE}).
 *   <li>Colour: the most common nearest palette colour among foreground pixels, first on ties.
 *   <li>Shape from the fill ratio of the foreground's bounding box: below 0.64 a triangle (about
 *       0.5), below 0.89 a circle (about 0.785), otherwise a square.
 * </ol>
 */
public final class ShapeClassifier {
  static final int CORNER = 4;
  static final int MIN_FOREGROUND = 12;
  static final double MIN_L1 = 60;

  private ShapeClassifier() {}

  /**
   * What the classifier sees.
   *
   * @param colour null when nothing was found
   * @param shape null when nothing was found
   */
  public record Classification(Palette colour, Shape shape) {
    public static final Classification NONE = new Classification(null, null);

    public boolean found() {
      return colour != null;
    }

    @Override
    public String toString() {
      return found() ? colour.word() + " " + shape.word() : "nothing";
    }
  }

  public static Classification classify(GeneratedImage image) {
    int w = image.width();
    int h = image.height();
    if (w < CORNER || h < CORNER) {
      throw new IllegalArgumentException("image must be at least " + CORNER + "x" + CORNER + ", got " + w + "x" + h);
    }
    double[] bg = new double[3];
    for (int c = 0; c < 3; c++) {
      int[] corners = new int[4 * CORNER * CORNER];
      int k = 0;
      for (int y = 0; y < CORNER; y++) {
        for (int x = 0; x < CORNER; x++) {
          corners[k++] = image.channel(x, y, c);
          corners[k++] = image.channel(w - CORNER + x, y, c);
          corners[k++] = image.channel(x, h - CORNER + y, c);
          corners[k++] = image.channel(w - CORNER + x, h - CORNER + y, c);
        }
      }
      Arrays.sort(corners);
      int mid = corners.length / 2;
      bg[c] = (corners[mid - 1] + corners[mid]) / 2.0; // numpy's median of an even count
    }
    int bgIndex = nearest(bg[0], bg[1], bg[2]);
    boolean[] fg = new boolean[w * h];
    int[] counts = new int[Palette.ALL.size()];
    int total = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = image.channel(x, y, 0);
        int g = image.channel(x, y, 1);
        int b = image.channel(x, y, 2);
        int index = nearest(r, g, b);
        double l1 = Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]);
        if (index != bgIndex && l1 > MIN_L1) {
          fg[y * w + x] = true;
          counts[index]++;
          total++;
        }
      }
    }
    if (total < MIN_FOREGROUND) {
      return Classification.NONE;
    }
    int colour = 0;
    for (int i = 1; i < counts.length; i++) {
      if (counts[i] > counts[colour]) {
        colour = i;
      }
    }
    int minX = w;
    int minY = h;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (fg[y * w + x]) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    double fill = total / (double) ((maxX - minX + 1) * (maxY - minY + 1));
    Shape shape = fill < 0.64 ? Shape.TRIANGLE : fill < 0.89 ? Shape.CIRCLE : Shape.SQUARE;
    return new Classification(Palette.ALL.get(colour), shape);
  }

  private static int nearest(double r, double g, double b) {
    int best = 0;
    double bestDistance = Double.MAX_VALUE;
    for (int i = 0; i < Palette.ALL.size(); i++) {
      Palette p = Palette.ALL.get(i);
      double d = (r - p.r) * (r - p.r) + (g - p.g) * (g - p.g) + (b - p.b) * (b - p.b);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }
}
