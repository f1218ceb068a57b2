package dev.kiln.safety.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NsfwClassifierTest {
  @TempDir
  Path tmp;

  @Test
  void missingModelFileFailsAtLoadNamingTheFile() {
    Path missing = tmp.resolve("nowhere/model.onnx");
    assertThatThrownBy(() -> NsfwClassifier.load(missing))
        .isInstanceOf(ClassifierLoadException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void fileThatIsNotOnnxFailsAtLoadNamingTheFile() throws IOException {
    Path broken = Files.writeString(tmp.resolve("model.onnx"), "<html>not found</html>");
    assertThatThrownBy(() -> NsfwClassifier.load(broken))
        .isInstanceOf(ClassifierLoadException.class)
        .hasMessageStartingWith("NSFW model " + broken + " cannot be loaded by ONNX Runtime");
  }

  @Test
  void defaultModelIsUnderTheModelsDirectory() {
    assertThat(NsfwClassifier.defaultModel())
        .isEqualTo(Path.of(System.getProperty("kiln.models.dir", "models"), "nsfw-mobilenet-v2", "model.onnx"))
        .isRegularFile();
  }

  @Test
  void reportsTheSha256OfTheLoadedFileAndTheClassesInNsfwjsOrder() throws IOException, NoSuchAlgorithmException {
    Path file = NsfwClassifier.defaultModel();
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    try (NsfwClassifier classifier = NsfwClassifier.load(file)) {
      assertThat(classifier.sha256()).isEqualTo(expected);
      assertThat(classifier.classes()).containsExactly("Drawing", "Hentai", "Neutral", "Porn", "Sexy");
    }
  }

  @Test
  void classifiesConcurrentlyWithTheSameResultsAsOneThread() throws InterruptedException, ExecutionException {
    List<BufferedImage> images = List.of(filled(300, 200, new Color(241, 194, 125)), filled(64, 64, Color.BLUE),
        filled(224, 224, Color.WHITE));
    try (NsfwClassifier classifier = NsfwClassifier.load(NsfwClassifier.defaultModel())) {
      List<Map<String, Double>> serial = images.stream().map(classifier::classify).toList();
      for (Map<String, Double> result : serial) {
        assertThat(result.keySet()).containsExactlyElementsOf(NsfwClassifier.CLASSES);
        assertThat(result.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-5));
      }
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<Map<String, Double>>> futures = images.stream().map(i -> pool.submit(() -> classifier.classify(i)))
            .toList();
        for (int i = 0; i < images.size(); i++) {
          assertThat(futures.get(i).get()).isEqualTo(serial.get(i));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void classifyAfterCloseIsRejected() {
    NsfwClassifier classifier = NsfwClassifier.load(NsfwClassifier.defaultModel());
    classifier.close();
    classifier.close();
    assertThatThrownBy(() -> classifier.classify(filled(8, 8, Color.RED)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  private static BufferedImage filled(int width, int height, Color color) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return image;
  }
}
