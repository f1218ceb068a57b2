package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.ingest.http.internal.ApiHandler;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI document stays true to the handler: every route is documented, every reference resolves. */
class OpenApiTest {
  static JsonNode document() throws Exception {
    try (InputStream in = KilnApiServer.class.getResourceAsStream(KilnApiServer.OPENAPI_RESOURCE)) {
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    }
  }

  @Test
  void documentsEveryRouteOfTheHandler() throws Exception {
    JsonNode paths = document().get("paths");

    assertThat(paths.fieldNames()).toIterable().containsExactlyInAnyOrder(
        ApiHandler.REQUESTS, ApiHandler.REQUESTS + "/{requestId}", ApiHandler.BATCHES,
        ApiHandler.BATCHES + "/{batchId}", ApiHandler.OPENAPI, ApiHandler.HEALTH, ApiHandler.READY);
    assertThat(paths.get(ApiHandler.REQUESTS).has("post")).isTrue();
    assertThat(paths.get(ApiHandler.BATCHES + "/{batchId}").has("get")).isTrue();
    assertThat(paths.findValues("operationId")).hasSize(7);
  }

  @Test
  void everyReferenceResolves() throws Exception {
    JsonNode document = document();
    List<String> refs = new ArrayList<>();
    document.findValues("$ref").forEach(ref -> refs.add(ref.asText()));

    assertThat(refs).isNotEmpty().allSatisfy(ref -> {
      assertThat(ref).startsWith("#/");
      JsonNode target = document.at(ref.substring(1));
      assertThat(target.isMissingNode()).as(ref).isFalse();
    });
  }

  @Test
  void describesEveryPropertyOfAnImageResult() throws Exception {
    JsonNode properties = document().at("/components/schemas/ImageResult/properties");
    JsonNode json = ResultJson.toJson(TestResults.published("acme", "b1", "r1", 0, 1), null);

    assertThat(properties.fieldNames()).toIterable().containsExactlyElementsOf(() -> json.fieldNames());
  }

  @Test
  void documentsQuotaRefusalsAndErrorIds() throws Exception {
    JsonNode document = document();

    for (String route : List.of(ApiHandler.REQUESTS, ApiHandler.BATCHES)) {
      assertThat(document.at("/paths/" + route.replace("/", "~1") + "/post/responses/429/$ref").asText())
          .isEqualTo("#/components/responses/OverQuota");
    }
    assertThat(document.at("/components/responses/OverQuota/headers").has("Retry-After")).isTrue();
    assertThat(document.at("/components/schemas/Error/properties").fieldNames()).toIterable()
        .contains("errorId", "quota", "limit", "requested", "used");
  }
}
