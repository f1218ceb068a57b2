package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.render.cli.RenderCommand;
import dev.kiln.provenance.watermark.Detection;
import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code render} command, run in-process as picocli would from a shell. */
class RenderCommandTest {
  @TempDir
  Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int render(String... args) {
    CommandLine cmd = new CommandLine(new RenderCommand());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @Test
  void writesPngOfTheRequestedSizeWithProvenance() throws IOException {
    Path png = tmp.resolve("red.png");
    int exit = render("--prompt", "a large red circle on a blue background", "--seed", "7", "--steps", "3",
        "--guidance", "3", "--width", "64", "--height", "32", "--model-dir", ModelFixtures.kilnTiny().toString(),
        "--out", png.toString());
    assertThat(exit).as(err.toString()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(64);
    assertThat(image.getHeight()).isEqualTo(32);
    assertThat(PngEncoderTest.itxtEntries(Files.readAllBytes(png)).get("XML:com.adobe.xmp"))
        .contains("trainedAlgorithmicMedia")
        .contains("<kiln:seed>7</kiln:seed>");
    assertThat(out.toString()).contains(png.toString());
  }

  @Test
  void marksTheFileWithTheWatermarkOfItsNameAndTheKeyId() throws IOException {
    Path png = tmp.resolve("wm.png");
    int exit = render("--prompt", "a large red circle on a blue background", "--seed", "3", "--steps", "3",
        "--width", "64", "--height", "64", "--watermark-key-id", "12", "--model-dir",
        ModelFixtures.kilnTiny().toString(), "--out", png.toString());
    assertThat(exit).as(err.toString()).isZero();
    Detection found = Watermark.detect(ImageIO.read(png.toFile())).orElseThrow();
    assertThat(found.payload()).isEqualTo(Payload.of(12, "wm.png"));
    assertThat(PngEncoderTest.itxtEntries(Files.readAllBytes(png)).get("XML:com.adobe.xmp"))
        .contains("<kiln:watermark>" + Payload.of(12, "wm.png").toText() + "</kiln:watermark>");
  }

  @Test
  void watermarkKeyIdOutOfRangeIsAUsageErrorNamingIt() {
    int exit = render("--prompt", "x", "--watermark-key-id", "65536", "--out", tmp.resolve("x.png").toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--watermark-key-id': 65536 (allowed: 0 to 65535)");
  }

  @Test
  void countWritesNumberedFilesWithConsecutiveSeeds() throws IOException {
    int exit = render("--prompt", "a small blue square on a white background", "--steps", "2", "--count", "2",
        "--model-dir", ModelFixtures.kilnTiny().toString(), "--out", tmp.resolve("sq.png").toString());
    assertThat(exit).as(err.toString()).isZero();
    assertThat(tmp.resolve("sq-0.png")).exists();
    assertThat(PngEncoderTest.itxtEntries(Files.readAllBytes(tmp.resolve("sq-1.png"))).get("XML:com.adobe.xmp"))
        .contains("<kiln:seed>1</kiln:seed>");
  }

  @Test
  void widthNotMultipleOfEightIsAUsageErrorNamingWidth() {
    int exit = render("--prompt", "x", "--width", "63", "--out", tmp.resolve("x.png").toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--width': 63 (allowed: multiples of 8 from 8 to 4096)");
    assertThat(tmp.resolve("x.png")).doesNotExist();
  }

  @Test
  void widthTheModelCannotTakeIsAUsageErrorNamingWidth() {
    int exit = render("--prompt", "x", "--width", "72", "--steps", "1", "--model-dir",
        ModelFixtures.kilnTiny().toString(), "--out", tmp.resolve("x.png").toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--width': 72 (allowed: multiples of 16 for this model)");
  }

  @Test
  void nonNumericStepsIsAUsageErrorNamingSteps() {
    int exit = render("--prompt", "x", "--steps", "many", "--out", tmp.resolve("x.png").toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--steps");
  }

  @Test
  void brokenModelDirectoryIsAUsageErrorNamingModelDir() {
    int exit = render("--prompt", "x", "--model-dir", tmp.resolve("missing").toString(), "--out",
        tmp.resolve("x.png").toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--model-dir'").contains("does not exist");
  }
}
