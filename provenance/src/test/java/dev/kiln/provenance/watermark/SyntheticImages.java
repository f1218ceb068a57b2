package dev.kiln.provenance.watermark;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Procedural test images that look like renders: a gradient sky or backdrop, soft low-frequency
 * "clouds", shaded shapes, a line of text, and sensor-like grain; some are blurred (smooth renders),
 * some carry fine texture (fabric, foliage). The same seed gives the same image.
 */
final class SyntheticImages {
  private static final String[] WORDS = {"KILN", "Sale 50%", "Summer", "new", "Coffee & Co", "2026", "Launch",
      "Fresh", "aurora", "Берег", "夏"};

  private SyntheticImages() {}

  static BufferedImage generate(long seed, int width, int height) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(rnd.nextInt(width), 0, color(rnd), rnd.nextInt(width), height, color(rnd)));
    g.fillRect(0, 0, width, height);
    clouds(img, rnd, 20 + rnd.nextInt(60));
    int shapes = 2 + rnd.nextInt(8);
    for (int i = 0; i < shapes; i++) {
      shape(g, rnd, width, height);
    }
    if (rnd.nextInt(3) > 0) {
      g.setColor(color(rnd));
      g.setFont(new Font(rnd.nextBoolean() ? Font.SANS_SERIF : Font.SERIF, rnd.nextInt(3), 12 + rnd.nextInt(height / 6)));
      g.drawString(WORDS[rnd.nextInt(WORDS.length)], rnd.nextInt(width / 2), 20 + rnd.nextInt(height - 20));
    }
    g.dispose();
    int style = rnd.nextInt(4);
    if (style == 0) {
      blur(img, 1 + rnd.nextInt(2));
    } else if (style == 1) {
      texture(img, rnd);
    }
    grain(img, rnd, rnd.nextDouble() * 4);
    return img;
  }

  /**
   * A smooth render like kiln-tiny's small outputs: gradient, clouds and shapes, no text or texture,
   * blurred with radius 1, and light grain (sigma below 1 level). The same seed gives the same image.
   */
  static BufferedImage smooth(long seed, int width, int height) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(rnd.nextInt(width), 0, color(rnd), rnd.nextInt(width), height, color(rnd)));
    g.fillRect(0, 0, width, height);
    clouds(img, rnd, 20 + rnd.nextInt(60));
    int shapes = 1 + rnd.nextInt(4);
    for (int i = 0; i < shapes; i++) {
      shape(g, rnd, width, height);
    }
    g.dispose();
    blur(img, 1);
    grain(img, rnd, rnd.nextDouble());
    return img;
  }

  private static Color color(Random rnd) {
    return Color.getHSBColor(rnd.nextFloat(), 0.2f + 0.7f * rnd.nextFloat(), 0.15f + 0.85f * rnd.nextFloat());
  }

  private static void shape(Graphics2D g, Random rnd, int w, int h) {
    float x = rnd.nextInt(w);
    float y = rnd.nextInt(h);
    float sw = w * (0.05f + 0.5f * rnd.nextFloat());
    float sh = h * (0.05f + 0.5f * rnd.nextFloat());
    Color c = color(rnd);
    if (rnd.nextBoolean()) {
      g.setPaint(new RadialGradientPaint(x + sw / 3, y + sh / 3, Math.max(sw, sh), new float[] {0f, 1f},
          new Color[] {c.brighter(), c.darker().darker()}));
    } else {
      g.setPaint(c);
    }
    g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.5f + 0.5f * rnd.nextFloat()));
    switch (rnd.nextInt(4)) {
      case 0 -> g.fill(new Ellipse2D.Float(x - sw / 2, y - sh / 2, sw, sh));
      case 1 -> g.fill(new RoundRectangle2D.Float(x - sw / 2, y - sh / 2, sw, sh, sw / 4, sh / 4));
      case 2 -> {
        Path2D.Float p = new Path2D.Float();
        p.moveTo(x, y);
        for (int i = 0; i < 3 + rnd.nextInt(4); i++) {
          p.lineTo(x + (rnd.nextFloat() - 0.5f) * sw * 2, y + (rnd.nextFloat() - 0.5f) * sh * 2);
        }
        p.closePath();
        g.fill(p);
      }
      default -> {
        g.setStroke(new BasicStroke(1 + rnd.nextInt(6)));
        g.drawLine((int) x, (int) y, (int) (x + sw), (int) (y + sh * (rnd.nextFloat() - 0.5f)));
      }
    }
    g.setComposite(AlphaComposite.SrcOver);
  }

  /** Adds value noise on a coarse grid, bilinearly interpolated: soft clouds or haze. */
  private static void clouds(BufferedImage img, Random rnd, int amplitude) {
    int w = img.getWidth();
    int h = img.getHeight();
    int step = 16 + rnd.nextInt(48);
    int gw = w / step + 2;
    int gh = h / step + 2;
    double[] grid = new double[gw * gh];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = (rnd.nextDouble() - 0.5) * amplitude;
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double gx = (double) x / step;
        double gy = (double) y / step;
        int x0 = (int) gx;
        int y0 = (int) gy;
        double tx = smooth(gx - x0);
        double ty = smooth(gy - y0);
        double v = (grid[y0 * gw + x0] * (1 - tx) + grid[y0 * gw + x0 + 1] * tx) * (1 - ty)
            + (grid[(y0 + 1) * gw + x0] * (1 - tx) + grid[(y0 + 1) * gw + x0 + 1] * tx) * ty;
        img.setRGB(x, y, add(img.getRGB(x, y), v, v, v));
      }
    }
  }

  private static double smooth(double t) {
    return t * t * (3 - 2 * t);
  }

  private static void texture(BufferedImage img, Random rnd) {
    double fx = 0.2 + rnd.nextDouble();
    double fy = 0.2 + rnd.nextDouble();
    double a = 3 + rnd.nextDouble() * 10;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        double v = a * Math.sin(x * fx + 3 * Math.sin(y * 0.05)) * Math.sin(y * fy);
        img.setRGB(x, y, add(img.getRGB(x, y), v, v * 0.8, v * 0.6));
      }
    }
  }

  private static void grain(BufferedImage img, Random rnd, double sigma) {
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        double v = rnd.nextGaussian() * sigma;
        img.setRGB(x, y, add(img.getRGB(x, y), v, v, v));
      }
    }
  }

  private static void blur(BufferedImage img, int radius) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] src = img.getRGB(0, 0, w, h, null, 0, w);
    int[] dst = new int[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = 0;
        int g = 0;
        int b = 0;
        int n = 0;
        for (int dy = -radius; dy <= radius; dy++) {
          for (int dx = -radius; dx <= radius; dx++) {
            int xx = Math.min(w - 1, Math.max(0, x + dx));
            int yy = Math.min(h - 1, Math.max(0, y + dy));
            int p = src[yy * w + xx];
            r += (p >> 16) & 0xFF;
            g += (p >> 8) & 0xFF;
            b += p & 0xFF;
            n++;
          }
        }
        dst[y * w + x] = ((r / n) << 16) | ((g / n) << 8) | (b / n);
      }
    }
    img.setRGB(0, 0, w, h, dst, 0, w);
  }

  private static int add(int p, double dr, double dg, double db) {
    int r = clamp(((p >> 16) & 0xFF) + dr);
    int g = clamp(((p >> 8) & 0xFF) + dg);
    int b = clamp((p & 0xFF) + db);
    return (p & 0xFF000000) | (r << 16) | (g << 8) | b;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
