package dev.kiln.render.job;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Seeds;
import dev.kiln.schemas.Verdict;
import java.time.Instant;
import java.util.List;

/** Builds the result events the render job itself emits: prompt rejections and failures. */
final class Results {
  private Results() {}

  static RenderResult of(RenderRequest r, int imageIndex, ResultStatus status, String reason, Verdict verdict) {
    return RenderResult.newBuilder()
        .setRequestId(r.getRequestId())
        .setImageId(Seeds.imageId(r.getRequestId(), imageIndex))
        .setTenant(r.getTenant())
        .setBatchId(r.getBatchId())
        .setImageIndex(imageIndex)
        .setImageCount(r.getNumImages())
        .setStatus(status)
        .setReason(reason)
        .setVerdict(verdict)
        .setLabels(r.getLabels())
        .setSubmittedAt(r.getSubmittedAt())
        .setCompletedAt(Instant.now())
        .build();
  }

  static Verdict promptRejection(String category, String reason, String policyName, String policyVersion) {
    return Verdict.newBuilder()
        .setDecision(Decision.REJECTED)
        .setReason(reason)
        .setCategory("prompt:" + category)
        .setPolicyName(policyName)
        .setPolicyVersion(policyVersion)
        .setChecks(List.of("prompt-policy"))
        .build();
  }
}
