package dev.kiln.safety.gallery;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.TenantView;
import dev.kiln.schemas.Verdict;

/**
 * What the gallery keeps about one image of a batch: everything its tile shows, but never the
 * image bytes. Those are read from the object store each time the page is written, so per-batch
 * state stays a few hundred bytes per image.
 *
 * <p>A gallery page is read by the tenant, so an entry holds only what {@link TenantView} lets a
 * tenant see: for a rejection, a category in plain words ("blocked by policy: adult content",
 * "matched a block list"), never a classifier score or threshold, a matched prompt term, a
 * block-list label or distance, or a hash.
 *
 * <p>Fields that a result may lack (a FAILED result has no verdict) are {@code null}.
 *
 * @param assetKey where the image is: {@code assets/...} when published, {@code quarantine/...}
 *     when rejected after rendering, {@code null} when there is no image
 * @param reason the result's reason as a tenant reads it: the category message of a rejection,
 *     what broke for a failure
 * @param verdictReason the tenant-facing verdict reason; empty when approved without remarks
 * @param category the tenant-facing category of a rejection, e.g. "adult content"
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

  /**
   * The tile of one result, as the safety job emits it (with the full verdict): the verdict is
   * reduced to its {@linkplain TenantView#of(RenderResult) tenant view} here, so no caller can put
   * moderation internals on a page. Pass the full result, not a tenant view of it: the view of a
   * view loses the category.
   */
  public static GalleryEntry of(RenderResult result) {
    RenderResult r = TenantView.of(result);
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
