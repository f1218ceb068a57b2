package dev.kiln.safety.gallery;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;

/**
 * What the gallery keeps about one image of a batch: everything its tile shows, but never the
 * image bytes. Those are read from the object store each time the page is written, so per-batch
 * state stays a few hundred bytes per image.
 *
 * <p>Fields that a result may lack (a FAILED result has no verdict) are {@code null}.
 *
 * @param assetKey where the image is: {@code assets/...} when published, {@code quarantine/...}
 *     when rejected after rendering, {@code null} when there is no image
 * @param reason the result's reason: why it was rejected or failed
 * @param verdictReason the moderation verdict's own reason; empty when approved without remarks
 */
public record GalleryEntry(
    String imageId,
    String requestId,
    int imageIndex,
    int imageCount,
    ResultStatus status,
    String prompt,
    Long seed,
    Integer width,
    Integer height,
    Decision decision,
    String verdictReason,
    String category,
    String reason,
    String assetKey,
    long completedAtMillis) {

  /** The tile of one result. */
  public static GalleryEntry of(RenderResult r) {
    GenerationParams p = r.getParams();
    Verdict v = r.getVerdict();
    return new GalleryEntry(
        r.getImageId(),
        r.getRequestId(),
        r.getImageIndex(),
        r.getImageCount(),
        r.getStatus(),
        p == null ? null : p.getPrompt(),
        p == null ? null : p.getSeed(),
        p == null ? null : p.getWidth(),
        p == null ? null : p.getHeight(),
        v == null ? null : v.getDecision(),
        v == null ? null : v.getReason(),
        v == null ? null : v.getCategory(),
        r.getReason(),
        r.getAssetKey(),
        r.getCompletedAt() == null ? 0L : r.getCompletedAt().toEpochMilli());
  }
}
