package dev.kiln.ingest.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.schemas.RequestValidator;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where each tenant's results are POSTed and the secret they are signed with. The file format:
 *
 * <pre>{@code
 * {"tenants": {"acme": {"url": "https://hooks.acme.example/kiln", "secret": "..."}}}
 * }</pre>
 *
 * Tenants without an entry get no webhooks. Immutable; {@link #toString()} never shows secrets.
 */
public final class WebhookConfig {
  /** Shorter secrets are rejected: they could be guessed. */
  public static final int MIN_SECRET_LENGTH = 16;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Map<String, Endpoint> endpoints;

  private WebhookConfig(Map<String, Endpoint> endpoints) {
    this.endpoints = Map.copyOf(endpoints);
  }

  /** One tenant's receiver. */
  public record Endpoint(URI url, String secret) {
    public Endpoint {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
      return "Endpoint{" + url + ", secret=****}";
    }
  }

  /**
   * Endpoints by tenant.
   *
   * @throws IllegalArgumentException naming the bad tenant, URL or secret
   */
  public static WebhookConfig of(Map<String, Endpoint> endpoints) {
    endpoints.forEach((tenant, endpoint) -> {
      String problem = problem(tenant, endpoint.url(), endpoint.secret());
      if (problem != null) {
        throw new IllegalArgumentException("tenants." + tenant + ": " + problem);
      }
    });
    return new WebhookConfig(endpoints);
  }

  /**
   * Reads a config file.
   *
   * @throws IllegalArgumentException {@code file: tenants.acme.url: problem} for the first problem
   * @throws IOException when the file cannot be read
   */
  public static WebhookConfig load(Path file) throws IOException {
    return parse(file.toString(), Files.readAllBytes(file));
  }

  /**
   * Parses a config document.
   *
   * @param source names the document in error messages
   * @throws IllegalArgumentException {@code source: where: problem}
   */
  public static WebhookConfig parse(String source, byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(source + ": invalid JSON"
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr()) + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": cannot parse: " + e.getMessage(), e);
    }
    String example = "expected {\"tenants\": {\"acme\": {\"url\": \"https://...\", \"secret\": \"...\"}}}";
    if (root == null || !root.isObject() || !root.has("tenants") || root.size() != 1 || !root.get("tenants").isObject()) {
      throw new IllegalArgumentException(source + ": " + example);
    }
    Map<String, Endpoint> endpoints = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("tenants").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String tenant = entry.getKey();
      String where = source + ": tenants." + tenant;
      JsonNode value = entry.getValue();
      if (!value.isObject()) {
        throw new IllegalArgumentException(where + ": " + example);
      }
      for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!name.equals("url") && !name.equals("secret")) {
          throw new IllegalArgumentException(where + "." + name + ": unknown field; allowed fields: url, secret");
        }
      }
      JsonNode url = value.get("url");
      JsonNode secret = value.get("secret");
      if (url == null || !url.isTextual()) {
        throw new IllegalArgumentException(where + ".url: required, a string such as \"https://hooks.example/kiln\"");
      }
      if (secret == null || !secret.isTextual()) {
        throw new IllegalArgumentException(where + ".secret: required, a string of at least " + MIN_SECRET_LENGTH
            + " characters");
      }
      URI uri;
      try {
        uri = new URI(url.textValue());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(where + ".url: not a URL: " + e.getMessage(), e);
      }
      String problem = problem(tenant, uri, secret.textValue());
      if (problem != null) {
        throw new IllegalArgumentException(where + (problem.startsWith("url") || problem.startsWith("secret")
            ? "." : ": ") + problem);
      }
      endpoints.put(tenant, new Endpoint(uri, secret.textValue()));
    }
    return new WebhookConfig(endpoints);
  }

  /** The tenant's endpoint; empty when it has none. */
  public Optional<Endpoint> endpoint(String tenant) {
    return Optional.ofNullable(endpoints.get(tenant));
  }

  public int size() {
    return endpoints.size();
  }

  @Override
  public String toString() {
    return "WebhookConfig" + new TreeMap<>(endpoints);
  }

  private static String problem(String tenant, URI url, String secret) {
    try {
      RequestValidator.requireId("tenant", tenant);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    String scheme = url.getScheme();
    if (!url.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        || url.getHost() == null) {
      return "url: must be an absolute http(s) URL with a host, got \"" + url + "\"";
    }
    if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
      return "secret: must be at least " + MIN_SECRET_LENGTH + " characters, e.g. from `openssl rand -hex 32`";
    }
    return null;
  }
}
