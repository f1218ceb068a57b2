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
import java.util.Locale;
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
 * Tenants without an entry get no webhooks. URLs must be {@code https://}: a webhook carries a
 * result and its presigned link, and its signature only proves who sent it, not that nobody read
 * it. Plain {@code http://} is accepted only when the caller allows it ({@code kiln notify
 * --allow-insecure-webhooks}), for receivers on loopback or a trusted network in development.
 *
 * <p>Immutable; {@link #toString()} never shows secrets, nor more of a URL than {@link #redact}.
 */
public final class WebhookConfig {
  /** Shorter secrets are rejected: they could be guessed. */
  public static final int MIN_SECRET_LENGTH = 16;
  /** The flag of {@code kiln notify} that allows {@code http://} URLs. */
  public static final String ALLOW_INSECURE_FLAG = "--allow-insecure-webhooks";

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
      return "Endpoint{" + redact(url) + ", secret=****}";
    }
  }

  /**
   * Endpoints by tenant, {@code https://} only.
   *
   * @throws IllegalArgumentException naming the bad tenant, URL or secret
   */
  public static WebhookConfig of(Map<String, Endpoint> endpoints) {
    return of(endpoints, false);
  }

  /**
   * Endpoints by tenant.
   *
   * @param allowInsecureHttp whether {@code http://} URLs are accepted besides {@code https://}
   * @throws IllegalArgumentException naming the bad tenant, URL or secret
   */
  public static WebhookConfig of(Map<String, Endpoint> endpoints, boolean allowInsecureHttp) {
    endpoints.forEach((tenant, endpoint) -> {
      String problem = problem(tenant, endpoint.url(), endpoint.secret(), allowInsecureHttp);
      if (problem != null) {
        throw new IllegalArgumentException("tenants." + tenant + ": " + problem);
      }
    });
    return new WebhookConfig(endpoints);
  }

  /**
   * Reads a config file, {@code https://} URLs only.
   *
   * @throws IllegalArgumentException {@code file: tenants.acme.url: problem} for the first problem
   * @throws IOException when the file cannot be read
   */
  public static WebhookConfig load(Path file) throws IOException {
    return load(file, false);
  }

  /**
   * Reads a config file.
   *
   * @param allowInsecureHttp whether {@code http://} URLs are accepted besides {@code https://}
   * @throws IllegalArgumentException {@code file: tenants.acme.url: problem} for the first problem
   * @throws IOException when the file cannot be read
   */
  public static WebhookConfig load(Path file, boolean allowInsecureHttp) throws IOException {
    return parse(file.toString(), Files.readAllBytes(file), allowInsecureHttp);
  }

  /** {@link #parse(String, byte[], boolean)} with {@code https://} URLs only. */
  public static WebhookConfig parse(String source, byte[] json) {
    return parse(source, json, false);
  }

  /**
   * Parses a config document.
   *
   * @param source names the document in error messages
   * @param allowInsecureHttp whether {@code http://} URLs are accepted besides {@code https://}
   * @throws IllegalArgumentException {@code source: where: problem}
   */
  public static WebhookConfig parse(String source, byte[] json, boolean allowInsecureHttp) {
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
        // Not e.getMessage(): it quotes the whole URL, whose path or query may hold a token.
        throw new IllegalArgumentException(where + ".url: not a URL: " + e.getReason() + " at index "
            + e.getIndex(), e);
      }
      String problem = problem(tenant, uri, secret.textValue(), allowInsecureHttp);
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

  /**
   * What a log line or message may show of a webhook URL: {@code scheme://host[:port]}, followed
   * by {@code /...} when the URL has more. Path, query, fragment and user info are dropped: receivers
   * often put a token there.
   */
  public static String redact(URI url) {
    if (url == null || url.getScheme() == null || url.getHost() == null) {
      return "<URL without scheme or host>";
    }
    StringBuilder b = new StringBuilder(url.getScheme().toLowerCase(Locale.ROOT)).append("://").append(url.getHost());
    if (url.getPort() != -1) {
      b.append(':').append(url.getPort());
    }
    String path = url.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || url.getRawQuery() != null
        || url.getRawFragment() != null) {
      b.append("/...");
    }
    return b.toString();
  }

  private static String problem(String tenant, URI url, String secret, boolean allowInsecureHttp) {
    try {
      RequestValidator.requireId("tenant", tenant);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    String allowed = allowInsecureHttp ? "https, http" : "https (http only with " + ALLOW_INSECURE_FLAG + ")";
    String scheme = url.getScheme();
    if (!url.isAbsolute() || url.getHost() == null) {
      return "url: must be an absolute URL with a host, scheme one of: " + allowed + "; got \"" + redact(url) + "\"";
    }
    boolean https = "https".equalsIgnoreCase(scheme);
    boolean http = "http".equalsIgnoreCase(scheme);
    if (!https && !(http && allowInsecureHttp)) {
      return "url: scheme \"" + scheme + "\" is not allowed, scheme one of: " + allowed + "; got \"" + redact(url)
          + "\"";
    }
    if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
      return "secret: must be at least " + MIN_SECRET_LENGTH + " characters, e.g. from `openssl rand -hex 32`";
    }
    return null;
  }
}
