package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {
  static WebhookConfig parse(String json) {
    return WebhookConfig.parse("webhooks.json", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEachTenantsUrlAndSecretAndNeverPrintsSecrets() {
    WebhookConfig config = parse("{\"tenants\": {\"acme\": {\"url\": \"https://hooks.acme.example/kiln\","
        + " \"secret\": \"acme-secret-0123456789\"}}}");

    assertThat(config.endpoint("acme").orElseThrow().url()).isEqualTo(URI.create("https://hooks.acme.example/kiln"));
    assertThat(config.endpoint("acme").orElseThrow().secret()).isEqualTo("acme-secret-0123456789");
    assertThat(config.endpoint("globex")).isEmpty();
    assertThat(config.toString()).doesNotContain("acme-secret");
  }

  @Test
  void namesTheTenantAndFieldOfEveryProblem() {
    assertThatThrownBy(() -> parse("{\"tenants\": {\"acme\": {\"url\": \"ftp://x\", \"secret\": \"s-0123456789abcdef\"}}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhooks.json: tenants.acme.url: must be an absolute http(s) URL with a host, got \"ftp://x\"");
    assertThatThrownBy(() -> parse("{\"tenants\": {\"acme\": {\"url\": \"https://x.example\", \"secret\": \"short\"}}}"))
        .hasMessage("webhooks.json: tenants.acme.secret: must be at least 16 characters, e.g. from `openssl rand -hex 32`");
    assertThatThrownBy(() -> parse("{\"tenants\": {\"acme\": {\"url\": \"https://x.example\"}}}"))
        .hasMessageStartingWith("webhooks.json: tenants.acme.secret: required");
    assertThatThrownBy(() -> parse("{\"tenants\": {\"acme\": {\"url\": \"https://x.example\", \"secret\":"
        + " \"s-0123456789abcdef\", \"retries\": 3}}}"))
        .hasMessage("webhooks.json: tenants.acme.retries: unknown field; allowed fields: url, secret");
    assertThatThrownBy(() -> parse("{\"acme\": {}}"))
        .hasMessageStartingWith("webhooks.json: expected {\"tenants\": {\"acme\":");
    assertThatThrownBy(() -> parse("{\"tenants\": {"))
        .hasMessageStartingWith("webhooks.json: invalid JSON at line 1");
  }
}
