package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.ingest.http.KilnApiServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API on the real stack: requests go through Kafka, the render and safety jobs, and the
 * status comes back from kiln.results with a presigned URL that S3 serves.
 */
class HttpApiIT {
  static final String KEY = "http-it-key-0123456789abcdef";
  static final String OTHER_KEY = "other-it-key-0123456789abcdef";
  static final Duration RENDER_TIMEOUT = Duration.ofMinutes(3);
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static SharedPipeline pipeline;
  static KilnApiServer server;
  static Published published;

  /** A request of this class that the pipeline has published, shared by the tests that need one. */
  record Published(String requestId, String assetKey, String sha256) {}

  @BeforeAll
  static void start() throws Exception {
    pipeline = SharedPipeline.get();
    server = startServer();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static KilnApiServer startServer() throws InterruptedException {
    KilnApiServer started = KilnApiServer.builder()
        .setBootstrapServers(pipeline.stack.bootstrapServers())
        .setS3Settings(pipeline.stack.s3Settings())
        .setApiKeys(Map.of(KEY, "http-it", OTHER_KEY, "other-it"))
        .optHost("127.0.0.1")
        .optPort(0)
        .optShutdownGrace(Duration.ZERO)
        .build()
        .start();
    assertThat(started.awaitReady(Duration.ofMinutes(1))).as("status rebuilt from the topics").isTrue();
    return started;
  }

  static String batch(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static HttpResponse<String> post(String path, String key, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .GET()
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Polls the status until it is final; fails on timeout. */
  static JsonNode awaitFinal(String requestId) throws Exception {
    long deadline = System.nanoTime() + RENDER_TIMEOUT.toNanos();
    JsonNode status = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get("/v1/requests/" + requestId, KEY);
      if (response.statusCode() == 200) {
        status = json(response);
        if (status.get("complete").asBoolean()) {
          return status;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("request " + requestId + " not complete after " + RENDER_TIMEOUT + ": " + status);
  }

  static byte[] download(String url) throws Exception {
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as("GET presigned " + url).isEqualTo(200);
    return response.body();
  }

  static synchronized Published published() throws Exception {
    if (published == null) {
      String batch = batch("http");
      // The prompt and seed PipelineIT also expects the moderation to approve.
      HttpResponse<String> accepted = post("/v1/requests", KEY, "{\"prompt\": \"a large red circle on a blue"
          + " background\", \"seed\": 1, \"batchId\": \"" + batch + "\"}");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      String requestId = json(accepted).get("requestId").asText();
      JsonNode status = awaitFinal(requestId);
      assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("PUBLISHED");
      JsonNode image = status.get("images").get(0);
      published = new Published(requestId, image.get("assetKey").asText(), image.get("sha256").asText());
    }
    return published;
  }

  @Test
  void aSubmittedRequestIsPublishedAndItsPresignedUrlServesTheStoredImage() throws Exception {
    Published request = published();

    JsonNode status = json(get("/v1/requests/" + request.requestId(), KEY));
    JsonNode image = status.get("images").get(0);
    byte[] bytes = download(image.get("url").asText());

    assertThat(bytes).isEqualTo(pipeline.store.getBytes(request.assetKey()).orElseThrow());
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(request.sha256());
    assertThat(image.get("verdict").get("decision").asText()).isEqualTo("APPROVED");
    assertThat(image.get("params").get("seed").asLong()).isEqualTo(1);
    assertThat(image.get("timings").get("renderMillis").asLong()).isPositive();
    JsonNode batch = json(get("/v1/batches/" + status.get("batchId").asText(), KEY));
    assertThat(batch.get("published").asInt()).isEqualTo(1);
    assertThat(batch.get("complete").asBoolean()).isTrue();
  }

  @Test
  void aRestartedServerRebuildsTheStatusFromTheTopics() throws Exception {
    Published request = published();

    server.close();
    server = startServer();
    HttpResponse<String> response = get("/v1/requests/" + request.requestId(), KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode status = json(response);
    assertThat(status.get("status").asText()).isEqualTo("PUBLISHED");
    assertThat(status.get("submittedAt").isNull()).as("the request itself was re-read from kiln.requests").isFalse();
    JsonNode image = status.get("images").get(0);
    assertThat(image.get("assetKey").asText()).isEqualTo(request.assetKey());
    assertThat(download(image.get("url").asText()))
        .isEqualTo(pipeline.store.getBytes(request.assetKey()).orElseThrow());
  }

  @Test
  void aWrongKeyGets401() throws Exception {
    HttpResponse<String> response = post("/v1/requests", "wrong-key-0123456789abcdef", "{\"prompt\": \"a\"}");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).get("error").asText()).isEqualTo("unknown API key");
  }

  @Test
  void anotherTenantsRequestIsNotFound() throws Exception {
    String batch = batch("http-tenant");
    HttpResponse<String> accepted = post("/v1/requests", KEY, "{\"prompt\": \"a small green square on a white"
        + " background\", \"batchId\": \"" + batch + "\"}");
    String requestId = json(accepted).get("requestId").asText();

    HttpResponse<String> mine = get("/v1/requests/" + requestId, KEY);
    HttpResponse<String> theirs = get("/v1/requests/" + requestId, OTHER_KEY);
    HttpResponse<String> theirBatch = get("/v1/batches/" + batch, OTHER_KEY);

    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(theirs.statusCode()).isEqualTo(404);
    assertThat(json(theirs).get("error").asText()).isEqualTo("no request \"" + requestId + "\"");
    assertThat(theirBatch.statusCode()).isEqualTo(404);
  }

  @Test
  void aBadFieldGets400NamingItAndNothingIsPublished() throws Exception {
    String batch = batch("http-bad");
    HttpResponse<String> response = post("/v1/batches", KEY, "{\"batchId\": \"" + batch + "\", \"requests\": ["
        + "{\"prompt\": \"a red circle\"}, {\"prompt\": \"a blue square\", \"width\": 100}]}");

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("field").asText()).isEqualTo("width");
    assertThat(body.get("index").asInt()).isEqualTo(1);
    assertThat(body.get("error").asText())
        .isEqualTo("requests[1].width: must be a multiple of 8 from 32 to 1024, got 100; nothing published");
    var requests = Kafka.readUntil(pipeline.stack.bootstrapServers(), "kiln.requests", Duration.ofSeconds(5),
        seen -> false);
    assertThat(requests).noneMatch(r -> new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains(batch));
    assertThat(Set.of(get("/v1/batches/" + batch, KEY).statusCode())).containsExactly(404);
  }
}
