package dev.kiln.safety.pdq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the hasher against the ThreatExchange "bridge" test images and the hashes the C++
 * reference prints for them (src/test/resources/pdq, BSD licence, see LICENSE.ThreatExchange).
 */
class PdqHasherTest {
  /** The reference README's bound for a correct port: "a few two-bit differences" per image. */
  private static final int MAX_BITS_FROM_REFERENCE = 8;

  private static final String ORIGINAL = "bridge-1-original.jpg";

  /** File name to the C++ reference's hash, in the order of expected-cimg.csv (= Dihedral). */
  private static final Map<String, PdqHash> REFERENCE = new LinkedHashMap<>();
  private static final Map<String, BufferedImage> IMAGES = new LinkedHashMap<>();

  @BeforeAll
  static void decodeReferenceImages() throws IOException {
    try (BufferedReader csv = new BufferedReader(new InputStreamReader(
        resource("expected-cimg.csv"), StandardCharsets.UTF_8))) {
      csv.lines().skip(1).map(line -> line.split(",")).forEach(
          fields -> REFERENCE.put(fields[2], PdqHash.fromHex(fields[0])));
    }
    for (String file : REFERENCE.keySet()) {
      try (InputStream in = resource(file)) {
        IMAGES.put(file, ImageIO.read(in));
      }
    }
  }

  private static InputStream resource(String name) {
    InputStream in = PdqHasherTest.class.getResourceAsStream("/pdq/" + name);
    if (in == null) {
      throw new UncheckedIOException(new IOException("missing test resource /pdq/" + name));
    }
    return in;
  }

  @Test
  void hashesReferenceImagesWithinEightBitsOfTheReferenceAtFullQuality() {
    SoftAssertions softly = new SoftAssertions();
    StringBuilder report = new StringBuilder("PDQ distance to C++ reference (expected-cimg.csv):");
    for (Map.Entry<String, PdqHash> expected : REFERENCE.entrySet()) {
      PdqHasher.Result result = PdqHasher.hash(IMAGES.get(expected.getKey()));
      int distance = result.hash().distance(expected.getValue());
      String line = String.format("%-26s %3d bits, quality %3d, ours %s, reference %s",
          expected.getKey(), distance, result.quality(), result.hash(), expected.getValue());
      report.append("\n  ").append(line);
      softly.assertThat(distance).as(line).isLessThanOrEqualTo(MAX_BITS_FROM_REFERENCE);
      softly.assertThat(result.quality()).as(line).isEqualTo(100);
    }
    System.out.println(report);
    softly.assertAll();
  }

  @Test
  void matchesTheJavaReferenceBitForBitWhenBothDecodeWithImageIo() {
    // The Java reference's own unit test (pdq/java/src/test/.../PDQHasherTest.java) expects these
    // for the same files decoded by javax.imageio. Equality shows the remaining distance to the
    // C++ hashes above is the JPEG decoder, not the algorithm.
    assertThat(PdqHasher.hash(IMAGES.get(ORIGINAL)).hash().toHex())
        .isEqualTo("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
    assertThat(PdqHasher.hash(IMAGES.get("bridge-2-rotate-90.jpg")).hash().toHex())
        .isEqualTo("30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af");
  }

  @Test
  void rotatedAndFlippedVariantsMatchTheOriginalThroughDihedralHashes() {
    PdqHash original = PdqHasher.hash(IMAGES.get(ORIGINAL)).hash();
    SoftAssertions softly = new SoftAssertions();
    StringBuilder report = new StringBuilder("PDQ dihedral distance of variant to original:");
    for (String file : REFERENCE.keySet()) {
      PdqHasher.DihedralResult variant = PdqHasher.hashDihedral(IMAGES.get(file));
      int plain = variant.original().distance(original);
      int best = variant.minDistance(original);
      String line = String.format("%-26s plain %3d, best of 8 dihedral %3d", file, plain, best);
      report.append("\n  ").append(line);
      softly.assertThat(best).as(line).isLessThanOrEqualTo(HashBlockList.DEFAULT_MATCH_DISTANCE);
    }
    System.out.println(report);
    softly.assertAll();
  }

  @Test
  void eachDihedralHashOfTheOriginalPredictsTheHashOfThatVariant() {
    // Stronger than matching some dihedral hash: each sign pattern must be the transform it is
    // named after, so the original's ROTATE_90 hash must be close to the rotate-90 file's hash.
    PdqHasher.DihedralResult original = PdqHasher.hashDihedral(IMAGES.get(ORIGINAL));
    List<String> files = List.copyOf(REFERENCE.keySet());
    SoftAssertions softly = new SoftAssertions();
    StringBuilder report = new StringBuilder("PDQ original's dihedral hash vs variant's hash:");
    for (Dihedral transform : Dihedral.values()) {
      String file = files.get(transform.ordinal());
      int distance = original.get(transform).distance(PdqHasher.hash(IMAGES.get(file)).hash());
      String line = String.format("%-12s vs %-26s %3d bits", transform, file, distance);
      report.append("\n  ").append(line);
      softly.assertThat(distance).as(line).isLessThanOrEqualTo(MAX_BITS_FROM_REFERENCE);
    }
    System.out.println(report);
    softly.assertAll();
  }

  @Test
  void dihedralOriginalIsThePlainHash() {
    BufferedImage image = IMAGES.get(ORIGINAL);

    PdqHasher.DihedralResult dihedral = PdqHasher.hashDihedral(image);

    assertThat(dihedral.hashes()).hasSize(8);
    assertThat(dihedral.original()).isEqualTo(PdqHasher.hash(image).hash());
    assertThat(dihedral.quality()).isEqualTo(PdqHasher.hash(image).quality());
  }

  @Test
  void halfSizeCopyStaysClose() {
    BufferedImage image = IMAGES.get(ORIGINAL);
    BufferedImage half = new BufferedImage(
        image.getWidth() / 2, image.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = half.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, half.getWidth(), half.getHeight(), null);
    g.dispose();

    int distance = PdqHasher.hash(half).hash().distance(PdqHasher.hash(image).hash());

    assertThat(distance).as("half-size vs full-size distance").isLessThanOrEqualTo(10);
  }

  @Test
  void differentPicturesAreFarApart() {
    PdqHash bridge = PdqHasher.hash(IMAGES.get(ORIGINAL)).hash();
    PdqHash checkerboard = PdqHasher.hash(checkerboard(512, 512, 64)).hash();
    PdqHash rings = PdqHasher.hash(rings(512, 512)).hash();

    assertThat(bridge.distance(checkerboard)).as("bridge vs checkerboard").isGreaterThan(64);
    assertThat(bridge.distance(rings)).as("bridge vs rings").isGreaterThan(64);
    assertThat(checkerboard.distance(rings)).as("checkerboard vs rings").isGreaterThan(64);
  }

  @Test
  void negativeImageHashIsNearlyTheComplement() {
    // Inverting the luminance negates every DCT coefficient, so nearly every bit flips.
    BufferedImage image = IMAGES.get(ORIGINAL);
    BufferedImage negative = new BufferedImage(
        image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        negative.setRGB(x, y, ~image.getRGB(x, y) & 0xffffff);
      }
    }

    int distance = PdqHasher.hash(negative).hash().distance(PdqHasher.hash(image).hash());

    assertThat(distance).as("bridge vs its negative").isGreaterThanOrEqualTo(240);
  }

