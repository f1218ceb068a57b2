package dev.kiln.provenance.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Round trips through the attacks of issue 15 on a handful of images; the bench runs hundreds. */
class WatermarkTest {
  private static final int IMAGES = 4;

  private static void assertSurvives(String attack, UnaryOperator<BufferedImage> apply) {
    for (int i = 0; i < IMAGES; i++) {
      BufferedImage original = SyntheticImages.generate(42 + i, 256, 256);
      Payload payload = Payload.of(7 + i, "test-image-" + i);
      BufferedImage attacked = apply.apply(Watermark.embed(original, payload));
      Optional<Detection> found = Watermark.detect(attacked);
      assertTrue(found.isPresent(), attack + ": image " + i + " not detected");
      assertEquals(payload, found.get().payload(), attack + ": image " + i);
      assertTrue(found.get().confidence() > 0.999, attack + ": confidence " + found.get().confidence());
    }
  }

  @Test
  void roundTripWithoutAttackReadsThePayload() {
    assertSurvives("none", im -> im);
  }

  @Test
  void survivesJpegQuality75() {
    assertSurvives("JPEG q75", im -> Attacks.jpeg(im, 0.75f));
  }

  @Test
  void survivesResizeToHalfAndBack() {
    assertSurvives("bilinear", im -> Attacks.resizeAndBack(im, 0.5, false));
    assertSurvives("bicubic", im -> Attacks.resizeAndBack(im, 0.5, true));
  }

  @Test
  void survivesTenPercentCentreCrop() {
    assertSurvives("crop", im -> Attacks.cropCentre(im, 0.10));
  }

  @Test
  void findsTheMarkInAHalfSizeCopyAtScaleOneHalf() {
    BufferedImage marked = Watermark.embed(SyntheticImages.generate(5, 512, 512), Payload.of(9, "big"));
    Detection found = Watermark.detect(Attacks.resize(marked, 256, 256, true)).orElseThrow();
    assertEquals(Payload.of(9, "big"), found.payload());
    assertEquals(0.5, found.scale());
  }

  @Test
  void unmarkedImagesAreNotDetected() {
    for (int i = 0; i < 30; i++) {
      BufferedImage clean = SyntheticImages.generate(10_000 + i, 256, 256);
      assertEquals(Optional.empty(), Watermark.detect(clean), "unmarked image " + i);
    }
  }

  @Test
  void psnrIsAtLeast38Db() {
    for (int i = 0; i < IMAGES; i++) {
      BufferedImage original = SyntheticImages.generate(42 + i, 256, 256);
      double psnr = Attacks.psnr(original, Watermark.embed(original, Payload.of(1, "x")));
      assertTrue(psnr >= 38, "image " + i + ": PSNR " + psnr);
    }
  }

  @Test
  void embeddingIsDeterministicKeepsSizeAndAlpha() {
    BufferedImage original = SyntheticImages.generate(3, 300, 200);
    BufferedImage withAlpha = new BufferedImage(300, 200, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 200; y++) {
      for (int x = 0; x < 300; x++) {
        withAlpha.setRGB(x, y, (x & 0xFF) << 24 | (original.getRGB(x, y) & 0xFFFFFF));
      }
    }
    Payload payload = Payload.of(2, "same");
    BufferedImage a = Watermark.embed(withAlpha, payload);
    BufferedImage b = Watermark.embed(withAlpha, payload);
    assertEquals(300, a.getWidth());
    assertEquals(200, a.getHeight());
    int[] pa = a.getRGB(0, 0, 300, 200, null, 0, 300);
    assertArrayEquals(pa, b.getRGB(0, 0, 300, 200, null, 0, 300));
    for (int x = 0; x < 300; x++) {
      assertEquals(x & 0xFF, pa[x] >>> 24, "alpha at x=" + x);
    }
    assertEquals(payload, Watermark.detect(a).orElseThrow().payload());
  }

  @Test
  void confidenceFollowsTheCodesGeometry() {
    // Nothing corrected: 2^-63 of random words are codewords.
    assertEquals(Math.pow(2, -63), Watermark.codewordsWithin(0), 1e-30);
    // Ten corrected: still only about 2 in 100,000 random words come that close.
    assertTrue(Watermark.codewordsWithin(10) < 1e-4);
    assertTrue(Watermark.codewordsWithin(10) > 1e-6);
  }
}
