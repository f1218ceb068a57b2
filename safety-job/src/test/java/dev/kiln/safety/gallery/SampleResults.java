package dev.kiln.safety.gallery;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.schemas.Verdict;
import dev.kiln.storage.ObjectKeys;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Results and images as the safety job produces them, for gallery tests. */
final class SampleResults {
  static final String TENANT = "acme";
  static final Instant SUBMITTED = Instant.parse("2026-01-02T03:04:05Z");

  static {
    // Copying a result with newBuilder(result) instantiates schema classes, which Avro only does for trusted packages.
    TrustedPackages.ensure();
  }

  private SampleResults() {}

  static RenderResult published(String batch, String requestId, int index, int count, String prompt) {
    String imageId = ObjectKeys.imageId(requestId, index);
    return base(batch, requestId, index, count, prompt)
        .setStatus(ResultStatus.PUBLISHED)
        .setAssetKey(ObjectKeys.asset(TENANT, batch, imageId))
        .setVerdict(verdict(Decision.APPROVED, "", null))
        .build();
  }

  static RenderResult quarantined(String batch, String requestId, int index, int count, String prompt) {
    String imageId = ObjectKeys.imageId(requestId, index);
    String reason = "prompt matches policy category \"sexual\" (term \"nude\")";
    return base(batch, requestId, index, count, prompt)
        .setStatus(ResultStatus.REJECTED)
        .setAssetKey(ObjectKeys.quarantine(TENANT, batch, imageId))
        .setReason(reason)
        .setVerdict(verdict(Decision.REJECTED, reason, "prompt:sexual"))
        .build();
  }

  static RenderResult failed(String batch, String requestId, int index, int count, String prompt) {
    return base(batch, requestId, index, count, prompt)
        .setStatus(ResultStatus.FAILED)
        .setReason("staged object staging/acme/" + batch + "/x.png is missing in bucket kiln")
        .build();
  }

  private static RenderResult.Builder base(String batch, String requestId, int index, int count, String prompt) {
    return RenderResult.newBuilder()
        .setRequestId(requestId)
        .setImageId(ObjectKeys.imageId(requestId, index))
        .setTenant(TENANT)
        .setBatchId(batch)
        .setImageIndex(index)
        .setImageCount(count)
        .setParams(GenerationParams.newBuilder()
            .setModel("kiln-tiny")
            .setPrompt(prompt)
            .setWidth(64)
            .setHeight(64)
            .setSteps(20)
            .setGuidanceScale(3.0f)
            .setSeed(1000L + index)
            .build())
        .setLabels(Map.of())
        .setSubmittedAt(SUBMITTED)
        .setCompletedAt(SUBMITTED.plusSeconds(60 + index));
  }

  private static Verdict verdict(Decision decision, String reason, String category) {
    return Verdict.newBuilder()
        .setDecision(decision)
        .setReason(reason)
        .setCategory(category)
        .setPolicyName("default")
        .setPolicyVersion("1")
        .setScores(Map.of())
        .setChecks(List.of("integrity:sha256", "integrity:png", "prompt-policy"))
        .build();
  }

  /** A PNG of one colour. */
  static byte[] png(int width, int height, Color colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
