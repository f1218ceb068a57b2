package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.storage.S3Settings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole API on a real HTTP port, with Kafka replaced by MockProducer and MockConsumer. */
class KilnApiServerTest {
  static final String ACME_KEY = "acme-key-0123456789abcdef";
  static final String GLOBEX_KEY = "globex-key-0123456789abcdef";
  static final Instant NOW = Instant.parse("2026-11-22T00:15:30Z");
  static final S3Settings S3 = S3Settings.builder()
      .setBucket("kiln")
      .optEndpoint(URI.create("http://127.0.0.1:9000"))
      .optCredentials("test-access", "test-secret")
      .build();
  static final ObjectMapper JSON = new ObjectMapper();
  static final int STALLED_CLIENTS = 64;
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

  final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  final FakeTopics topics = new FakeTopics();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  KilnApiServer server;

  KilnApiServer start(Consumer<KilnApiServer.Builder> options) {
    KilnApiServer.Builder builder = KilnApiServer.builder()
        .setBootstrapServers("mock:9092")
        .setS3Settings(S3)
        .setApiKeys(Map.of(ACME_KEY, "acme", GLOBEX_KEY, "globex"))
        .optHost("127.0.0.1")
        .optPort(0)
        .optThreads(2)
        .optShutdownGrace(Duration.ZERO)
        .optClock(Clock.fixed(NOW, ZoneOffset.UTC))
        .optProducerFactory(config -> producer)
        .optConsumerFactory(config -> topics.consumer);
    options.accept(builder);
    server = builder.build().start();
    return server;
  }

