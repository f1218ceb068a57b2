package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.KilnCli;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.provenance.watermark.Detection;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.provenance.c2pa.C2paCheck;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The sample batch that {@code kiln local} runs, through the whole pipeline, then checked from
 * outside: every published PNG validates with c2pa-rs, the C2PA reference implementation (in Node,
 * through {@code @contentauth/c2pa-wasm}), as Valid, and as Trusted with the stack's local CA as
 * the trust anchor; one flipped pixel byte is a hash mismatch. Every published image carries the
 * watermark of its own image id, and {@code kiln verify} says so.
 */
class ContentCredentialsIT {
  @Test
  void everyPublishedImageOfTheSampleBatchValidatesWithTheReferenceImplementation() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "c2pa-" + UUID.randomUUID().toString().substring(0, 8);
    Path repo = Path.of(System.getProperty("kiln.repo.dir", ".."));
    int submitted = KilnCli.commandLine().execute("submit", repo.resolve("deploy/local/sample-batch.jsonl").toString(),
        "--batch-id", batch, "--bootstrap-servers", p.stack.bootstrapServers());
    assertThat(submitted).as("kiln submit exit code").isZero();

    List<RenderResult> results = PipelineIT.awaitResults(p, batch, 26);

    List<RenderResult> published = results.stream().filter(r -> r.getStatus() == ResultStatus.PUBLISHED).toList();
    assertThat(published).as("the sample batch publishes 24 of its 26 images").hasSize(24);
    List<Path> pngs = new ArrayList<>();
    for (RenderResult r : published) {
      Path png = p.stack.objectPath(r.getAssetKey());
      pngs.add(png);
      Optional<Detection> mark = Watermark.detect(ImageIO.read(png.toFile()));
      assertThat(mark).as("watermark of " + r.getImageId()).isPresent();
      assertThat(mark.get().payload().matchesImageId(r.getImageId())).as(r.getImageId()).isTrue();
      assertThat(r.getWatermark()).isEqualTo(mark.get().payload().toText());
    }
    Path anchor = p.stack.rootDirectory().resolve(StackConfig.LOCAL_CA_DIR).resolve("ca.pem");

    C2paCheck c2pa = C2paCheck.prepare();
    assertThat(c2pa.check(pngs, Optional.empty())).hasSize(24).allSatisfy(r -> {
      assertThat(r.validationState()).as(r.line()).isEqualTo("Valid");
      assertThat(r.failure()).as(r.line()).isEmpty();
    });
    assertThat(c2pa.check(pngs, Optional.of(anchor))).hasSize(24).allSatisfy(r -> {
      assertThat(r.validationState()).as(r.line()).isEqualTo("Trusted");
      assertThat(r.success()).as(r.line()).contains("signingCredential.trusted", "assertion.dataHash.match");
    });

    byte[] bytes = Files.readAllBytes(pngs.get(0));
    int idat = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("IDAT");
    bytes[idat + 20] ^= 0x01;
    Path tampered = Files.write(Files.createTempFile("kiln-tampered", ".png"), bytes);
    assertThat(c2pa.check(List.of(tampered), Optional.of(anchor))).singleElement().satisfies(r -> {
      assertThat(r.validationState()).as(r.line()).isEqualTo("Invalid");
      assertThat(r.failure()).as(r.line()).contains("assertion.dataHash.mismatch");
    });

    assertThat(verify(anchor, pngs.get(0))).startsWith("0:").contains("valid, trusted").contains("=> verified");
    assertThat(verify(anchor, tampered)).startsWith("1:").contains("assertion.dataHash.mismatch");
  }

  /** {@code kiln verify}'s exit code and output, as {@code "exit:output"}. */
  private static String verify(Path anchor, Path png) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    try {
      int exit = KilnCli.commandLine(capture, capture).execute("verify", "--trust-anchor", anchor.toString(),
          png.toString());
      return exit + ":" + out.toString(StandardCharsets.UTF_8);
    } finally {
      System.setOut(old);
    }
  }
}
