package dev.kiln.ingest.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.http.ApiKeys;
import dev.kiln.ingest.http.AssetLinks;
import dev.kiln.ingest.http.ResultJson;
import dev.kiln.ingest.http.internal.ApiException.FieldProblem;
import dev.kiln.ingest.http.internal.RequestParser.Parsed;
import dev.kiln.ingest.http.internal.StatusStore.BatchView;
import dev.kiln.ingest.http.internal.StatusStore.RequestView;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RequestValidator;
import dev.kiln.schemas.ResultStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Every endpoint of the Kiln HTTP API; see {@code openapi/kiln-api.yaml} for the contract. Checks
 * run in this order, so the answer names the first thing to fix: route (404), method (405 with
 * {@code Allow}), API key (401), content type (415), body size (413), JSON (400), fields (400).
 *
 * <p>Thread-safe: the server calls it from several threads at once.
 */
public final class ApiHandler implements HttpHandler {
  public static final String REQUESTS = "/v1/requests";
  public static final String BATCHES = "/v1/batches";
  public static final String OPENAPI = "/v1/openapi.yaml";
  public static final String HEALTH = "/healthz";
  public static final String READY = "/readyz";
  /** Requests one {@code POST /v1/batches} may carry; more should be split into several batches' calls. */
  public static final int MAX_BATCH_REQUESTS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private static final Pattern REQUEST_PATH = Pattern.compile(Pattern.quote(REQUESTS) + "/([^/]+)");
  private static final Pattern BATCH_PATH = Pattern.compile(Pattern.quote(BATCHES) + "/([^/]+)");
  private static final Set<String> BATCH_FIELDS = Set.of("batchId", "tenant", "requests", "template", "rows", "seeds");
  private static final DateTimeFormatter BATCH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int RETRY_PUBLISH_SECONDS = 5;
  private static final int RETRY_NOT_READY_SECONDS = 2;

  private final ApiKeys keys;
  private final RequestSink sink;
  private final StatusStore store;
  private final BooleanSupplier ready;
  private final AssetLinks links;
  private final Clock clock;
  private final long maxBodyBytes;
  private final byte[] openApi;
  private final String resultsTopic;

