package dev.kiln.provenance.c2pa;

import java.time.Instant;
import java.util.Objects;

/**
 * What Kiln states about an image it made, carried in the manifest as the CBOR assertion {@code
 * dev.kiln.render}: how it was rendered, for whom, and the moderation decision that let it be
 * published.
 *
 * @param model the model's name
 * @param modelDigest the model's content digest, e.g. {@code sha256:...}
 * @param prompt the prompt text, or null when the tenant's policy keeps it out of the file
 * @param createdAt when the image was rendered (from the render request, never the signer's clock)
 * @param watermark the invisible watermark's payload text, or null when the image has none
 */
public record KilnAssertion(
    String model,
    String modelDigest,
    long seed,
    int steps,
    float guidanceScale,
    String scheduler,
    int width,
    int height,
    String tenant,
    String batchId,
    String imageId,
    String decision,
    String policyName,
    String policyVersion,
    String prompt,
    Instant createdAt,
    String watermark) {
  /** The assertion's label in the manifest. */
  public static final String LABEL = "dev.kiln.render";

  public KilnAssertion {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelDigest, "modelDigest");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(policyName, "policyName");
    Objects.requireNonNull(policyVersion, "policyVersion");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
