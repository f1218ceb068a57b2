package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.ingest.webhook.WebhookSender.Outcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookLogsTest {
  static final String SECRET = "acme-webhook-secret-0123456789";
  static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

  @Test
  void redactKeepsSchemeHostAndPortOnly() {
    assertThat(WebhookConfig.redact(URI.create("https://user:pw@hooks.acme.example:8443/kiln/t0ken?sig=s3cret#frag")))
        .isEqualTo("https://hooks.acme.example:8443/...");
    assertThat(WebhookConfig.redact(URI.create("HTTPS://hooks.acme.example?sig=s3cret")))
        .isEqualTo("https://hooks.acme.example/...");
    assertThat(WebhookConfig.redact(URI.create("https://hooks.acme.example/"))).isEqualTo("https://hooks.acme.example");
    assertThat(WebhookConfig.redact(URI.create("https://[::1]:8443/t0ken"))).isEqualTo("https://[::1]:8443/...");
    assertThat(WebhookConfig.redact(URI.create("/t0ken?sig=s3cret"))).isEqualTo("<URL without scheme or host>");
    assertThat(new WebhookConfig.Endpoint(URI.create("https://u:pw@h.example/t0ken"), SECRET).toString())
        .isEqualTo("Endpoint{https://h.example/..., secret=****}");
  }

  @Test
  void logLinesOfEveryOutcomeShowNoPathQueryOrUserInfo() throws Exception {
    try (Receiver receiver = new Receiver(); CapturedLogs logs = new CapturedLogs()) {
      // The receiver answers on /hook whatever follows; the secrets ride in user info, path and query.
      URI url = URI.create("http://alice:pw0rd@127.0.0.1:" + receiver.url().getPort() + "/hook/t0ken?sig=s3cret");
      WebhookSender sender = WebhookSender.builder()
          .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(url, SECRET)), true))
          .optMaxAttempts(2)
          .optInitialBackoff(Duration.ofMillis(1))
          .optMaxBackoff(Duration.ofMillis(2))
          .build();
      receiver.answer(500, 500, 400, 503);

      assertThat(sender.deliver("acme", "r1-0", BODY)).isEqualTo(Outcome.GAVE_UP);
      assertThat(sender.deliver("acme", "r2-0", BODY)).isEqualTo(Outcome.REJECTED);
      assertThat(sender.deliver("acme", "r3-0", BODY)).isEqualTo(Outcome.DELIVERED);

      String redacted = "http://127.0.0.1:" + receiver.url().getPort() + "/...";
      assertThat(logs.lines).hasSizeGreaterThanOrEqualTo(6);
      assertThat(logs.lines).anySatisfy(l -> assertThat(l).startsWith("ERROR webhook " + redacted).contains("gave up"))
          .anySatisfy(l -> assertThat(l).startsWith("ERROR webhook " + redacted).contains("rejected"))
          .anySatisfy(l -> assertThat(l).startsWith("DEBUG webhook " + redacted).contains("delivered"));
      assertThat(logs.lines).noneSatisfy(l -> assertThat(l).containsAnyOf("t0ken", "s3cret", "alice", "pw0rd", "/hook"));
    }
  }
}
