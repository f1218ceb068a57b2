package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.ingest.webhook.WebhookSender.Outcome;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {
  static final String SECRET = "acme-webhook-secret-0123456789";
  static final byte[] BODY = "{\"imageId\":\"r1-0\",\"status\":\"PUBLISHED\"}".getBytes(StandardCharsets.UTF_8);
  static final Instant SENT = Instant.parse("2026-11-22T00:15:42Z");

  final Receiver receiver;

  WebhookSenderTest() throws Exception {
    receiver = new Receiver();
  }

  @AfterEach
  void close() {
    receiver.close();
  }

  WebhookSender sender(URI url, int maxAttempts) {
    return WebhookSender.builder()
        .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(url, SECRET)), true))
        .optMaxAttempts(maxAttempts)
        .optInitialBackoff(Duration.ofMillis(1))
        .optMaxBackoff(Duration.ofMillis(4))
        .optConnectTimeout(Duration.ofSeconds(2))
        .optRequestTimeout(Duration.ofSeconds(2))
        .optClock(Clock.fixed(SENT, ZoneOffset.UTC))
        .build();
  }

  @Test
  void postsTheBodySignedWithTheTenantsSecret() throws Exception {
    Outcome outcome = sender(receiver.url(), 5).deliver("acme", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    Receiver.Delivery delivery = receiver.deliveries.get(0);
    assertThat(delivery.body()).isEqualTo(BODY);
    assertThat(delivery.header("Content-Type")).isEqualTo("application/json");
    assertThat(delivery.header("X-Kiln-Timestamp")).isEqualTo("1795306542");
    assertThat(delivery.header("X-Kiln-Signature")).matches("v1=[0-9a-f]{64}")
        .isEqualTo(Signatures.sign(1795306542L, BODY, SECRET));
    assertThat(Signatures.verify(delivery.body(), SECRET, delivery.header("X-Kiln-Signature"),
        delivery.header("X-Kiln-Timestamp"), SENT)).isTrue();
    assertThat(Signatures.verify(delivery.body(), "another-secret-0123456789", delivery.header("X-Kiln-Signature"),
        delivery.header("X-Kiln-Timestamp"), SENT)).isFalse();
    assertThat(delivery.header("X-Kiln-Image-Id")).isEqualTo("r1-0");
    assertThat(delivery.header("X-Kiln-Attempt")).isEqualTo("1");
  }

  @Test
  void retriesAfterA500AndDeliversTheSameSignedBody() throws Exception {
    receiver.answer(500, 503);

    Outcome outcome = sender(receiver.url(), 5).deliver("acme", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    assertThat(receiver.deliveries).hasSize(3);
    assertThat(receiver.deliveries).extracting(d -> d.header("X-Kiln-Attempt")).containsExactly("1", "2", "3");
    assertThat(receiver.deliveries).extracting(Receiver.Delivery::body).containsOnly(BODY);
    assertThat(receiver.deliveries).allSatisfy(d -> assertThat(Signatures.verify(d.body(), SECRET,
        d.header("X-Kiln-Signature"), d.header("X-Kiln-Timestamp"), SENT)).isTrue());
  }

  @Test
  void signsEachAttemptWithItsOwnTimestamp() throws Exception {
    receiver.answer(500);
    Instant[] now = {SENT};
    Clock ticking = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() {
        Instant t = now[0];
        now[0] = t.plusSeconds(600);
        return t;
      }
    };
    WebhookSender sender = WebhookSender.builder()
        .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(receiver.url(), SECRET)), true))
        .optInitialBackoff(Duration.ofMillis(1))
        .optClock(ticking)
        .build();

    assertThat(sender.deliver("acme", "r1-0", BODY)).isEqualTo(Outcome.DELIVERED);

    Receiver.Delivery retry = receiver.deliveries.get(1);
    assertThat(retry.header("X-Kiln-Timestamp")).isEqualTo(Long.toString(SENT.plusSeconds(600).getEpochSecond()));
    assertThat(Signatures.verify(retry.body(), SECRET, retry.header("X-Kiln-Signature"),
        retry.header("X-Kiln-Timestamp"), SENT.plusSeconds(600))).isTrue();
  }

  @Test
  void givesUpAfterTheLastAttempt() throws Exception {
    receiver.answer(500, 502, 503, 504, 500, 500);

    Outcome outcome = sender(receiver.url(), 4).deliver("acme", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.GAVE_UP);
    assertThat(receiver.deliveries).hasSize(4);
  }

  @Test
  void retriesWhenNothingListensThenGivesUp() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook");
    }

    assertThat(sender(closed, 3).deliver("acme", "r1-0", BODY)).isEqualTo(Outcome.GAVE_UP);
  }

  @Test
  void doesNotRetryAClientError() throws Exception {
    receiver.answer(400);

    Outcome outcome = sender(receiver.url(), 5).deliver("acme", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.REJECTED);
    assertThat(receiver.deliveries).hasSize(1);
  }

  @Test
  void sendsNothingForATenantWithoutWebhook() throws Exception {
    Outcome outcome = sender(receiver.url(), 5).deliver("globex", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.NO_ENDPOINT);
    assertThat(receiver.deliveries).isEmpty();
  }

  @Test
  void theWorstCaseCountsEveryTimeoutAndBackoff() {
    WebhookSender sender = WebhookSender.builder()
        .setConfig(WebhookConfig.of(Map.of()))
        .build();

    // 5 attempts of 10 s plus backoffs of 1, 2, 4 and 8 s.
    assertThat(sender.worstCase()).isEqualTo(Duration.ofSeconds(65));
  }

  @Test
  void buildSaysWhatIsWrong() {
    assertThatThrownBy(() -> WebhookSender.builder().build())
        .hasMessage("No webhook config: call setConfig(WebhookConfig.load(path)) (kiln notify --webhooks)");
    assertThatThrownBy(() -> WebhookSender.builder().setConfig(WebhookConfig.of(Map.of())).optMaxAttempts(0).build())
        .hasMessage("maxAttempts is 0: pass 1 (no retries) to 20 to optMaxAttempts");
  }
}