  KilnApiServer startReady() throws InterruptedException {
    start(b -> {});
    assertThat(server.awaitReady(Duration.ofSeconds(5))).isTrue();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder post(String path, String key, String body) {
    return HttpRequest.newBuilder(server.uri().resolve(path))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  HttpRequest.Builder get(String path, String key) {
    return HttpRequest.newBuilder(server.uri().resolve(path)).header("Authorization", "Bearer " + key).GET();
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    return JSON.readTree(response.body());
  }

  List<RenderRequest> published() {
    List<RenderRequest> requests = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : producer.history()) {
      try {
        RenderRequest request = Codecs.REQUEST.decode(r.value());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(request.getRequestId());
        assertThat(r.topic()).isEqualTo("kiln.requests");
        requests.add(request);
      } catch (InvalidRecordException e) {
        throw new AssertionError(e);
      }
    }
    return requests;
  }

  @Test
  void acceptsARequestPublishesItUnderTheKeysTenantAndPointsToItsStatus() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY,
        "{\"prompt\": \"a red circle\", \"width\": 128, \"seed\": 7, \"labels\": {\"sku\": \"A-1\"}}"));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = json(response);
    RenderRequest published = published().get(0);
    assertThat(published.getTenant()).isEqualTo("acme");
    assertThat(published.getBatchId()).isEqualTo("api");
    assertThat(published.getWidth()).isEqualTo(128);
    assertThat(published.getHeight()).isEqualTo(64);
    assertThat(published.getSeed()).isEqualTo(7L);
    assertThat(published.getLabels()).containsEntry("sku", "A-1");
    assertThat(published.getSubmittedAt()).isEqualTo(NOW);
    assertThat(published.getRequestId()).hasSize(24);
    assertThat(body.get("requestId").asText()).isEqualTo(published.getRequestId());
    assertThat(body.get("batchId").asText()).isEqualTo("api");
    assertThat(body.get("status").asText()).isEqualTo("PENDING");
    assertThat(body.get("statusUrl").asText()).isEqualTo("/v1/requests/" + published.getRequestId());
    assertThat(response.headers().firstValue("Location")).hasValue("/v1/requests/" + published.getRequestId());
  }

  @Test
  void samePromptAndSeedPostedTwiceGetsTheSameRequestId() throws Exception {
    startReady();
    String body = "{\"prompt\": \"a red circle\", \"seed\": 7}";

    String first = json(send(post("/v1/requests", ACME_KEY, body))).get("requestId").asText();
    String second = json(send(post("/v1/requests", ACME_KEY, body))).get("requestId").asText();

    assertThat(second).isEqualTo(first);
  }

  @Test
  void aBadFieldAnswers400NamingTheFieldAndPublishesNothing() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY, "{\"prompt\": \"a red circle\", \"width\": 100}"));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("field").asText()).isEqualTo("width");
    assertThat(body.get("error").asText())
        .isEqualTo("width: must be a multiple of 8 from 32 to 1024, got 100; nothing published");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void everyBadFieldIsListed() throws Exception {
    startReady();

    JsonNode body = json(send(post("/v1/requests", ACME_KEY,
        "{\"width\": 100, \"steps\": \"many\", \"colour\": \"red\"}")));

    assertThat(body.get("errors").findValuesAsText("field")).containsExactly("steps", "colour", "prompt", "width");
    assertThat(body.get("errors").get(0).get("message").asText()).isEqualTo("expected an integer, got \"many\"");
    assertThat(body.get("errors").get(1).get("message").asText()).startsWith("unknown field; allowed fields: requestId,");
    assertThat(body.get("error").asText()).startsWith("4 problems, the first: steps: expected an integer");
  }

  @Test
  void aRequestCanAskForNearDuplicatesToBeRerendered() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY,
        "{\"prompt\": \"a red circle\", \"rerenderNearDuplicates\": true}"));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(published().get(0).getRerenderNearDuplicates()).isTrue();
  }

  @Test
  void aRerenderNearDuplicatesThatIsNotABooleanAnswers400NamingTheField() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY,
        "{\"prompt\": \"a red circle\", \"rerenderNearDuplicates\": \"yes\"}"));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("field").asText()).isEqualTo("rerenderNearDuplicates");
    assertThat(body.get("error").asText())
        .isEqualTo("rerenderNearDuplicates: expected true or false, got \"yes\"; nothing published");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aBodyTenantOtherThanTheKeysIsRejectedNamingTenant() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY,
        "{\"prompt\": \"a red circle\", \"tenant\": \"globex\"}"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("field").asText()).isEqualTo("tenant");
    assertThat(json(response).get("error").asText())
        .isEqualTo("tenant: must be absent or the API key's tenant \"acme\", got \"globex\"; nothing published");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aBodyTenantEqualToTheKeysIsAccepted() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY, "{\"prompt\": \"a\", \"tenant\": \"acme\"}"));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(published().get(0).getTenant()).isEqualTo("acme");
  }

  @Test
  void aMissingOrUnknownKeyAnswers401() throws Exception {
    startReady();

    HttpResponse<String> missing = send(HttpRequest.newBuilder(server.uri().resolve("/v1/requests/r1")).GET());
    HttpResponse<String> unknown = send(get("/v1/requests/r1", "not-a-key-0123456789"));
    HttpResponse<String> basic = send(HttpRequest.newBuilder(server.uri().resolve("/v1/requests/r1"))
        .header("Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l").GET());

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).get("error").asText()).startsWith("missing API key");
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"kiln\"");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(json(unknown).get("error").asText()).isEqualTo("unknown API key");
    assertThat(json(unknown).has("field")).isTrue();
    assertThat(basic.statusCode()).isEqualTo(401);
  }

  @Test
  void theXApiKeyHeaderAuthenticatesToo() throws Exception {
    startReady();

    HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri().resolve("/v1/requests"))
        .header("X-Api-Key", GLOBEX_KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a\"}")));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(published().get(0).getTenant()).isEqualTo("globex");
  }

  @Test
  void aWrongMethodAnswers405WithAllow() throws Exception {
    startReady();

    HttpResponse<String> getRequests = send(get("/v1/requests", ACME_KEY));
    HttpResponse<String> deleteRequest = send(HttpRequest.newBuilder(server.uri().resolve("/v1/requests/r1"))
        .header("Authorization", "Bearer " + ACME_KEY).DELETE());

    assertThat(getRequests.statusCode()).isEqualTo(405);
    assertThat(getRequests.headers().firstValue("Allow")).hasValue("POST");
    assertThat(json(getRequests).get("error").asText()).isEqualTo("GET is not allowed here; use POST");
    assertThat(deleteRequest.statusCode()).isEqualTo(405);
    assertThat(deleteRequest.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void aNonJsonBodyAnswers415() throws Exception {
    startReady();

    HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri().resolve("/v1/requests"))
        .header("Authorization", "Bearer " + ACME_KEY)
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("a red circle")));

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(json(response).get("error").asText()).isEqualTo("Content-Type must be application/json, got \"text/plain\"");
  }

  @Test
  void aBodyOverTheLimitAnswers413() throws Exception {
    start(b -> b.optMaxBodyBytes(1024));
    server.awaitReady(Duration.ofSeconds(5));

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY,
        "{\"prompt\": \"" + "a".repeat(2000) + "\"}"));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).get("error").asText()).startsWith("body larger than 1024 bytes");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void malformedJsonAnswers400SayingWhere() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY, "{\n  \"prompt\": \"a\",\n  \"width\": }"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).startsWith("invalid JSON at line 3, column 12:");
    assertThat(json(response).get("field").isNull()).isTrue();
  }

  @Test
  void anUnknownPathAnswers404InJson() throws Exception {
    startReady();

    HttpResponse<String> response = send(get("/v2/requests", ACME_KEY));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).isEqualTo("no endpoint /v2/requests; see /v1/openapi.yaml");
  }

  @Test
  void anAcceptedRequestIsPendingUntilItsResultArrives() throws Exception {
    startReady();
    String id = json(send(post("/v1/requests", ACME_KEY, "{\"prompt\": \"a\", \"requestId\": \"r1\"}")))
        .get("requestId").asText();

    JsonNode status = json(send(get("/v1/requests/" + id, ACME_KEY)));

    assertThat(status.get("status").asText()).isEqualTo("PENDING");
    assertThat(status.get("complete").asBoolean()).isFalse();
    assertThat(status.get("imageCount").asInt()).isEqualTo(1);
    assertThat(status.get("counts").get("pending").asInt()).isEqualTo(1);
    assertThat(status.get("images")).isEmpty();
    assertThat(status.get("submittedAt").asText()).isEqualTo(NOW.toString());
  }

  @Test
  void aPublishedImageComesWithAPresignedUrlItsVerdictAndTimings() throws Exception {
    startReady();
    topics.add(TestResults.published("acme", "b1", "r1", 0, 1));

    JsonNode status = awaitStatus("r1", ACME_KEY, "PUBLISHED");

    JsonNode image = status.get("images").get(0);
    assertThat(image.get("assetKey").asText()).isEqualTo("assets/acme/b1/r1-0.png");
    URI url = URI.create(image.get("url").asText());
    assertThat(url.getHost()).isEqualTo("127.0.0.1");
    assertThat(url.getPath()).isEqualTo("/kiln/assets/acme/b1/r1-0.png");
    assertThat(url.getQuery()).contains("X-Amz-Expires=900").contains("X-Amz-Credential=test-access/");
    assertThat(Instant.parse(image.get("urlExpiresAt").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(14)));
    assertThat(image.get("verdict").get("decision").asText()).isEqualTo("APPROVED");
    assertThat(image.get("verdict").get("policy").get("version").asText()).isEqualTo("3");
    assertThat(image.get("sha256").asText()).isEqualTo("ab".repeat(32));
    assertThat(image.get("timings").get("renderMillis").asLong()).isEqualTo(812);
    assertThat(status.get("complete").asBoolean()).isTrue();
    assertThat(status.get("batchId").asText()).isEqualTo("b1");
  }

  @Test
  void anotherTenantsRequestIsNotFoundLikeAnUnknownOne() throws Exception {
    startReady();
    topics.add(TestResults.published("acme", "b1", "r1", 0, 1));
    awaitStatus("r1", ACME_KEY, "PUBLISHED");

    HttpResponse<String> theirs = send(get("/v1/requests/r1", GLOBEX_KEY));
    HttpResponse<String> unknown = send(get("/v1/requests/r2", GLOBEX_KEY));
    HttpResponse<String> theirBatch = send(get("/v1/batches/b1", GLOBEX_KEY));

    assertThat(theirs.statusCode()).isEqualTo(404);
    assertThat(json(theirs).get("error").asText()).isEqualTo("no request \"r1\"");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(theirBatch.statusCode()).isEqualTo(404);
  }

  @Test
  void statusAnswers503WithRetryAfterUntilTheTopicsAreReadUpToTheirEnd() throws Exception {
    topics.withBacklog(FakeTopics.RESULTS, 1);
    start(b -> {});

    HttpResponse<String> early = send(get("/v1/requests/r1", ACME_KEY));
    HttpResponse<String> readyz = send(HttpRequest.newBuilder(server.uri().resolve("/readyz")).GET());
    topics.add(TestResults.published("acme", "b1", "r1", 0, 1));
    assertThat(server.awaitReady(Duration.ofSeconds(5))).isTrue();
    HttpResponse<String> later = send(get("/v1/requests/r1", ACME_KEY));

    assertThat(early.statusCode()).isEqualTo(503);
    assertThat(early.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(json(early).get("error").asText()).startsWith("still reading kiln.results");
    assertThat(readyz.statusCode()).isEqualTo(503);
    assertThat(later.statusCode()).isEqualTo(200);
    assertThat(json(later).get("status").asText()).isEqualTo("PUBLISHED");
  }

  @Test
  void aRequestDeadLetteredBeforeRenderingIsFailedWithTheReason() throws Exception {
    startReady();
    topics.addDeadLetter(TestResults.request("acme", "b1", "r9", 1), "field \"model\": unknown model \"nope\"");

    JsonNode status = awaitStatus("r9", ACME_KEY, "FAILED");

    assertThat(status.get("failure").asText()).isEqualTo("validate: field \"model\": unknown model \"nope\"");
    assertThat(status.get("complete").asBoolean()).isTrue();
  }

  @Test
  void aBatchIsPublishedWholeAndCountedByStatus() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/batches", ACME_KEY, "{\"batchId\": \"spring\", \"requests\": ["
        + "{\"prompt\": \"a red circle\", \"requestId\": \"s1\"},"
        + "{\"prompt\": \"a blue square\", \"requestId\": \"s2\", \"numImages\": 2},"
        + "{\"prompt\": \"a green triangle\", \"requestId\": \"s3\", \"batchId\": \"spring\"}]}"));
    topics.add(TestResults.published("acme", "spring", "s1", 0, 1));
    topics.add(TestResults.published("acme", "spring", "s2", 0, 2));
    topics.add(TestResults.rejected("acme", "spring", "s2", 1, 2));
    JsonNode batch = awaitBatch("spring", ACME_KEY, 3);

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode accepted = json(response);
    assertThat(accepted.get("count").asInt()).isEqualTo(3);
    assertThat(accepted.get("requestIds")).extracting(JsonNode::asText).containsExactly("s1", "s2", "s3");
    assertThat(accepted.get("statusUrl").asText()).isEqualTo("/v1/batches/spring");
    assertThat(published()).extracting(RenderRequest::getBatchId).containsOnly("spring");
    assertThat(batch.get("requests").asInt()).isEqualTo(3);
    assertThat(batch.get("completeRequests").asInt()).isEqualTo(2);
    assertThat(batch.get("expectedImages").asInt()).isEqualTo(4);
    assertThat(batch.get("published").asInt()).isEqualTo(2);
    assertThat(batch.get("rejected").asInt()).isEqualTo(1);
    assertThat(batch.get("failed").asInt()).isZero();
    assertThat(batch.get("pendingImages").asInt()).isEqualTo(1);
    assertThat(batch.get("complete").asBoolean()).isFalse();
    JsonNode s2 = json(send(get("/v1/requests/s2", ACME_KEY)));
    assertThat(s2.get("status").asText()).isEqualTo("REJECTED");
    assertThat(s2.get("images").get(1).get("url").isNull()).isTrue();
    assertThat(s2.get("images").get(1).get("assetKey").isNull()).isTrue();
  }

  @Test
  void oneBadElementRejectsTheWholeBatchNamingItsIndexAndField() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/batches", ACME_KEY, "{\"batchId\": \"spring\", \"requests\": ["
        + "{\"prompt\": \"a red circle\"},"
        + "{\"prompt\": \"a blue square\", \"steps\": 0},"
        + "{\"prompt\": \"a\", \"requestId\": \"x\"}, {\"prompt\": \"b\", \"requestId\": \"x\"}]}"));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("index").asInt()).isEqualTo(1);
    assertThat(body.get("field").asText()).isEqualTo("steps");
    assertThat(body.get("error").asText()).isEqualTo("2 problems, the first: requests[1].steps: must be 1..150, got 0;"
        + " nothing published");
    assertThat(body.get("errors").get(1).get("index").asInt()).isEqualTo(3);
    assertThat(body.get("errors").get(1).get("field").asText()).isEqualTo("requestId");
    assertThat(body.get("errors").get(1).get("message").asText()).isEqualTo("duplicate \"x\", also at index 2");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void theTemplateFormIsRejectedNamingTemplate() throws Exception {
    startReady();

    HttpResponse<String> response = send(post("/v1/batches", ACME_KEY,
        "{\"batchId\": \"cat\", \"template\": \"a {colour} mug\", \"rows\": [{\"colour\": \"red\"}]}"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("field").asText()).isEqualTo("template");
  }

  @Test
  void aBatchWithoutRequestsOrWithABadIdIsRejected() throws Exception {
    startReady();

    JsonNode empty = json(send(post("/v1/batches", ACME_KEY, "{\"batchId\": \"b1\", \"requests\": []}")));
    JsonNode badId = json(send(post("/v1/batches", ACME_KEY, "{\"batchId\": \"../b1\", \"requests\": [{\"prompt\": \"a\"}]}")));

    assertThat(empty.get("field").asText()).isEqualTo("requests");
    assertThat(badId.get("field").asText()).isEqualTo("batchId");
    assertThat(badId.get("error").asText()).startsWith("must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }

  @Test
  void aBatchWithoutIdGetsOneFromTheClock() throws Exception {
    startReady();

    JsonNode accepted = json(send(post("/v1/batches", ACME_KEY, "{\"requests\": [{\"prompt\": \"a\"}]}")));

    assertThat(accepted.get("batchId").asText()).isEqualTo("b-20261122-001530");
  }

  @Test
  void kafkaNotAcknowledgingAnswers503() throws Exception {
    producer.sendException = new TimeoutException("Topic kiln.requests not present in metadata after 10000 ms.");
    startReady();

    HttpResponse<String> response = send(post("/v1/requests", ACME_KEY, "{\"prompt\": \"a\", \"requestId\": \"r1\"}"));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(json(response).get("error").asText()).startsWith("cannot publish the requests right now;");
    assertThat(response.body()).doesNotContain("TimeoutException").doesNotContain("not present in metadata");
    assertThat(json(response).get("errorId").asText()).hasSize(16);
    assertThat(send(get("/v1/requests/r1", ACME_KEY)).statusCode()).isEqualTo(404);
  }

  @Test
  void aCallOverTheTenantsQuotaAnswers429WithRetryAfterAndPublishesNothingOfIt() throws Exception {
    start(b -> b.optQuotas(Quotas.of(new Quotas.Limit(3, 0), Map.of())));
    server.awaitReady(Duration.ofSeconds(5));
    send(post("/v1/requests", ACME_KEY, "{\"prompt\": \"a\", \"numImages\": 2}"));

    HttpResponse<String> over = send(post("/v1/batches", ACME_KEY, "{\"batchId\": \"b1\", \"requests\": ["
        + "{\"prompt\": \"a\"}, {\"prompt\": \"b\"}]}"));
    HttpResponse<String> otherTenant = send(post("/v1/requests", GLOBEX_KEY, "{\"prompt\": \"a\", \"numImages\": 3}"));

    assertThat(over.statusCode()).isEqualTo(429);
    // Fixed clock: the first charge expires a whole hour from now.
    assertThat(over.headers().firstValue("Retry-After")).hasValue("3600");
    JsonNode body = json(over);
    assertThat(body.get("quota").asText()).isEqualTo("imagesPerHour");
    assertThat(body.get("limit").asLong()).isEqualTo(3);
    assertThat(body.get("requested").asLong()).isEqualTo(2);
    assertThat(body.get("used").asLong()).isEqualTo(2);
    assertThat(body.get("error").asText()).startsWith("over the imagesPerHour quota: this call asks for 2, 2 of 3");
    assertThat(otherTenant.statusCode()).isEqualTo(202);
    assertThat(published()).extracting(RenderRequest::getTenant).containsExactly("acme", "globex");
  }

  @Test
  void aBatchAskingForMoreThanAnHourAllowsIsRefusedWhole() throws Exception {
    start(b -> b.optQuotas(Quotas.of(new Quotas.Limit(0, 64L * 64 * 20 * 2), Map.of())));
    server.awaitReady(Duration.ofSeconds(5));

    HttpResponse<String> response = send(post("/v1/batches", ACME_KEY, "{\"requests\": ["
        + "{\"prompt\": \"a\"}, {\"prompt\": \"b\"}, {\"prompt\": \"c\"}]}"));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(json(response).get("quota").asText()).isEqualTo("pixelStepsPerHour");
    assertThat(json(response).get("requested").asLong()).isEqualTo(64L * 64 * 20 * 3);
    assertThat(json(response).get("error").asText()).contains("split it into smaller calls");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void theOpenApiDocumentAndHealthNeedNoKey() throws Exception {
    startReady();

    HttpResponse<String> openApi = send(HttpRequest.newBuilder(server.uri().resolve("/v1/openapi.yaml")).GET());
    HttpResponse<String> health = send(HttpRequest.newBuilder(server.uri().resolve("/healthz")).GET());

    assertThat(openApi.statusCode()).isEqualTo(200);
    assertThat(openApi.headers().firstValue("Content-Type")).hasValue("application/yaml; charset=utf-8");
    assertThat(openApi.body()).startsWith("openapi: 3.0.3");
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void halfSentRequestsNeitherBlockHealthNorStayOpenPastTheHeaderTimeout() throws Exception {
    start(b -> b.optHeaderTimeout(HEADER_TIMEOUT));
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < STALLED_CLIENTS; i++) {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        // A request line and one header, then nothing: the slow-loris pattern.
        socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i)
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        stalled.add(socket);
      }

      HttpResponse<String> health = http.send(HttpRequest.newBuilder(server.uri().resolve("/healthz"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      for (Socket socket : stalled) {
        // The bound: header timeout plus one sweep, with room for a loaded machine.
        socket.setSoTimeout((int) HEADER_TIMEOUT.multipliedBy(4).toMillis());
        assertThat(closedByServer(socket)).as("stalled connection closed by the server").isTrue();
      }
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  /** Reads until the server closes the connection; false when it is still open at the socket's timeout. */
  static boolean closedByServer(Socket socket) throws IOException {
    try {
      InputStream in = socket.getInputStream();
      while (in.read() != -1) {
        // Whatever the server says first (an error status at most), then end of stream.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset by the server
    }
  }

  @Test
  void buildSaysWhatIsMissing() {
    assertThatThrownBy(() -> KilnApiServer.builder().setS3Settings(S3).setApiKeys(Map.of(ACME_KEY, "acme")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No bootstrap servers: call setBootstrapServers(\"localhost:9092\") (kiln serve --bootstrap-servers)");
    assertThatThrownBy(() -> KilnApiServer.builder().setBootstrapServers("k:9092").setApiKeys(Map.of(ACME_KEY, "acme"))
        .build())
        .hasMessageStartingWith("No S3 settings: call setS3Settings(...)");
    assertThatThrownBy(() -> KilnApiServer.builder().setBootstrapServers("k:9092").setS3Settings(S3).build())
        .hasMessageStartingWith("No API keys: every call would get 401");
    assertThatThrownBy(() -> KilnApiServer.builder().setBootstrapServers("k:9092").setS3Settings(S3)
        .setApiKeys(Map.of(ACME_KEY, "acme")).optPresignTtl(Duration.ofDays(8)).build())
        .hasMessage("presigned URL TTL is PT192H: pass 1 second to 7 days (PT1S..P7D), e.g. PT15M");
  }

  @Test
  void aMissingResultsTopicStopsTheStart() {
    assertThatThrownBy(() -> start(b -> b.optResultsTopic("kiln.results.missing")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("topic kiln.results.missing does not exist");
  }

  JsonNode awaitStatus(String requestId, String key, String status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    JsonNode body = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = send(get("/v1/requests/" + requestId, key));
      if (response.statusCode() == 200) {
        body = json(response);
        if (body.get("status").asText().equals(status)) {
          return body;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("request " + requestId + " did not become " + status + ": " + body);
  }

  JsonNode awaitBatch(String batchId, String key, int results) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    JsonNode body = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = send(get("/v1/batches/" + batchId, key));
      if (response.statusCode() == 200) {
        body = json(response);
        if (body.get("results").asInt() >= results) {
          return body;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("batch " + batchId + " did not reach " + results + " results: " + body);
  }

  @Test
  void everyKafkaClientOfTheServerGetsTheSecuritySettings() throws InterruptedException {
    List<Map<String, Object>> configs = new java.util.ArrayList<>();
    start(b -> b.setKafka(new dev.kiln.schemas.KafkaEndpoint("broker:9093",
            Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512")))
        .optProducerFactory(config -> {
          configs.add(config);
          return producer;
        })
        .optConsumerFactory(config -> {
          configs.add(config);
          return topics.consumer;
        }));

    assertThat(configs).hasSize(2).allSatisfy(config -> assertThat(config)
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512"));
  }
}