  /**
   * @param ready whether {@code store} has caught up with the topics; GETs answer 503 until then
   * @param openApi the OpenAPI document served at {@value #OPENAPI}
   */
  public ApiHandler(ApiKeys keys, RequestSink sink, StatusStore store, BooleanSupplier ready, AssetLinks links,
      Clock clock, long maxBodyBytes, byte[] openApi, String resultsTopic) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.store = Objects.requireNonNull(store, "store");
    this.ready = Objects.requireNonNull(ready, "ready");
    this.links = Objects.requireNonNull(links, "links");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxBodyBytes = maxBodyBytes;
    this.openApi = openApi.clone();
    this.resultsTopic = Objects.requireNonNull(resultsTopic, "resultsTopic");
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    int status = 0;
    try {
      try {
        status = route(exchange);
      } catch (ApiException e) {
        status = e.status();
        e.headers().forEach(exchange.getResponseHeaders()::set);
        send(exchange, e.status(), e.body());
      } catch (RuntimeException e) {
        // The one place a bug becomes a 500 with a JSON body rather than a reset connection.
        LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
        status = 500;
        send(exchange, 500, new ApiException(500, "internal error; the server log has the details", null).body());
      }
    } catch (IOException e) {
      // The client went away mid-exchange; nobody is left to answer.
      LOG.debug("{} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e.toString());
    } finally {
      exchange.close();
    }
    LOG.debug("{} {} {} {} ms", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), status,
        (System.nanoTime() - start) / 1_000_000);
  }

  private int route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    switch (path) {
      case HEALTH -> {
        allow(exchange, "GET");
        return send(exchange, 200, NODES.objectNode().put("status", "ok"));
      }
      case READY -> {
        allow(exchange, "GET");
        requireReady();
        return send(exchange, 200, NODES.objectNode().put("ready", true));
      }
      case OPENAPI -> {
        allow(exchange, "GET");
        return sendBytes(exchange, 200, "application/yaml; charset=utf-8", openApi);
      }
      case REQUESTS -> {
        allow(exchange, "POST");
        return postRequest(exchange, tenant(exchange));
      }
      case BATCHES -> {
        allow(exchange, "POST");
        return postBatch(exchange, tenant(exchange));
      }
      default -> {
        Matcher request = REQUEST_PATH.matcher(path);
        if (request.matches()) {
          allow(exchange, "GET");
          return getRequest(exchange, tenant(exchange), request.group(1));
        }
        Matcher batch = BATCH_PATH.matcher(path);
        if (batch.matches()) {
          allow(exchange, "GET");
          return getBatch(exchange, tenant(exchange), batch.group(1));
        }
        throw ApiException.notFound("no endpoint " + path + "; see " + OPENAPI);
      }
    }
  }

  private int postRequest(HttpExchange exchange, String tenant) throws IOException {
    JsonNode body = RequestParser.parseBody(jsonBody(exchange));
    if (!body.isObject()) {
      throw ApiException.badRequest("expected a JSON object of request fields, e.g. {\"prompt\": \"a red circle\"},"
          + " got " + kind(body), null);
    }
    Parsed parsed = RequestParser.single(body, tenant, clock.instant());
    if (!parsed.problems().isEmpty()) {
      throw invalid(parsed.problems());
    }
    publish(parsed.requests());
    RenderRequest r = parsed.requests().get(0);
    String statusUrl = REQUESTS + "/" + r.getRequestId();
    exchange.getResponseHeaders().set("Location", statusUrl);
    return send(exchange, 202, NODES.objectNode()
        .put("requestId", r.getRequestId())
        .put("batchId", r.getBatchId())
        .put("status", StatusStore.RequestStatus.PENDING.name())
        .put("statusUrl", statusUrl));
  }

  private int postBatch(HttpExchange exchange, String tenant) throws IOException {
    JsonNode body = RequestParser.parseBody(jsonBody(exchange));
    if (!body.isObject()) {
      throw ApiException.badRequest("expected a JSON object {\"batchId\": ..., \"requests\": [...]}, got "
          + kind(body), null);
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!BATCH_FIELDS.contains(name)) {
        throw ApiException.badRequest("unknown field \"" + name + "\"; allowed fields: batchId, requests", name);
      }
    }
    JsonNode tenantField = body.get("tenant");
    if (tenantField != null && !(tenantField.isTextual() && tenantField.textValue().equals(tenant))) {
      throw ApiException.badRequest("must be absent or the API key's tenant \"" + tenant + "\", got " + tenantField,
          "tenant");
    }
    for (String field : List.of("template", "rows", "seeds")) {
      if (body.has(field)) {
        throw ApiException.badRequest("templates are not supported by the HTTP API yet: send the rendered requests"
            + " as \"requests\": [{\"prompt\": ...}, ...]", "template");
      }
    }
    String batchId = batchId(body.get("batchId"));
    JsonNode requests = body.get("requests");
    if (requests == null || !requests.isArray() || requests.isEmpty()) {
      throw ApiException.badRequest("required: a non-empty array of request objects, e.g. [{\"prompt\":"
          + " \"a red circle\"}]" + (requests == null ? "" : ", got " + kind(requests)), "requests");
    }
    if (requests.size() > MAX_BATCH_REQUESTS) {
      throw ApiException.badRequest("at most " + MAX_BATCH_REQUESTS + " requests per call, got " + requests.size()
          + "; send the batch in several calls with the same batchId", "requests");
    }
    List<JsonNode> items = new ArrayList<>();
    requests.forEach(items::add);
    Parsed parsed = RequestParser.batch(items, tenant, batchId, clock.instant());
    if (!parsed.problems().isEmpty()) {
      throw invalid(parsed.problems());
    }
    publish(parsed.requests());
    String statusUrl = BATCHES + "/" + batchId;
    exchange.getResponseHeaders().set("Location", statusUrl);
    ObjectNode answer = NODES.objectNode()
        .put("batchId", batchId)
        .put("count", parsed.requests().size())
        .put("statusUrl", statusUrl);
    ArrayNode ids = answer.putArray("requestIds");
    parsed.requests().forEach(r -> ids.add(r.getRequestId()));
    return send(exchange, 202, answer);
  }

  private int getRequest(HttpExchange exchange, String tenant, String requestId) throws IOException {
    requireReady();
    // Other tenants' requests are answered exactly like unknown ones, so ids never leak.
    RequestView view = (RequestValidator.REQUEST_ID.matcher(requestId).matches()
        ? store.request(tenant, requestId) : Optional.<RequestView>empty())
        .orElseThrow(() -> ApiException.notFound("no request \"" + requestId + "\""));
    ObjectNode json = NODES.objectNode()
        .put("requestId", view.requestId())
        .put("batchId", view.batchId())
        .put("tenant", view.tenant())
        .put("status", view.status().name())
        .put("complete", view.complete())
        .put("imageCount", view.imageCount())
        .put("submittedAt", view.submittedAt() == null ? null : view.submittedAt().toString())
        .put("failure", view.failure());
    ObjectNode counts = json.putObject("counts");
    counts.put("published", view.count(ResultStatus.PUBLISHED));
    counts.put("rejected", view.count(ResultStatus.REJECTED));
    counts.put("failed", view.count(ResultStatus.FAILED));
    counts.put("pending", view.complete() ? 0 : view.imageCount() - view.images().size());
    ArrayNode images = json.putArray("images");
    for (RenderResult r : view.images()) {
      images.add(ResultJson.toJson(r, link(r)));
    }
    // Presigned URLs are credentials for a while; keep them out of shared caches.
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    return send(exchange, 200, json);
  }

  private int getBatch(HttpExchange exchange, String tenant, String batchId) throws IOException {
    requireReady();
    BatchView view = (RequestValidator.ID.matcher(batchId).matches()
        ? store.batch(tenant, batchId) : Optional.<BatchView>empty())
        .orElseThrow(() -> ApiException.notFound("no batch \"" + batchId + "\""));
    ObjectNode json = NODES.objectNode()
        .put("batchId", view.batchId())
        .put("tenant", view.tenant())
        .put("complete", view.completeRequests() == view.requests())
        .put("requests", view.requests())
        .put("completeRequests", view.completeRequests())
        .put("failedRequests", view.deadLettered())
        .put("expectedImages", view.expectedImages())
        .put("results", view.results())
        .put("published", view.published())
        .put("rejected", view.rejected())
        .put("failed", view.failed())
        .put("pendingImages", view.pendingImages());
    return send(exchange, 200, json);
  }

  private AssetLinks.Link link(RenderResult r) {
    if (r.getStatus() != ResultStatus.PUBLISHED || r.getAssetKey() == null) {
      return null;
    }
    try {
      return links.link(r.getAssetKey());
    } catch (SdkException e) {
      // E.g. the default credential chain found no credentials: say so instead of a bare 500.
      LOG.warn("cannot presign {}: {}", r.getAssetKey(), e.toString());
      throw ApiException.unavailable("cannot sign download URLs right now: " + e.getMessage(), RETRY_PUBLISH_SECONDS);
    }
  }

  private void publish(List<RenderRequest> requests) {
    try {
      sink.publish(requests);
    } catch (PublishException e) {
      LOG.warn("publishing {} request(s) failed: {}", requests.size(), e.getMessage());
      throw ApiException.unavailable(e.getMessage() + ". Retrying is safe: the same request ids render the same"
          + " images", RETRY_PUBLISH_SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("the server is shutting down; nothing or part of the requests was published,"
          + " retrying is safe", RETRY_PUBLISH_SECONDS);
    }
    requests.forEach(store::submitted);
  }

  private String tenant(HttpExchange exchange) {
    Headers headers = exchange.getRequestHeaders();
    String authorization = headers.getFirst("Authorization");
    String key;
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthorized("Authorization must be \"Bearer <API key>\"");
      }
      key = authorization.substring(7).strip();
    } else {
      key = headers.getFirst("X-Api-Key");
    }
    if (key == null || key.isEmpty()) {
      throw unauthorized("missing API key: send \"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\"");
    }
    return keys.tenantOf(key).orElseThrow(() -> unauthorized("unknown API key"));
  }

  private void requireReady() {
    if (!ready.getAsBoolean()) {
      throw ApiException.unavailable("still reading " + resultsTopic + " to rebuild request status; retry shortly",
          RETRY_NOT_READY_SECONDS);
    }
  }

  private byte[] jsonBody(HttpExchange exchange) throws IOException {
    Headers headers = exchange.getRequestHeaders();
    String type = headers.getFirst("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json") && !media.endsWith("+json")) {
      throw new ApiException(415, "Content-Type must be application/json, got "
          + (type == null ? "none" : "\"" + type + "\""), null);
    }
    String length = headers.getFirst("Content-Length");
    if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
        && (length.length() > 18 || Long.parseLong(length) > maxBodyBytes)) {
      throw tooLarge();
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (body.length > maxBodyBytes) {
        throw tooLarge();
      }
      return body;
    }
  }

  private String batchId(JsonNode value) {
    if (value == null) {
      return "b-" + BATCH_TIME.format(clock.instant());
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest("expected a string, got " + value, "batchId");
    }
    try {
      RequestValidator.requireId("batchId", value.textValue());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage().substring("batchId: ".length()), "batchId");
    }
    return value.textValue();
  }

  private static ApiException invalid(List<FieldProblem> problems) {
    FieldProblem first = problems.get(0);
    String summary = problems.size() == 1 ? describe(first)
        : problems.size() + " problems, the first: " + describe(first);
    return ApiException.invalid(problems, summary + "; nothing published");
  }

  private static String describe(FieldProblem p) {
    String where = (p.index() == null ? "" : "requests[" + p.index() + "]" + (p.field() == null ? "" : "."))
        + (p.field() == null ? "" : p.field());
    return where.isEmpty() ? p.message() : where + ": " + p.message();
  }

  private static ApiException unauthorized(String message) {
    return new ApiException(401, message, null).header("WWW-Authenticate", "Bearer realm=\"kiln\"");
  }

  private ApiException tooLarge() {
    return new ApiException(413, "body larger than " + maxBodyBytes + " bytes; send fewer requests per call", null);
  }

  private static void allow(HttpExchange exchange, String method) {
    if (!exchange.getRequestMethod().equals(method)) {
      throw new ApiException(405, exchange.getRequestMethod() + " is not allowed here; use " + method, null)
          .header("Allow", method);
    }
  }

  private static String kind(JsonNode node) {
    String text = node.isArray() ? "an array" : node.isObject() ? "an object" : node.isTextual() ? "a string"
        : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean" : "null";
    return text;
  }

  private static int send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    return sendBytes(exchange, status, "application/json; charset=utf-8", ResultJson.bytes(body));
  }

  private static int sendBytes(HttpExchange exchange, int status, String contentType, byte[] bytes)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    return status;
  }
}
