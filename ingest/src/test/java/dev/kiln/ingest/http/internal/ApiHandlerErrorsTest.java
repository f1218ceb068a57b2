package dev.kiln.ingest.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.http.ApiKeys;
import dev.kiln.ingest.http.AssetLinks;
import dev.kiln.ingest.http.Quotas;
import dev.kiln.ingest.http.TestResults;
import dev.kiln.schemas.RenderRequest;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** 5xx answers carry a fixed message and an error id, never the text of the exception behind them. */
class ApiHandlerErrorsTest {
  static final String KEY = "acme-key-0123456789abcdef";
  static final String SECRET = "sasl.jaas.config password=\"hunter2-S3CR3T\" AKIAIOSFODNN7EXAMPLE";
  static final ObjectMapper JSON = new ObjectMapper();

  final StatusStore store = new StatusStore();
  final HttpClient http = HttpClient.newHttpClient();
  Javalin app;

  URI start(RequestSink sink, AssetLinks links) {
    ApiHandler handler = new ApiHandler(ApiKeys.of(Map.of(KEY, "acme")), sink, store, () -> true, links,
        Clock.systemUTC(), 1 << 20, "openapi: 3.0.3\n".getBytes(StandardCharsets.UTF_8), "kiln.results",
        new QuotaCounter(Quotas.UNLIMITED));
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      handler.register(config);
    }).start("127.0.0.1", 0);
    return URI.create("http://127.0.0.1:" + app.port());
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.header("X-Api-Key", KEY).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static RequestSink failingWith(Exception failure) {
    return new RequestSink() {
      @Override
      public void publish(List<RenderRequest> requests) throws PublishException {
        if (failure instanceof PublishException p) {
          throw p;
        }
        throw (RuntimeException) failure;
      }

      @Override
      public void close() {}
    };
  }

  static final RequestSink ACCEPTS = new RequestSink() {
    @Override
    public void publish(List<RenderRequest> requests) {}

    @Override
    public void close() {}
  };

  static void assertNoLeak(HttpResponse<String> response) throws Exception {
    assertThat(response.body()).doesNotContain("hunter2").doesNotContain("AKIA").doesNotContain("sasl");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("errorId").asText()).matches("[0-9a-f]{16}");
  }

  @Test
  void aKafkaFailureAnswers503WithoutItsText() throws Exception {
    URI base = start(failingWith(new PublishException("cannot publish request \"r1\" to kiln.requests: "
        + SECRET, new SaslAuthenticationException(SECRET))), r -> null);

    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/v1/requests"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a\"}")));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    assertNoLeak(response);
  }

  @Test
  void anS3SigningFailureAnswers503WithoutItsText() throws Exception {
    URI base = start(ACCEPTS, key -> {
      throw SdkClientException.create("Unable to load credentials: " + SECRET);
    });
    store.result(TestResults.published("acme", "b1", "r1", 0, 1));

    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/v1/requests/r1")).GET());

    assertThat(response.statusCode()).isEqualTo(503);
    assertNoLeak(response);
  }

  @Test
  void aBugAnswers500WithoutItsText() throws Exception {
    URI base = start(failingWith(new IllegalStateException(SECRET)), r -> null);

    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/v1/requests"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a\"}")));

    assertThat(response.statusCode()).isEqualTo(500);
    assertNoLeak(response);
  }
}
