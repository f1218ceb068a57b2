package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.KilnCli;
import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.provenance.c2pa.KilnAssertion;
import dev.kiln.provenance.c2pa.LocalCa;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
  static final String IMAGE_ID = "spring-0007-0";

  @TempDir
  static Path dir;
  static LocalCa.Material ca;
  static Path signed;

  @BeforeAll
  static void signOneImage() throws IOException {
    ca = LocalCa.createIfAbsent(dir.resolve("provenance"));
    BufferedImage image = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 256; y++) {
      for (int x = 0; x < 256; x++) {
        image.setRGB(x, y, (x * 255 / 256) << 16 | (y * 255 / 256) << 8 | 96);
      }
    }
    Payload payload = Payload.of(1, IMAGE_ID);
    byte[] png = encode(Watermark.embed(image, payload));
    KilnAssertion a = new KilnAssertion("kiln-tiny", "ab".repeat(32), 7, 20, 3f, "DDIMScheduler", 256, 256,
        "acme", "spring", IMAGE_ID, "APPROVED", "default", "2026-11-22", null,
        Instant.parse("2026-12-05T10:00:00Z"), payload.toText());
    signed = Files.write(dir.resolve("signed.png"), ContentCredentials.sign(png, a, ca.signingIdentity()));
  }

  static byte[] encode(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  record Run(int exit, String out) {}

  static Run kiln(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    try {
      int exit = KilnCli.commandLine(capture, capture).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void aPublishedImageVerifiesWithItsSignerAssertionWatermarkAndSidecar() {
    Run run = kiln("verify", "--trust-anchor", ca.caCertificate().toString(), signed.toString());
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out())
        .contains("content credentials: valid, trusted")
        .contains("Kiln Local Signer")
        .contains("tenant acme, batch spring, image " + IMAGE_ID)
        .contains("moderation APPROVED under policy default 2026-11-22; prompt not included")
        .contains("watermark: found, key 1")
        .contains("matches image " + IMAGE_ID)
        .contains("sidecar: assets/acme/spring/" + IMAGE_ID + ".json")
        .contains("=> verified");
  }

  @Test
  void oneChangedPixelByteFailsTheDataHash() throws IOException {
    byte[] bytes = Files.readAllBytes(signed);
    int idat = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("IDAT");
    bytes[idat + 40] ^= 0x01;
    Path tampered = Files.write(dir.resolve("tampered.png"), bytes);

    Run run = kiln("verify", "--trust-anchor", ca.caCertificate().toString(), tampered.toString());

    assertThat(run.exit()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).contains("content credentials: INVALID").contains("assertion.dataHash.mismatch")
        .contains("=> FAILS: claims Kiln provenance that does not verify");
  }

  @Test
  void anotherCasAnchorDoesNotTrustTheSigner() throws IOException {
    LocalCa.Material other = LocalCa.createIfAbsent(dir.resolve("other-ca"));
    Run run = kiln("verify", "--trust-anchor", other.caCertificate().toString(), signed.toString());
    assertThat(run.exit()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).contains("valid, NOT TRUSTED by the given anchors");
  }

  @Test
  void aWatermarkedCopyWithoutItsManifestIsStillRecognised() throws IOException {
    BufferedImage decoded = ImageIO.read(signed.toFile());
    Path copy = Files.write(dir.resolve("re-saved.png"), encode(decoded));
    Run run = kiln("verify", copy.toString());
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("content credentials: none").contains("watermark: found, key 1");
  }

  @Test
  void aFileWithNothingClaimsNothingAndAMissingFileIsAnError() throws IOException {
    Path plain = Files.write(dir.resolve("plain.png"), encode(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB)));
    Run run = kiln("verify", plain.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("watermark: none found").contains("=> no provenance claimed");
    assertThat(kiln("verify", dir.resolve("nope.png").toString()).exit()).isEqualTo(2);
  }
}