  @Test
  void solidColourHasZeroQuality() {
    BufferedImage grey = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grey.createGraphics();
    g.setColor(new Color(120, 130, 140));
    g.fillRect(0, 0, 200, 100);
    g.dispose();

    assertThat(PdqHasher.hash(grey).quality()).isZero();
    assertThat(PdqHasher.hash(checkerboard(200, 100, 10)).quality()).isEqualTo(100);
  }

  @Test
  void rawRgbBytesHashLikeTheSameBufferedImage() {
    BufferedImage image = rings(300, 200);
    byte[] rgb = new byte[300 * 200 * 3];
    for (int y = 0, p = 0; y < 200; y++) {
      for (int x = 0; x < 300; x++) {
        int pixel = image.getRGB(x, y);
        rgb[p++] = (byte) (pixel >> 16);
        rgb[p++] = (byte) (pixel >> 8);
        rgb[p++] = (byte) pixel;
      }
    }

    assertThat(PdqHasher.hash(300, 200, rgb)).isEqualTo(PdqHasher.hash(image));
    assertThat(PdqHasher.hashDihedral(300, 200, rgb)).isEqualTo(PdqHasher.hashDihedral(image));
  }

  @Test
  void rejectsRgbBufferOfTheWrongSize() {
    assertThatThrownBy(() -> PdqHasher.hash(10, 10, new byte[299]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 300 bytes of RGB for a 10x10 image (3 per pixel), got 299");
    assertThatThrownBy(() -> PdqHasher.hash(0, 10, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image dimensions must be positive, got 0x10");
  }

  @Test
  void hashesTinyAndOddSizedImages() {
    assertThat(PdqHasher.hash(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)).quality())
        .isZero();
    assertThat(PdqHasher.hash(rings(63, 17)).hash())
        .isEqualTo(PdqHasher.hash(rings(63, 17)).hash());
  }

  @Test
  void isDeterministicAndPrintsHashingTime() {
    // Micro-figure for the log, not a benchmark: the CPU may be shared, so nothing is asserted
    // about the time.
    for (int size : new int[] {64, 512}) {
      BufferedImage image = rings(size, size);
      PdqHash first = PdqHasher.hash(image).hash();
      for (int i = 0; i < 20; i++) {
        assertThat(PdqHasher.hash(image).hash()).isEqualTo(first);
      }
      int runs = 50;
      long start = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        PdqHasher.hash(image);
      }
      double micros = (System.nanoTime() - start) / 1e3 / runs;
      System.out.printf("PDQ hash of a %dx%d image: %.0f us (mean of %d, after 20 warm-up)%n",
          size, size, micros, runs);
    }
  }

  private static BufferedImage checkerboard(int width, int height, int cell) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, ((x / cell + y / cell) % 2 == 0) ? 0xffffff : 0x000000);
      }
    }
    return image;
  }

  /** Concentric colour rings around an off-centre point, so no symmetry hides a bug. */
  private static BufferedImage rings(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    double cx = width * 0.3;
    double cy = height * 0.6;
    double period = Math.max(width, height) / 6.0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double phase = Math.hypot(x - cx, y - cy) / period * 2 * Math.PI;
        int r = (int) (127.5 + 127.5 * Math.sin(phase));
        int g = (int) (127.5 + 127.5 * Math.cos(phase * 0.7));
        int b = (x * 255) / width;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }
}
