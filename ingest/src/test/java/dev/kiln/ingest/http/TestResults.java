package dev.kiln.ingest.http;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Requests and results as the pipeline would write them, for unit tests. */
public final class TestResults {
  public static final Instant SUBMITTED = Instant.parse("2026-11-22T00:15:30Z");
  public static final Instant COMPLETED = Instant.parse("2026-11-22T00:15:42Z");

  private TestResults() {}

  public static RenderRequest request(String tenant, String batchId, String requestId, int numImages) {
    return RenderRequest.newBuilder()
        .setRequestId(requestId)
        .setTenant(tenant)
        .setBatchId(batchId)
        .setPrompt("a red circle")
        .setNumImages(numImages)
        .setSubmittedAt(SUBMITTED)
        .build();
  }

  /** A published image under {@code assets/tenant/batch/requestId-index.png}. */
  public static RenderResult published(String tenant, String batchId, String requestId, int index, int count) {
    String imageId = requestId + "-" + index;
    String key = "assets/" + tenant + "/" + batchId + "/" + imageId + ".png";
    return base(tenant, batchId, requestId, index, count, ResultStatus.PUBLISHED)
        .setAssetKey(key)
        .setAssetUri("s3://kiln/" + key)
        .setSha256("ab".repeat(32))
        .setVerdict(Verdict.newBuilder()
            .setDecision(Decision.APPROVED)
            .setReason("")
            .setPolicyName("default")
            .setPolicyVersion("3")
            .setScores(Map.of("Neutral", 0.93, "Porn", 0.01))
            .setChecks(List.of("prompt", "integrity", "classifier"))
            .build())
        .build();
  }

  /** An image the classifier rejected, quarantined under {@code quarantine/...}. */
  public static RenderResult rejected(String tenant, String batchId, String requestId, int index, int count) {
    String key = "quarantine/" + tenant + "/" + batchId + "/" + requestId + "-" + index + ".png";
    return base(tenant, batchId, requestId, index, count, ResultStatus.REJECTED)
        .setAssetKey(key)
        .setAssetUri("s3://kiln/" + key)
        .setReason("classifier: Porn 0.97")
        .setVerdict(Verdict.newBuilder()
            .setDecision(Decision.REJECTED)
            .setReason("classifier: Porn 0.97")
            .setCategory("classifier:Porn")
            .build())
        .build();
  }

  public static RenderResult failed(String tenant, String batchId, String requestId, int index, int count) {
    return base(tenant, batchId, requestId, index, count, ResultStatus.FAILED).setReason("render: out of memory")
        .build();
  }

  private static RenderResult.Builder base(String tenant, String batchId, String requestId, int index, int count,
      ResultStatus status) {
    return RenderResult.newBuilder()
        .setRequestId(requestId)
        .setImageId(requestId + "-" + index)
        .setTenant(tenant)
        .setBatchId(batchId)
        .setImageIndex(index)
        .setImageCount(count)
        .setStatus(status)
        .setParams(GenerationParams.newBuilder()
            .setModel("kiln-tiny")
            .setModelDigest("cd".repeat(32))
            .setPrompt("a red circle")
            .setWidth(64)
            .setHeight(64)
            .setSteps(20)
            .setGuidanceScale(3.0f)
            .setSeed(42L + index)
            .build())
        .setSubmittedAt(SUBMITTED)
        .setCompletedAt(COMPLETED)
        .setRenderMillis(812)
        .setModerationMillis(35);
  }
}
