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
        .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(url, SECRET))))
        .optMaxAttempts(maxAttempts)
        .optInitialBackoff(Duration.ofMillis(1))
        .optMaxBackoff(Duration.ofMillis(4))
        .optConnectTimeout(Duration.ofSeconds(2))
        .optRequestTimeout(Duration.ofSeconds(2))
        .optClock(Clock.fixed(Instant.parse("2026-11-22T00:15:42Z"), ZoneOffset.UTC))
        .build();
  }

  @Test
  void postsTheBodySignedWithTheTenantsSecret() throws Exception {
    Outcome outcome = sender(receiver.url(), 5).deliver("acme", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    Receiver.Delivery delivery = receiver.deliveries.get(0);
    assertThat(delivery.body()).isEqualTo(BODY);
    assertThat(delivery.header("Content-Type")).isEqualTo("application/json");
    assertThat(Signatures.verify(delivery.body(), SECRET, delivery.header("X-Kiln-Signature"))).isTrue();
    assertThat(delivery.header("X-Kiln-Signature")).matches("sha256=[0-9a-f]{64}");
    assertThat(Signatures.verify(delivery.body(), "another-secret-0123456789", delivery.header("X-Kiln-Signature")))
        .isFalse();
    assertThat(delivery.header("X-Kiln-Timestamp")).isEqualTo("1795306542");
    assertThat(delivery.header("X-Kiln-Image-Id")).isEqualTo("r1-0");
    assertThat(delivery.header("X-Kiln-Attempt")).isEqualTo("1");
  }

  @Test
  void theSignatureIsAnHmacSha256OfTheBodyInHex() {
    // Independent check: RFC 4231 test case 2 (key "Jefe").
    assertThat(Signatures.sign("what do ya want for nothing?".getBytes(StandardCharsets.UTF_8), "Jefe"))
        .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void retriesAfterA500AndDeliversTheSameSignedBody() throws Exception {
    receiver.answer(500, 503);

    Outcome outcome = sender(receiver.url(), 5).deliver("acme", "r1-0", BODY);

    assertThat(outcome).isEqualTo(Outcome.DELIVERED);
    assertThat(receiver.deliveries).hasSize(3);
    assertThat(receiver.deliveries).extracting(d -> d.header("X-Kiln-Attempt")).containsExactly("1", "2", "3");
    assertThat(receiver.deliveries).extracting(Receiver.Delivery::body).containsOnly(BODY);
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
