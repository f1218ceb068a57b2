package dev.kiln.safety.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON sidecar next to every published or quarantined PNG (DESIGN.md decision 7): every
 * generation parameter, the model digest, the moderation verdict, labels, timings and the
 * invisible watermark's payload. It holds
 * everything the result event holds, so a replay that finds the image already moved can emit
 * the same result again from the sidecar.
 */
public final class Sidecars {
  public static final String DIGITAL_SOURCE_TYPE =
      "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private Sidecars() {}

  /** The sidecar of {@code image}'s staged bytes, published as they are (unsigned). */
  public static byte[] toJson(RenderResult result, RenderedImage image) {
    return toJson(result, image, image.getByteSize(), null);
  }

  /**
   * The sidecar of {@code result}, whose object is {@code bytes} long and, when {@code signer} is
   * not null, carries C2PA Content Credentials signed with that certificate. {@code object.sha256}
   * is the published file's; {@code object.moderatedSha256} is that of the bytes moderation
   * judged, which differ only by the manifest chunk.
   */
  public static byte[] toJson(RenderResult result, RenderedImage image, long bytes, X509Certificate signer) {
    ObjectNode root = JSON.createObjectNode();
    root.put("sidecarVersion", 1);
    root.put("imageId", result.getImageId());
    root.put("requestId", result.getRequestId());
    root.put("tenant", result.getTenant());
    root.put("batchId", result.getBatchId());
    root.put("imageIndex", result.getImageIndex());
    root.put("imageCount", result.getImageCount());
    root.put("attempt", result.getAttempt());
    root.put("status", result.getStatus().name());
    root.put("reason", result.getReason());
    root.put("digitalSourceType", DIGITAL_SOURCE_TYPE);
    // The invisible watermark's payload (kiln-wm1:KKKK:HHHHHHHHHHHH), so a copy found elsewhere can be
    // matched to this sidecar; "" for images rendered before watermarking.
    root.put("watermark", result.getWatermark());
    ObjectNode object = root.putObject("object");
    object.put("key", result.getAssetKey());
    object.put("uri", result.getAssetUri());
    object.put("sha256", result.getSha256());
    object.put("moderatedSha256", image.getSha256());
    object.put("bytes", bytes);
    object.put("contentType", "image/png");
    if (signer != null) {
      ObjectNode credentials = root.putObject("contentCredentials");
      credentials.put("standard", "C2PA");
      credentials.put("signer", signer.getSubjectX500Principal().getName());
      credentials.put("issuer", signer.getIssuerX500Principal().getName());
      credentials.put("certificateSerial", signer.getSerialNumber().toString(16));
    }
    GenerationParams p = result.getParams();
    ObjectNode gen = root.putObject("generation");
    gen.put("model", p.getModel());
    gen.put("modelDigest", p.getModelDigest());
    gen.put("prompt", p.getPrompt());
    gen.put("negativePrompt", p.getNegativePrompt());
    gen.put("width", p.getWidth());
    gen.put("height", p.getHeight());
    gen.put("steps", p.getSteps());
    gen.put("guidanceScale", p.getGuidanceScale());
    gen.put("seed", p.getSeed());
    gen.put("scheduler", p.getScheduler());
    Verdict v = result.getVerdict();
    ObjectNode verdict = root.putObject("verdict");
    verdict.put("decision", v.getDecision().name());
    verdict.put("reason", v.getReason());
    verdict.put("category", v.getCategory());
    verdict.put("policyName", v.getPolicyName());
    verdict.put("policyVersion", v.getPolicyVersion());
    ObjectNode scores = verdict.putObject("scores");
    v.getScores().forEach(scores::put);
    verdict.put("classifierSha256", v.getClassifierSha256());
    ArrayNode checks = verdict.putArray("checks");
    v.getChecks().forEach(checks::add);
    ArrayNode flags = verdict.putArray("flags");
    v.getFlags().forEach(flags::add);
    verdict.put("pdqHash", v.getPdqHash());
    verdict.put("pdqQuality", v.getPdqQuality());
    verdict.put("blockListMatch", v.getBlockListMatch());
    verdict.put("nearDuplicateOf", v.getNearDuplicateOf());
    verdict.put("nearDuplicateDistance", v.getNearDuplicateDistance());
    ObjectNode labels = root.putObject("labels");
    result.getLabels().forEach(labels::put);
    ObjectNode timings = root.putObject("timings");
    timings.put("submittedAt", result.getSubmittedAt().toString());
    timings.put("renderedAt", image.getRenderedAt().toString());
    timings.put("completedAt", result.getCompletedAt().toString());
    timings.put("queueMillis", image.getQueueMillis());
    timings.put("renderMillis", result.getRenderMillis());
    timings.put("batchSize", image.getBatchSize());
    timings.put("moderationMillis", result.getModerationMillis());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write sidecar for " + result.getImageId(), e);
    }
  }

  /**
   * The sha256 of the bytes moderation judged, as a sidecar records it: {@code
   * object.moderatedSha256}, or {@code object.sha256} in sidecars written before images were signed.
   */
  public static String moderatedSha256(byte[] json) {
    try {
      JsonNode object = JSON.readTree(new String(json, StandardCharsets.UTF_8)).path("object");
      return textOrNull(object.has("moderatedSha256") ? object.path("moderatedSha256") : object.path("sha256"));
    } catch (IOException e) {
      throw new UncheckedIOException("sidecar is not valid JSON", e);
    }
  }

  /** Reads back the result a sidecar records. */
  public static RenderResult resultFrom(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("sidecar is not valid JSON", e);
    }
    JsonNode gen = root.path("generation");
    JsonNode v = root.path("verdict");
    JsonNode timings = root.path("timings");
    Map<String, Double> scores = new LinkedHashMap<>();
    v.path("scores").fields().forEachRemaining(e -> scores.put(e.getKey(), e.getValue().asDouble()));
    List<String> checks = new ArrayList<>();
    v.path("checks").forEach(c -> checks.add(c.asText()));
    List<String> flags = new ArrayList<>();
    v.path("flags").forEach(c -> flags.add(c.asText()));
    Map<String, String> labels = new LinkedHashMap<>();
    root.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return RenderResult.newBuilder()
        .setRequestId(root.path("requestId").asText())
        .setImageId(root.path("imageId").asText())
        .setTenant(root.path("tenant").asText())
        .setBatchId(root.path("batchId").asText())
        .setImageIndex(root.path("imageIndex").asInt())
        .setImageCount(root.path("imageCount").asInt())
        .setAttempt(root.path("attempt").asInt(0))
        .setWatermark(root.path("watermark").asText(""))
        .setStatus(ResultStatus.valueOf(root.path("status").asText()))
        .setReason(textOrNull(root.path("reason")))
        .setAssetKey(textOrNull(root.path("object").path("key")))
        .setAssetUri(textOrNull(root.path("object").path("uri")))
        .setSha256(textOrNull(root.path("object").path("sha256")))
        .setParams(GenerationParams.newBuilder()
            .setModel(gen.path("model").asText())
            .setModelDigest(gen.path("modelDigest").asText())
            .setPrompt(gen.path("prompt").asText())
            .setNegativePrompt(gen.path("negativePrompt").asText())
            .setWidth(gen.path("width").asInt())
            .setHeight(gen.path("height").asInt())
            .setSteps(gen.path("steps").asInt())
            .setGuidanceScale((float) gen.path("guidanceScale").asDouble())
            .setSeed(gen.path("seed").asLong())
            .setScheduler(gen.path("scheduler").asText())
            .build())
        .setVerdict(Verdict.newBuilder()
            .setDecision(Decision.valueOf(v.path("decision").asText()))
            .setReason(v.path("reason").asText())
            .setCategory(textOrNull(v.path("category")))
            .setPolicyName(v.path("policyName").asText())
            .setPolicyVersion(v.path("policyVersion").asText())
            .setScores(scores)
            .setClassifierSha256(textOrNull(v.path("classifierSha256")))
            .setChecks(checks)
            .setFlags(flags)
            .setPdqHash(textOrNull(v.path("pdqHash")))
            .setPdqQuality(intOrNull(v.path("pdqQuality")))
            .setBlockListMatch(textOrNull(v.path("blockListMatch")))
            .setNearDuplicateOf(textOrNull(v.path("nearDuplicateOf")))
            .setNearDuplicateDistance(intOrNull(v.path("nearDuplicateDistance")))
            .build())
        .setLabels(labels)
        .setSubmittedAt(Instant.parse(timings.path("submittedAt").asText()))
        .setCompletedAt(Instant.parse(timings.path("completedAt").asText()))
        .setRenderMillis(timings.path("renderMillis").asLong())
        .setModerationMillis(timings.path("moderationMillis").asLong())
        .build();
  }

  private static Integer intOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asInt();
  }

  private static String textOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }
}
