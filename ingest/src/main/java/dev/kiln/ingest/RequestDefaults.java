package dev.kiln.ingest;

import dev.kiln.schemas.RenderRequest;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The values a request takes for every field it does not set itself: the command line's options,
 * which default to the schema's defaults. Every request of one submission gets the same
 * {@code submittedAt}.
 *
 * @param seed {@code null} to let the render job derive the seed from the image id
 * @param labels merged under each request's own labels, which win on equal keys
 * @param rerenderNearDuplicates render a near-duplicate of an earlier image of the batch again with a
 *     new seed (see {@code RenderRequest.rerenderNearDuplicates})
 */
public record RequestDefaults(
    String tenant,
    String batchId,
    String model,
    String negativePrompt,
    int width,
    int height,
    int steps,
    float guidanceScale,
    Long seed,
    int numImages,
    Map<String, String> labels,
    Instant submittedAt,
    boolean rerenderNearDuplicates) {

  public RequestDefaults {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    Objects.requireNonNull(submittedAt, "submittedAt");
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** Defaults that do not ask for near-duplicates to be re-rendered, the schema's default. */
  public RequestDefaults(String tenant, String batchId, String model, String negativePrompt, int width, int height,
      int steps, float guidanceScale, Long seed, int numImages, Map<String, String> labels, Instant submittedAt) {
    this(tenant, batchId, model, negativePrompt, width, height, steps, guidanceScale, seed, numImages, labels,
        submittedAt, false);
  }

  /**
   * A request builder holding these defaults. The caller sets {@code prompt} and
   * {@code requestId}, which have none.
   */
  public RenderRequest.Builder newRequest() {
    return RenderRequest.newBuilder()
        .setTenant(tenant)
        .setBatchId(batchId)
        .setModel(model)
        .setNegativePrompt(negativePrompt)
        .setWidth(width)
        .setHeight(height)
        .setSteps(steps)
        .setGuidanceScale(guidanceScale)
        .setSeed(seed)
        .setNumImages(numImages)
        .setLabels(new LinkedHashMap<>(labels))
        .setSubmittedAt(submittedAt)
        .setRerenderNearDuplicates(rerenderNearDuplicates);
  }
}
