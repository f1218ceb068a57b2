package dev.kiln.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.TenantView;
import dev.kiln.schemas.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * The JSON shape of one image's result, shared by the HTTP API ({@code images[]} of
 * {@code GET /v1/requests/{id}}) and webhook deliveries, and described as {@code ImageResult} in
 * the OpenAPI document. Every property is always present, {@code null} when it does not apply, so
 * clients can rely on the shape. Timestamps are ISO-8601 UTC strings.
 *
 * <pre>{@code
 * {"imageId": "r1-0", "requestId": "r1", "tenant": "acme", "batchId": "api",
 *  "imageIndex": 0, "imageCount": 1, "attempt": 0, "status": "PUBLISHED",
 *  "assetKey": "assets/acme/api/r1-0.png", "assetUri": "s3://kiln/assets/acme/api/r1-0.png",
 *  "url": "https://...", "urlExpiresAt": "2026-11-22T00:30:00Z",
 *  "sha256": "...", "reason": null,
 *  "verdict": {"decision": "APPROVED", "reason": "", "category": null, "scores": {...},
 *              "policy": {"name": "default", "version": "1"}, "checks": [...]},
 *  "params": {"model": ..., "modelDigest": ..., "prompt": ..., ..., "seed": 42},
 *  "labels": {}, "timings": {"submittedAt": ..., "completedAt": ..., "renderMillis": 812,
 *  "moderationMillis": 35}}
 * }</pre>
 */
public final class ResultJson {
  /** The mapper the API and webhooks write JSON with: compact, UTF-8. */
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> VERDICT_FIELDS_MAPPED = Set.of("decision", "reason", "category", "scores",
      "policyName", "policyVersion", "classifierSha256", "checks");

  private ResultJson() {}

  /**
   * One image's result, as its tenant may see it: the verdict passes through {@link
   * TenantView#of(RenderResult)}, so scores, matched terms, block-list labels and hashes never
   * leave Kiln through the API or a webhook.
   *
   * @param link a download link for {@code assetKey}, or {@code null}; only used when the image
   *     is PUBLISHED, since quarantined objects must never be handed out
   */
  public static ObjectNode toJson(RenderResult result, AssetLinks.Link link) {
    RenderResult r = TenantView.of(result);
    ObjectNode json = NODES.objectNode();
    json.put("imageId", r.getImageId());
    json.put("requestId", r.getRequestId());
    json.put("tenant", r.getTenant());
    json.put("batchId", r.getBatchId());
    json.put("imageIndex", r.getImageIndex());
    json.put("imageCount", r.getImageCount());
    json.put("attempt", r.getAttempt());
    json.put("status", r.getStatus().name());
    // Only a key the result's own ids derive: a forged kiln.results record names no other object.
    boolean published = AssetLinks.publishedKey(r).isPresent();
    json.put("assetKey", published ? r.getAssetKey() : null);
    json.put("assetUri", published ? r.getAssetUri() : null);
    boolean linked = published && link != null;
    json.put("url", linked ? link.url().toString() : null);
    json.put("urlExpiresAt", linked ? link.expiresAt().toString() : null);
    json.put("sha256", r.getSha256());
    json.put("watermark", r.getWatermark() == null || r.getWatermark().isEmpty() ? null : r.getWatermark());
    json.put("reason", r.getReason());
    json.set("verdict", r.getVerdict() == null ? NODES.nullNode() : verdict(r.getVerdict()));
    json.set("params", r.getParams() == null ? NODES.nullNode() : params(r.getParams()));
    json.set("labels", strings(r.getLabels()));
    ObjectNode timings = json.putObject("timings");
    timings.put("submittedAt", instant(r.getSubmittedAt()));
    timings.put("completedAt", instant(r.getCompletedAt()));
    timings.put("renderMillis", r.getRenderMillis());
    timings.put("moderationMillis", r.getModerationMillis());
    return json;
  }

  /**
   * The moderation verdict: decision, reason, category, every score, policy name and version,
   * classifier digest, checks, plus any further {@code Verdict} field of the schema by its name.
   */
  public static ObjectNode verdict(Verdict v) {
    ObjectNode json = NODES.objectNode();
    json.put("decision", v.getDecision().name());
    json.put("reason", v.getReason());
    json.put("category", v.getCategory());
    ObjectNode scores = json.putObject("scores");
    new TreeMap<>(v.getScores()).forEach(scores::put);
    ObjectNode policy = json.putObject("policy");
    policy.put("name", v.getPolicyName());
    policy.put("version", v.getPolicyVersion());
    json.put("classifierSha256", v.getClassifierSha256());
    v.getChecks().forEach(json.putArray("checks")::add);
    // Fields added to Verdict later (the schema evolves compatibly) pass through under their own
    // names, so clients see new moderation details without a change here.
    for (Schema.Field field : v.getSchema().getFields()) {
      if (!VERDICT_FIELDS_MAPPED.contains(field.name())) {
        json.set(field.name(), generic(v.get(field.pos())));
      }
    }
    return json;
  }

  /** Compact UTF-8 bytes of {@code json}. */
  public static byte[] bytes(JsonNode json) {
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialize: " + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode generic(Object value) {
    if (value == null) {
      return NODES.nullNode();
    } else if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (value instanceof Integer || value instanceof Long) {
      return NODES.numberNode(((Number) value).longValue());
    } else if (value instanceof Number n) {
      return NODES.numberNode(n.doubleValue());
    } else if (value instanceof List<?> list) {
      ArrayNode array = NODES.arrayNode();
      list.forEach(item -> array.add(generic(item)));
      return array;
    } else if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      new TreeMap<>(map.entrySet().stream().collect(Collectors.toMap(
          e -> String.valueOf(e.getKey()), Map.Entry::getValue))).forEach((k, v) -> object.set(k, generic(v)));
      return object;
    }
    return NODES.textNode(value.toString());
  }

  private static ObjectNode params(GenerationParams p) {
    ObjectNode json = NODES.objectNode();
    json.put("model", p.getModel());
    json.put("modelDigest", p.getModelDigest());
    json.put("prompt", p.getPrompt());
    json.put("negativePrompt", p.getNegativePrompt());
    json.put("width", p.getWidth());
    json.put("height", p.getHeight());
    json.put("steps", p.getSteps());
    json.put("guidanceScale", p.getGuidanceScale());
    json.put("seed", p.getSeed());
    json.put("scheduler", p.getScheduler());
    return json;
  }

  private static ObjectNode strings(Map<String, String> map) {
    ObjectNode json = NODES.objectNode();
    if (map != null) {
      new TreeMap<>(map).forEach(json::put);
    }
    return json;
  }

  private static String instant(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
