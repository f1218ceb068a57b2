package dev.kiln.render.engine.adherence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.adherence.ShapeClassifier.Classification;
import org.junit.jupiter.api.Test;

/** Ground-truth scenes drawn as scenes.py's {@code draw} does (4x supersampled edges). */
class ShapeClassifierTest {
  static GeneratedImage draw(Shape shape, Palette colour, Palette background, double r, double cx, double cy, int side) {
    int ss = 4;
    int n = side * ss;
    double[] sum = new double[side * side * 3];
    for (int py = 0; py < n; py++) {
      for (int px = 0; px < n; px++) {
        double x = (px + 0.5) / n;
        double y = (py + 0.5) / n;
        boolean inside = switch (shape) {
          case CIRCLE -> (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
          case SQUARE -> Math.abs(x - cx) <= r * 0.9 && Math.abs(y - cy) <= r * 0.9;
          case TRIANGLE -> y >= cy - r && y <= cy + r && Math.abs(x - cx) <= (y - (cy - r)) / (2 * r) * r;
        };
        Palette p = inside ? colour : background;
        int o = ((py / ss) * side + px / ss) * 3;
        sum[o] += p.r;
        sum[o + 1] += p.g;
        sum[o + 2] += p.b;
      }
    }
    byte[] rgb = new byte[sum.length];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) Math.min(255, (int) (sum[i] / (ss * ss) + 0.5));
    }
    return new GeneratedImage(side, side, rgb);
  }

  @Test
  void recognisesLargeShapesInEveryPosition() {
    assertThat(ShapeClassifier.classify(draw(Shape.CIRCLE, Palette.RED, Palette.BLUE, 0.3, 0.5, 0.5, 64)))
        .isEqualTo(new Classification(Palette.RED, Shape.CIRCLE));
    assertThat(ShapeClassifier.classify(draw(Shape.SQUARE, Palette.WHITE, Palette.BLACK, 0.28, 0.3, 0.5, 64)))
        .isEqualTo(new Classification(Palette.WHITE, Shape.SQUARE));
    assertThat(ShapeClassifier.classify(draw(Shape.TRIANGLE, Palette.YELLOW, Palette.PURPLE, 0.3, 0.5, 0.7, 64)))
        .isEqualTo(new Classification(Palette.YELLOW, Shape.TRIANGLE));
  }

  @Test
  void recognisesSmallShapesOnSimilarBackgrounds() {
    assertThat(ShapeClassifier.classify(draw(Shape.CIRCLE, Palette.ORANGE, Palette.YELLOW, 0.15, 0.7, 0.5, 64)))
        .isEqualTo(new Classification(Palette.ORANGE, Shape.CIRCLE));
    assertThat(ShapeClassifier.classify(draw(Shape.TRIANGLE, Palette.GREEN, Palette.WHITE, 0.14, 0.5, 0.3, 64)))
        .isEqualTo(new Classification(Palette.GREEN, Shape.TRIANGLE));
    assertThat(ShapeClassifier.classify(draw(Shape.SQUARE, Palette.BLACK, Palette.BLUE, 0.13, 0.5, 0.5, 64)))
        .isEqualTo(new Classification(Palette.BLACK, Shape.SQUARE));
  }

  @Test
  void plainImageShowsNothing() {
    GeneratedImage plain = draw(Shape.CIRCLE, Palette.RED, Palette.RED, 0.3, 0.5, 0.5, 64);
    assertThat(ShapeClassifier.classify(plain)).isEqualTo(Classification.NONE);
    assertThat(ShapeClassifier.classify(plain).found()).isFalse();
  }
}
