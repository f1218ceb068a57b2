package dev.kiln.safety.job;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;

/** Result events about a rendered image. */
final class Results {
  private Results() {}

  /** A result builder with the image's identity, attempt, parameters, labels, render timings and watermark set. */
  static RenderResult.Builder base(RenderedImage image) {
    return RenderResult.newBuilder()
        .setRequestId(image.getRequestId())
        .setImageId(image.getImageId())
        .setTenant(image.getTenant())
        .setBatchId(image.getBatchId())
        .setImageIndex(image.getImageIndex())
        .setImageCount(image.getImageCount())
        .setParams(image.getParams())
        .setLabels(image.getLabels())
        .setSubmittedAt(image.getSubmittedAt())
        .setRenderMillis(image.getRenderMillis())
        .setAttempt(image.getAttempt())
        .setWatermark(image.getWatermark());
  }
}
