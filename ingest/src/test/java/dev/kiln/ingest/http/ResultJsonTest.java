package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.schemas.RenderResult;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
  static final AssetLinks.Link LINK =
      new AssetLinks.Link(URI.create("http://127.0.0.1:9000/kiln/assets/acme/b1/r1-0.png?X-Amz-Signature=ab"),
          Instant.parse("2026-11-22T00:30:42Z"));

  @Test
  void aPublishedImageHasItsUrlVerdictParamsAndTimings() throws Exception {
    JsonNode json = new ObjectMapper().readTree(
        ResultJson.bytes(ResultJson.toJson(TestResults.published("acme", "b1", "r1", 0, 1), LINK)));

    assertThat(json.get("imageId").asText()).isEqualTo("r1-0");
    assertThat(json.get("status").asText()).isEqualTo("PUBLISHED");
    assertThat(json.get("assetKey").asText()).isEqualTo("assets/acme/b1/r1-0.png");
    assertThat(json.get("assetUri").asText()).isEqualTo("s3://kiln/assets/acme/b1/r1-0.png");
    assertThat(json.get("url").asText()).isEqualTo(LINK.url().toString());
    assertThat(json.get("urlExpiresAt").asText()).isEqualTo("2026-11-22T00:30:42Z");
    JsonNode verdict = json.get("verdict");
    assertThat(verdict.get("decision").asText()).isEqualTo("APPROVED");
    assertThat(verdict.get("category").isNull()).isTrue();
    assertThat(verdict.get("policy").get("name").asText()).isEqualTo("default");
    assertThat(json.get("params").get("seed").asLong()).isEqualTo(42);
    assertThat(json.get("params").get("guidanceScale").asDouble()).isEqualTo(3.0);
    assertThat(json.get("timings").get("submittedAt").asText()).isEqualTo("2026-11-22T00:15:30Z");
    assertThat(json.get("timings").get("completedAt").asText()).isEqualTo("2026-11-22T00:15:42Z");
    assertThat(json.get("timings").get("moderationMillis").asLong()).isEqualTo(35);
  }

  @Test
  void aRejectedImageNeverCarriesALinkOrItsQuarantineKey() {
    JsonNode json = ResultJson.toJson(TestResults.rejected("acme", "b1", "r1", 0, 1), LINK);

    assertThat(json.get("status").asText()).isEqualTo("REJECTED");
    assertThat(json.get("url").isNull()).isTrue();
    assertThat(json.get("assetKey").isNull()).isTrue();
    assertThat(json.get("assetUri").isNull()).isTrue();
    assertThat(json.get("reason").asText()).isEqualTo("blocked by policy: adult content");
    assertThat(json.get("verdict").get("category").asText()).isEqualTo("adult content");
  }

  @Test
  void neitherScoresNorChecksNorTheMatchedClassLeaveThroughTheApi() {
    String published = ResultJson.toJson(TestResults.published("acme", "b1", "r1", 0, 1), LINK).toString();
    String rejected = ResultJson.toJson(TestResults.rejected("acme", "b1", "r1", 0, 1), LINK).toString();

    assertThat(published).doesNotContain("0.93").doesNotContain("Neutral").doesNotContain("\"prompt\",\"integrity\"");
    assertThat(rejected).doesNotContain("0.97").doesNotContain("Porn");
    assertThat(ResultJson.toJson(TestResults.published("acme", "b1", "r1", 0, 1), LINK).get("verdict").get("scores"))
        .isEmpty();
  }

  @Test
  void everyPropertyIsPresentEvenWhenNothingApplies() {
    JsonNode json = ResultJson.toJson(TestResults.failed("acme", "b1", "r1", 0, 1), null);

    assertThat(json.fieldNames()).toIterable().containsExactly("imageId", "requestId", "tenant", "batchId",
        "imageIndex", "imageCount", "attempt", "status", "assetKey", "assetUri", "url", "urlExpiresAt", "sha256",
        "watermark", "reason", "verdict", "params", "labels", "timings");
    assertThat(json.get("verdict").isNull()).isTrue();
    assertThat(json.get("watermark").isNull()).as("no watermark: null, not \"\"").isTrue();
    assertThat(json.get("sha256").isNull()).isTrue();
  }

  @Test
  void givesTheWatermarkAPublishedImageCarries() {
    RenderResult published = RenderResult.newBuilder(TestResults.published("acme", "b1", "r1", 0, 1))
        .setWatermark("kiln-wm1:0001:3fa2c1d4e5f6").build();

    assertThat(ResultJson.toJson(published, LINK).get("watermark").asText()).isEqualTo("kiln-wm1:0001:3fa2c1d4e5f6");
  }

  @Test
  void showsWhichAttemptOfARerenderedImageWasPublished() {
    RenderResult published = RenderResult.newBuilder(TestResults.published("acme", "b1", "r1", 0, 1))
        .setAttempt(2).build();

    JsonNode json = ResultJson.toJson(published, LINK);

    assertThat(json.get("attempt").asInt()).isEqualTo(2);
    assertThat(ResultJson.toJson(TestResults.published("acme", "b1", "r1", 0, 1), LINK).get("attempt").asInt())
        .isZero();
  }

  @Test
  void aResultNamingAnObjectItsIdsDoNotDeriveGetsNoLinkAndNoKey() {
    RenderResult forged = RenderResult.newBuilder(TestResults.published("acme", "b1", "r1", 0, 1))
        .setAssetKey("assets/globex/b1/r1-0.png").setAssetUri("s3://kiln/assets/globex/b1/r1-0.png").build();
    String[] signed = new String[1];
    AssetLinks links = key -> {
      signed[0] = key;
      return LINK;
    };

    JsonNode json = ResultJson.toJson(forged, AssetLinks.publishedKey(forged).map(links::link).orElse(null));

    assertThat(signed[0]).isNull();
    assertThat(json.get("url").isNull()).isTrue();
    assertThat(json.get("assetKey").isNull()).isTrue();
    assertThat(json.get("assetUri").isNull()).isTrue();
    assertThat(AssetLinks.publishedKey(TestResults.published("acme", "b1", "r1", 0, 1)))
        .contains("assets/acme/b1/r1-0.png");
  }
}
