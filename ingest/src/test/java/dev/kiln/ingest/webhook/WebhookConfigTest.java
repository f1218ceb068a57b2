package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        .hasMessage("webhooks.json: tenants.acme.url: scheme \"ftp\" is not allowed, scheme one of: https (http only"
            + " with --allow-insecure-webhooks); got \"ftp://x\"");
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

  @Test
  void refusesPlainHttpUnlessAllowedAndNeverAnotherScheme() {
    String http = "{\"tenants\": {\"acme\": {\"url\": \"http://hooks.acme.example:8080/kiln?token=t0p\","
        + " \"secret\": \"s-0123456789abcdef\"}}}";
    byte[] ftp = ("{\"tenants\": {\"acme\": {\"url\": \"ftp://hooks.acme.example/kiln\", \"secret\":"
        + " \"s-0123456789abcdef\"}}}").getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> parse(http))
        .hasMessage("webhooks.json: tenants.acme.url: scheme \"http\" is not allowed, scheme one of: https (http"
            + " only with --allow-insecure-webhooks); got \"http://hooks.acme.example:8080/...\"");
    assertThat(WebhookConfig.parse("webhooks.json", http.getBytes(StandardCharsets.UTF_8), true)
        .endpoint("acme").orElseThrow().url()).isEqualTo(URI.create("http://hooks.acme.example:8080/kiln?token=t0p"));
    assertThatThrownBy(() -> WebhookConfig.parse("webhooks.json", ftp, true))
        .hasMessage("webhooks.json: tenants.acme.url: scheme \"ftp\" is not allowed, scheme one of: https, http;"
            + " got \"ftp://hooks.acme.example/...\"");
    assertThatThrownBy(() -> WebhookConfig.of(Map.of("acme",
        new WebhookConfig.Endpoint(URI.create("http://127.0.0.1:9/hook"), "s-0123456789abcdef"))))
        .hasMessageStartingWith("tenants.acme: url: scheme \"http\" is not allowed");
  }

  @Test
  void notifyAcceptsHttpOnlyWithTheFlag(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("webhooks.json");
    Files.writeString(file, "{\"tenants\": {\"acme\": {\"url\": \"http://127.0.0.1:9/hook\", \"secret\":"
        + " \"s-0123456789abcdef\"}}}");
    StringWriter err = new StringWriter();
    // --max-attempts 0 fails after the webhooks file was accepted, before anything connects to Kafka.
    int withoutFlag = new CommandLine(new NotifyCommand()).setErr(new PrintWriter(err))
        .execute("--webhooks", file.toString(), "--bootstrap-servers", "127.0.0.1:9", "--max-attempts", "0");
    String refused = err.toString();
    err.getBuffer().setLength(0);
    int withFlag = new CommandLine(new NotifyCommand()).setErr(new PrintWriter(err))
        .execute("--webhooks", file.toString(), "--bootstrap-servers", "127.0.0.1:9", "--max-attempts", "0",
            "--allow-insecure-webhooks");

    assertThat(withoutFlag).isEqualTo(NotifyCommand.EXIT_INVALID);
    assertThat(refused).contains("tenants.acme.url: scheme \"http\" is not allowed, scheme one of: https (http only"
        + " with --allow-insecure-webhooks)");
    assertThat(withFlag).isEqualTo(NotifyCommand.EXIT_INVALID);
    assertThat(err.toString()).contains("maxAttempts is 0").doesNotContain("tenants.acme.url");
  }
}
