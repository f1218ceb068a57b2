package dev.kiln.provenance.c2pa.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.provenance.c2pa.KilnAssertion;
import java.time.Instant;

/**
 * The CBOR form of {@link KilnAssertion}: a map with every field by its Java name; {@code prompt}
 * and {@code watermark} only when set.
 */
public final class KilnCbor {
  private KilnCbor() {}

  public static byte[] encode(KilnAssertion a) {
    int entries = 15 + (a.prompt() != null ? 1 : 0) + (a.watermark() != null ? 1 : 0);
    Cbor cbor = Cbor.writer().map(entries)
        .key("model").text(a.model())
        .key("modelDigest").text(a.modelDigest())
        .key("seed").integer(a.seed())
        .key("steps").integer(a.steps())
        .key("guidanceScale").float32(a.guidanceScale())
        .key("scheduler").text(a.scheduler())
        .key("width").integer(a.width())
        .key("height").integer(a.height())
        .key("tenant").text(a.tenant())
        .key("batchId").text(a.batchId())
        .key("imageId").text(a.imageId())
        .key("decision").text(a.decision())
        .key("policyName").text(a.policyName())
        .key("policyVersion").text(a.policyVersion());
    if (a.prompt() != null) {
      cbor.key("prompt").text(a.prompt());
    }
    cbor.key("createdAt").text(a.createdAt().toString());
    if (a.watermark() != null) {
      cbor.key("watermark").text(a.watermark());
    }
    return cbor.endMap().toBytes();
  }

  /**
   * Reads the assertion back.
   *
   * @throws IllegalArgumentException when a required field is missing or has the wrong type
   */
  public static KilnAssertion decode(byte[] cbor) {
    JsonNode n = Cbor.read(cbor);
    return new KilnAssertion(
        text(n, "model"),
        text(n, "modelDigest"),
        number(n, "seed").longValue(),
        number(n, "steps").intValue(),
        number(n, "guidanceScale").floatValue(),
        text(n, "scheduler"),
        number(n, "width").intValue(),
        number(n, "height").intValue(),
        text(n, "tenant"),
        text(n, "batchId"),
        text(n, "imageId"),
        text(n, "decision"),
        text(n, "policyName"),
        text(n, "policyVersion"),
        n.hasNonNull("prompt") ? text(n, "prompt") : null,
        Instant.parse(text(n, "createdAt")),
        n.hasNonNull("watermark") ? text(n, "watermark") : null);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(KilnAssertion.LABEL + "." + field + " is missing or not text");
    }
    return v.textValue();
  }

  private static JsonNode number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(KilnAssertion.LABEL + "." + field + " is missing or not a number");
    }
    return v;
  }
}
