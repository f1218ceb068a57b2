package dev.kiln.provenance.watermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every size a request can have (32 to 1024 pixels a side) is marked and read with the right scheme. */
class WatermarkSizesTest {
  private static final int[] SIZES = {32, 40, 64, 96, 128, 200, 512};

  private static int expectedCell(int side) {
    return side >= 128 ? 4 : side >= 64 ? 2 : 1;
  }

  @Test
  void roundTripsAtEverySizeWithTheLargestCellThatFits() {
    for (int size : SIZES) {
      for (int i = 0; i < 3; i++) {
        Payload payload = Payload.of(1 + 1000 * i, "req-" + size + "-" + i);
        BufferedImage marked = Watermark.embed(SyntheticImages.smooth(size * 10L + i, size, size), payload);
        Detection found = Watermark.detect(marked).orElseThrow(() -> new AssertionError(size + "px: not detected"));
        assertEquals(payload, found.payload(), size + "px");
        assertEquals(expectedCell(size), found.cellSize(), size + "px");
        assertEquals(1.0, found.scale(), size + "px");
        assertEquals(expectedCell(size), Watermark.cellSizeFor(size, size));
      }
    }
  }

  @Test
  void theSmallerSidePicksTheScheme() {
    assertEquals(1, Watermark.cellSizeFor(1024, 32));
    assertEquals(2, Watermark.cellSizeFor(64, 1024));
    assertEquals(4, Watermark.cellSizeFor(128, 128));
    Payload payload = Payload.of(5, "wide");
    BufferedImage wide = Watermark.embed(SyntheticImages.smooth(77, 256, 48), payload);
    Detection found = Watermark.detect(wide).orElseThrow();
    assertEquals(payload, found.payload());
    assertEquals(1, found.cellSize());
  }

  @Test
  void refusesImagesUnder32PixelsASide() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Watermark.embed(SyntheticImages.smooth(1, 64, 24), Payload.of(1, "x")));
    assertEquals("cannot watermark a 64x24 image: both sides must be at least 32 pixels, the smallest watermark"
        + " tile", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Watermark.embedRgb(new byte[24 * 24 * 3], 24, 24,
        Payload.of(1, "x")));
    assertThrows(IllegalArgumentException.class, () -> Watermark.cellSizeFor(31, 31));
  }

  @Test
  void unmarkedImagesAreNotDetectedAtAnySize() {
    Random rnd = new Random(3);
    for (int size : SIZES) {
      int images = size >= 512 ? 3 : 12;
      for (int i = 0; i < images; i++) {
        assertEquals(Optional.empty(), Watermark.detect(SyntheticImages.generate(20_000 + size * 100L + i, size, size)),
            size + "px synthetic " + i);
        assertEquals(Optional.empty(), Watermark.detect(SyntheticImages.smooth(30_000 + size * 100L + i, size, size)),
            size + "px smooth " + i);
      }
      assertEquals(Optional.empty(), Watermark.detect(noise(rnd, size, false)), size + "px uniform noise");
      assertEquals(Optional.empty(), Watermark.detect(noise(rnd, size, true)), size + "px grey noise");
    }
  }

  @Test
  void aSmallSchemeMarkIsNotReadByTheFourPixelSchemeNorTheOtherWayRound() {
    BufferedImage original = SyntheticImages.smooth(9, 256, 256);
    Payload payload = Payload.of(42, "cross");
    for (int cell : new int[] {1, 2}) {
      BufferedImage small = Watermark.embed(original, payload, cell);
      assertEquals(Optional.empty(), Watermark.inspect(small, 4).detection(), cell + "-px mark read as 4-px");
      int other = cell == 1 ? 2 : 1;
      assertEquals(Optional.empty(), Watermark.inspect(small, other).detection(),
          cell + "-px mark read as " + other + "-px");
      Detection found = Watermark.detect(small).orElseThrow();
      assertEquals(payload, found.payload());
      assertEquals(cell, found.cellSize());
    }
    BufferedImage large = Watermark.embed(original, payload);
    assertEquals(Optional.empty(), Watermark.inspect(large, 2, 1).detection(), "4-px mark read as a small one");
    // A half-size copy of a 4-px mark has 2-px cells, but the 2-px scheme's own layout: only the
    // 4-px scheme's resize search finds it.
    BufferedImage half = Attacks.resize(large, 128, 128, true);
    assertEquals(Optional.empty(), Watermark.inspect(half, 2, 1).detection(), "half-size 4-px mark read as 2-px");
    Detection found = Watermark.detect(half).orElseThrow();
    assertEquals(payload, found.payload());
    assertEquals(4, found.cellSize());
    assertEquals(0.5, found.scale());
  }

  @Test
  void confidenceCountsEveryReadTheImageCouldGet() {
    // 200px: the three schemes at scale 1 and the 4-px scheme at the 8 factors that leave 128 pixels.
    Detection big = Watermark.detect(Watermark.embed(SyntheticImages.smooth(4, 200, 200), Payload.of(1, "a")))
        .orElseThrow();
    assertEquals(1 - 11 * Watermark.codewordsWithin(big.correctedBits()), big.confidence(), 1e-15);
    // 64px: the 2-px and 1-px schemes at scale 1, and the 4-px scheme at 0.5 (a 128px mark halved).
    Detection small = Watermark.detect(Watermark.embed(SyntheticImages.smooth(4, 64, 64), Payload.of(1, "a")))
        .orElseThrow();
    assertEquals(1 - 3 * Watermark.codewordsWithin(small.correctedBits()), small.confidence(), 1e-15);
  }

  @Test
  void embeddingRgbBytesGivesTheSamePixelsAsEmbeddingTheImage() {
    for (int size : new int[] {40, 64, 200}) {
      BufferedImage image = SyntheticImages.generate(size, size, size + 8);
      int[] argb = image.getRGB(0, 0, size, size + 8, null, 0, size);
      byte[] rgb = new byte[argb.length * 3];
      for (int i = 0; i < argb.length; i++) {
        rgb[3 * i] = (byte) (argb[i] >> 16);
        rgb[3 * i + 1] = (byte) (argb[i] >> 8);
        rgb[3 * i + 2] = (byte) argb[i];
      }
      Payload payload = Payload.of(3, "bytes-" + size);
      byte[] marked = Watermark.embedRgb(rgb, size, size + 8, payload);
      int[] expected = Watermark.embed(image, payload).getRGB(0, 0, size, size + 8, null, 0, size);
      byte[] expectedRgb = new byte[marked.length];
      for (int i = 0; i < expected.length; i++) {
        expectedRgb[3 * i] = (byte) (expected[i] >> 16);
        expectedRgb[3 * i + 1] = (byte) (expected[i] >> 8);
        expectedRgb[3 * i + 2] = (byte) expected[i];
      }
      assertArrayEquals(expectedRgb, marked, size + "px");
      assertTrue(rgb[0] == (byte) (argb[0] >> 16), "the input is not changed");
    }
  }

  private static BufferedImage noise(Random rnd, int size, boolean grey) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb;
        if (grey) {
          int v = (int) Math.max(0, Math.min(255, 128 + 20 * rnd.nextGaussian()));
          rgb = v << 16 | v << 8 | v;
        } else {
          rgb = rnd.nextInt(1 << 24);
        }
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }
}
