package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarsTest {
  static RenderResult result() throws Exception {
    var image = ModeratorTest.image(ModeratorTest.png(64, 64), "a red circle", 64, 64);
    return RenderResult.newBuilder()
        .setRequestId("r1").setImageId("r1-0").setTenant("acme").setBatchId("b1").setImageIndex(0).setImageCount(1)
        .setStatus(ResultStatus.PUBLISHED).setAssetKey("assets/acme/b1/r1-0.png")
        .setAssetUri("s3://kiln/assets/acme/b1/r1-0.png").setSha256(image.getSha256())
        .setVerdict(Verdict.newBuilder().setDecision(Decision.APPROVED).setReason("").setPolicyName("default")
            .setPolicyVersion("v1").setScores(Map.of("Neutral", 0.9, "Porn", 0.01))
            .setChecks(List.of("integrity:sha256")).build())
        .setParams(image.getParams()).setLabels(Map.of("sku", "A-1"))
        .setSubmittedAt(Instant.parse("2026-11-22T00:00:00Z")).setCompletedAt(Instant.parse("2026-11-22T00:00:03Z"))
        .setRenderMillis(120).setModerationMillis(4).setWatermark("kiln-wm1:0001:3fa2c1d4e5f6").build();
  }

  @Test
  void recordsEverythingTheResultEventHolds() throws Exception {
    RenderResult r = result();
    var image = ModeratorTest.image(ModeratorTest.png(64, 64), "a red circle", 64, 64);
    byte[] json = Sidecars.toJson(r, image);
    assertThat(Sidecars.resultFrom(json)).isEqualTo(r);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains("\"digitalSourceType\" : \"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia\"")
        .contains("\"prompt\" : \"a red circle\"").contains("\"Neutral\" : 0.9")
        .contains("\"watermark\" : \"kiln-wm1:0001:3fa2c1d4e5f6\"");
  }

  @Test
  void aSidecarWrittenBeforeWatermarkingReadsBackWithNone() throws Exception {
    RenderResult r = result();
    var image = ModeratorTest.image(ModeratorTest.png(64, 64), "a red circle", 64, 64);
    var old = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Sidecars.toJson(r, image));
    old.remove("watermark");
    assertThat(Sidecars.resultFrom(old.toString().getBytes(StandardCharsets.UTF_8)).getWatermark()).isEmpty();
  }

  @Test
  void theResultCarriesTheRenderedImagesWatermark() throws Exception {
    var image = ModeratorTest.image(ModeratorTest.png(64, 64), "a red circle", 64, 64);
    image.setWatermark("kiln-wm1:0002:00000000abcd");
    assertThat(Results.base(image).setStatus(ResultStatus.PUBLISHED).setCompletedAt(Instant.EPOCH).build()
        .getWatermark()).isEqualTo("kiln-wm1:0002:00000000abcd");
  }
}
