package dev.kiln.safety.classifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The converted model gives nsfwjs's own probabilities. The fixture holds what nsfwjs 4.4.0 (pure-JS
 * TFJS CPU backend) returns for each image; models/nsfw-mobilenet-v2/parity/parity.js writes it.
 */
class NsfwParityTest {
  private static final double TOLERANCE = 1e-4;
  private static final String FIXTURE = "/classifier/nsfwjs-fixture.json";
  private static final String IMAGES = "/classifier/images";

  private static NsfwClassifier classifier;
  private static JsonNode fixture;

  @BeforeAll
  static void load() throws IOException {
    classifier = NsfwClassifier.load(NsfwClassifier.defaultModel());
    try (InputStream in = NsfwParityTest.class.getResourceAsStream(FIXTURE)) {
      assertThat(in).as(FIXTURE).isNotNull();
      fixture = new ObjectMapper().readTree(in);
    }
  }

  @AfterAll
  static void close() {
    if (classifier != null) {
      classifier.close();
    }
  }

  @Test
  void matchesNsfwjsOnEveryFixtureImageIncludingOnesThatNeedResizing() throws IOException {
    List<String> failures = new ArrayList<>();
    double worst = 0;
    int resized = 0;
    long totalNanos = 0;
    int count = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = fixture.get("images").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      BufferedImage image = readImage(entry.getKey());
      long start = System.nanoTime();
      Map<String, Double> actual = classifier.classify(image);
      long nanos = System.nanoTime() - start;
      totalNanos += nanos;
      count++;
      assertThat(actual.keySet()).containsExactlyElementsOf(NsfwClassifier.CLASSES);
      double maxDiff = 0;
      for (int i = 0; i < NsfwClassifier.CLASSES.size(); i++) {
        double expected = entry.getValue().get(i).asDouble();
        maxDiff = Math.max(maxDiff, Math.abs(actual.get(NsfwClassifier.CLASSES.get(i)) - expected));
      }
      boolean needsResize = image.getWidth() != 224 || image.getHeight() != 224;
      resized += needsResize ? 1 : 0;
      worst = Math.max(worst, maxDiff);
      System.out.printf("nsfw parity %-28s %4dx%-4d max abs diff %.3e  %5.1f ms%n", entry.getKey(), image.getWidth(),
          image.getHeight(), maxDiff, nanos / 1e6);
      if (!(maxDiff <= TOLERANCE)) {
        failures.add(entry.getKey() + ": max abs diff " + maxDiff + ", got " + actual + ", nsfwjs " + entry.getValue());
      }
    }
    System.out.printf("nsfw parity: %d images, overall max abs diff %.3e, mean %.1f ms per image%n", count, worst,
        totalNanos / 1e6 / count);
    assertThat(count).as("fixture images").isGreaterThanOrEqualTo(20);
    assertThat(resized).as("fixture images that are not 224x224").isGreaterThanOrEqualTo(4);
    assertThat(failures).as("images off nsfwjs by more than " + TOLERANCE).isEmpty();
  }

  @Test
  void fixtureUsesTheClassifiersClassOrder() {
    List<String> classes = new ArrayList<>();
    fixture.get("classes").forEach(c -> classes.add(c.asText()));
    assertThat(classes).containsExactlyElementsOf(classifier.classes());
  }

  @Test
  void everyParityImageHasAnNsfwjsResult() throws IOException, URISyntaxException {
    Path dir = Path.of(NsfwParityTest.class.getResource(IMAGES).toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).toList();
      List<String> inFixture = new ArrayList<>();
      fixture.get("images").fieldNames().forEachRemaining(inFixture::add);
      assertThat(inFixture).containsExactlyInAnyOrderElementsOf(names);
    }
  }

  private static BufferedImage readImage(String name) throws IOException {
    try (InputStream in = NsfwParityTest.class.getResourceAsStream(IMAGES + "/" + name)) {
      assertThat(in).as(name).isNotNull();
      BufferedImage image = ImageIO.read(in);
      assertThat(image).as(name + " decodes").isNotNull();
      return image;
    }
  }
}
