package dev.kiln.provenance.watermark;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** What a published image goes through on its way to someone else: re-saves, resizes, crops. */
final class Attacks {
  private Attacks() {}

  /** Encoded and decoded as a baseline JPEG by javax.imageio at {@code quality} (0.75 is "75"). */
  static BufferedImage jpeg(BufferedImage image, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.write(null, new IIOImage(rgb(image), null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    try {
      return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Resized to {@code width x height} with java.awt's bilinear or bicubic interpolation. */
  static BufferedImage resize(BufferedImage image, int width, int height, boolean bicubic) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
        bicubic ? RenderingHints.VALUE_INTERPOLATION_BICUBIC : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, width, height, null);
    g.dispose();
    return out;
  }

  /** Resized by {@code factor} and back to its own size. */
  static BufferedImage resizeAndBack(BufferedImage image, double factor, boolean bicubic) {
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage small = resize(image, (int) Math.round(w * factor), (int) Math.round(h * factor), bicubic);
    return resize(small, w, h, bicubic);
  }

  /** The central part of the image, {@code fraction} of each side cut off (half on each side). */
  static BufferedImage cropCentre(BufferedImage image, double fraction) {
    int w = image.getWidth();
    int h = image.getHeight();
    int cw = (int) Math.round(w * (1 - fraction));
    int ch = (int) Math.round(h * (1 - fraction));
    return copy(image.getSubimage((w - cw) / 2, (h - ch) / 2, cw, ch));
  }

  private static BufferedImage rgb(BufferedImage image) {
    return image.getType() == BufferedImage.TYPE_INT_RGB ? image : copy(image);
  }

  private static BufferedImage copy(BufferedImage image) {
    BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(image, 0, 0, null);
    g.dispose();
    return out;
  }

  /** Peak signal-to-noise ratio over R, G and B, in dB. */
  static double psnr(BufferedImage a, BufferedImage b) {
    int w = a.getWidth();
    int h = a.getHeight();
    int[] pa = a.getRGB(0, 0, w, h, null, 0, w);
    int[] pb = b.getRGB(0, 0, w, h, null, 0, w);
    double sum = 0;
    for (int i = 0; i < pa.length; i++) {
      for (int shift = 0; shift <= 16; shift += 8) {
        int d = ((pa[i] >> shift) & 0xFF) - ((pb[i] >> shift) & 0xFF);
        sum += d * d;
      }
    }
    double mse = sum / (3.0 * pa.length);
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }
}
