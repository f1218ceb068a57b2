package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.render.batching.BatchingEngine.Completed;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.provenance.watermark.Detection;
import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.storage.Checksums;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** What the render function stages: watermarked pixels, the watermark in XMP and in the kiln.images record. */
class RenderFunctionStagingTest {
  private static ImageTask task(String requestId, int width, int height) {
    return new ImageTask(DecodeRequestsTest.request(requestId).setWidth(width).setHeight(height).build(), 1,
        requestId + "-1", 1234);
  }

  /** A smooth render-like image: a gradient and a shaded disc, as kiln-tiny draws them. */
  private static GeneratedImage image(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(0, 0, new Color(30, 60, 160), width, height, new Color(200, 220, 250)));
    g.fillRect(0, 0, width, height);
    g.setPaint(new GradientPaint(width / 4f, height / 4f, new Color(230, 40, 30), width * 0.75f, height * 0.75f,
        new Color(120, 10, 10)));
    g.fillOval(width / 4, height / 4, width / 2, height / 2);
    g.dispose();
    byte[] rgb = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = img.getRGB(x, y);
        int i = (y * width + x) * 3;
        rgb[i] = (byte) (p >> 16);
        rgb[i + 1] = (byte) (p >> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    return new GeneratedImage(width, height, rgb);
  }

  private static RenderFunction.Staged stage(ImageTask task, GeneratedImage image, int keyId) {
    GenerationParams params = RenderFunction.params(task, "sha256:abc", "euler");
    return RenderFunction.encode(task, params, image, keyId, 4);
  }

  @Test
  void theStagedPngCarriesTheWatermarkOfItsImageIdAndKeyId() throws IOException {
    int[][] sizes = {{64, 64}, {256, 256}, {48, 96}, {1024, 128}};
    for (int[] size : sizes) {
      ImageTask task = task("req-" + size[0] + "x" + size[1], size[0], size[1]);
      RenderFunction.Staged staged = stage(task, image(size[0], size[1]), 7);
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(staged.png()));
      Detection found = Watermark.detect(decoded).orElseThrow(
          () -> new AssertionError(size[0] + "x" + size[1] + ": no watermark in the staged PNG"));
      assertThat(found.payload().keyId()).isEqualTo(7);
      assertThat(found.payload().matchesImageId(task.imageId)).isTrue();
      assertThat(found.payload()).isEqualTo(Payload.of(7, task.imageId));
      assertThat(found.cellSize()).isEqualTo(Watermark.cellSizeFor(size[0], size[1]));
      assertThat(staged.watermark()).isEqualTo(Payload.of(7, task.imageId).toText());
      assertThat(new String(staged.png(), StandardCharsets.ISO_8859_1))
          .contains("<kiln:watermark>" + staged.watermark() + "</kiln:watermark>");
    }
  }

  @Test
  void theMarkMovesNoChannelByMoreThanTwoLevels() throws IOException {
    GeneratedImage original = image(64, 64);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(stage(task("r", 64, 64), original, 1).png()));
    int changed = 0;
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int p = decoded.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          int d = Math.abs(((p >> (16 - 8 * c)) & 0xFF) - original.channel(x, y, c));
          assertThat(d).isLessThanOrEqualTo(2);
          changed += d > 0 ? 1 : 0;
        }
      }
    }
    assertThat(changed).isGreaterThan(64 * 64 * 3 / 2);
  }

  @Test
  void replaysStageTheSameBytes() {
    ImageTask task = task("replay", 128, 64);
    GeneratedImage image = image(128, 64);
    byte[] first = stage(task, image, 3).png();
    byte[] again = stage(task("replay", 128, 64), image(128, 64), 3).png();
    assertThat(Checksums.sha256Hex(again)).isEqualTo(Checksums.sha256Hex(first));
    assertThat(again).isEqualTo(first);
    // The engine's pixels are left as they were: a retry of the same result marks them once.
    assertThat(image).isEqualTo(image(128, 64));
  }

  @Test
  void theKilnImagesRecordNamesTheWatermark() {
    ImageTask task = task("rec", 64, 64);
    GenerationParams params = RenderFunction.params(task, "sha256:abc", "euler");
    RenderFunction.Staged staged = stage(task, image(64, 64), 9);
    RenderedImage rendered = RenderFunction.rendered(task, params, staged, "kiln", "staging/k.png",
        Checksums.sha256Hex(staged.png()), new Completed<>(image(64, 64), 10, 2, 1));
    assertThat(rendered.getWatermark()).isEqualTo("kiln-wm1:0009:" + String.format("%012x",
        Payload.hashImageId("rec-1")));
    assertThat(Payload.fromText(rendered.getWatermark())).isEqualTo(Payload.of(9, "rec-1"));
  }

  @Test
  void anImageTooSmallToMarkIsNotStaged() {
    assertThatThrownBy(() -> stage(task("tiny", 24, 24), image(24, 24), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot watermark a 24x24 image");
  }
}
