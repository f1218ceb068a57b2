package dev.kiln.ingest.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.http.ApiKeys;
import dev.kiln.ingest.http.AssetLinks;
import dev.kiln.ingest.http.ResultJson;
import dev.kiln.ingest.http.internal.ApiException.FieldProblem;
import dev.kiln.ingest.http.internal.QuotaCounter.Cost;
import dev.kiln.ingest.http.internal.RequestParser.Parsed;
import dev.kiln.ingest.http.internal.StatusStore.BatchView;
import dev.kiln.ingest.http.internal.StatusStore.RequestView;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RequestValidator;
import dev.kiln.schemas.ResultStatus;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.http.HttpHeader;
import java.io.InputStream;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Every endpoint of the Kiln HTTP API; see {@code openapi/kiln-api.yaml} for the contract. Checks
 * run in this order, so the answer names the first thing to fix: route (404), method (405 with
 * {@code Allow}), API key (401), content type (415), body size (413), JSON (400), fields (400).
 * {@link #register} adds the routes and error answers to a Javalin configuration.
 *
 * <p>Thread-safe: the server calls it from several threads at once.
 */
public final class ApiHandler {
  public static final String REQUESTS = "/v1/requests";
  public static final String BATCHES = "/v1/batches";
  public static final String OPENAPI = "/v1/openapi.yaml";
  public static final String HEALTH = "/healthz";
  public static final String READY = "/readyz";
  /** Requests one {@code POST /v1/batches} may carry; more should be split into several batches' calls. */
  public static final int MAX_BATCH_REQUESTS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
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
  private final QuotaCounter quotas;

  /**
   * @param ready whether {@code store} has caught up with the topics; GETs answer 503 until then
   * @param openApi the OpenAPI document served at {@value #OPENAPI}
   * @param quotas charged for every call before it is published; a call over quota gets 429
   */
  public ApiHandler(ApiKeys keys, RequestSink sink, StatusStore store, BooleanSupplier ready, AssetLinks links,
      Clock clock, long maxBodyBytes, byte[] openApi, String resultsTopic, QuotaCounter quotas) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.store = Objects.requireNonNull(store, "store");
    this.ready = Objects.requireNonNull(ready, "ready");
    this.links = Objects.requireNonNull(links, "links");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxBodyBytes = maxBodyBytes;
    this.openApi = openApi.clone();
    this.resultsTopic = Objects.requireNonNull(resultsTopic, "resultsTopic");
    this.quotas = Objects.requireNonNull(quotas, "quotas");
  }

  /**
   * Adds every route, and the JSON error answers for them and for unknown paths and methods, to
   * {@code config}.
   */
  public void register(JavalinConfig config) {
    config.routes.get(HEALTH, ctx -> send(ctx, 200, NODES.objectNode().put("status", "ok")));
    config.routes.get(READY, ctx -> {
      requireReady();
      send(ctx, 200, NODES.objectNode().put("ready", true));
    });
    config.routes.get(OPENAPI, ctx -> sendBytes(ctx, 200, "application/yaml; charset=utf-8", openApi));
    config.routes.post(REQUESTS, ctx -> postRequest(ctx, tenant(ctx)));
    config.routes.post(BATCHES, ctx -> postBatch(ctx, tenant(ctx)));
    config.routes.get(REQUESTS + "/{requestId}", ctx -> getRequest(ctx, tenant(ctx), ctx.pathParam("requestId")));
    config.routes.get(BATCHES + "/{batchId}", ctx -> getBatch(ctx, tenant(ctx), ctx.pathParam("batchId")));
    config.routes.exception(ApiException.class, (e, ctx) -> answer(ctx, e));
    // Javalin's own 404 and 405 (unknown path, wrong method), in the API's JSON shape.
    config.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, translate(e, ctx)));
    config.routes.exception(IOException.class, (e, ctx) ->
        // The client went away mid-exchange; nobody is left to answer.
        LOG.debug("{} {}: {}", ctx.method(), ctx.path(), e.toString()));
    config.routes.exception(RuntimeException.class, (e, ctx) -> {
      // The one place a bug becomes a 500 with a JSON body rather than a reset connection.
      String errorId = ApiException.newErrorId();
      LOG.error("{} {} failed (error id {})", ctx.method(), ctx.path(), errorId, e);
      answer(ctx, new ApiException(500, "internal error; the server log has the details under errorId", null)
          .withErrorId(errorId));
    });
    config.requestLogger.http((ctx, millis) ->
        LOG.debug("{} {} {} {} ms", ctx.method(), ctx.path(), ctx.statusCode(), millis.longValue()));
  }

  private static ApiException translate(HttpResponseException e, Context ctx) {
    return switch (e.getStatus()) {
      case 404 -> ApiException.notFound("no endpoint " + ctx.path() + "; see " + OPENAPI);
      case 405 -> {
        String allowed = e.getDetails().getOrDefault("availableMethods", "");
        yield new ApiException(405, ctx.req().getMethod() + " is not allowed here; use " + allowed, null)
            .header("Allow", allowed);
      }
      default -> new ApiException(e.getStatus(), e.getMessage(), null);
    };
  }

  private static void answer(Context ctx, ApiException e) {
    e.headers().forEach(ctx::header);
    send(ctx, e.status(), e.body());
  }

  private void postRequest(Context ctx, String tenant) throws IOException {
    JsonNode body = RequestParser.parseBody(jsonBody(ctx));
    if (!body.isObject()) {
      throw ApiException.badRequest("expected a JSON object of request fields, e.g. {\"prompt\": \"a red circle\"},"
          + " got " + kind(body), null);
    }
    Parsed parsed = RequestParser.single(body, tenant, clock.instant());
    if (!parsed.problems().isEmpty()) {
      throw invalid(parsed.problems());
    }
    publish(tenant, parsed.requests());
    RenderRequest r = parsed.requests().get(0);
    String statusUrl = REQUESTS + "/" + r.getRequestId();
    ctx.header("Location", statusUrl);
    send(ctx, 202, NODES.objectNode()
        .put("requestId", r.getRequestId())
        .put("batchId", r.getBatchId())
        .put("status", StatusStore.RequestStatus.PENDING.name())
        .put("statusUrl", statusUrl));
  }

  private void postBatch(Context ctx, String tenant) throws IOException {
    JsonNode body = RequestParser.parseBody(jsonBody(ctx));
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
    publish(tenant, parsed.requests());
    String statusUrl = BATCHES + "/" + batchId;
    ctx.header("Location", statusUrl);
    ObjectNode answer = NODES.objectNode()
        .put("batchId", batchId)
        .put("count", parsed.requests().size())
        .put("statusUrl", statusUrl);
    ArrayNode ids = answer.putArray("requestIds");
    parsed.requests().forEach(r -> ids.add(r.getRequestId()));
    send(ctx, 202, answer);
  }

  private void getRequest(Context ctx, String tenant, String requestId) {
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
    ctx.header("Cache-Control", "no-store");
    send(ctx, 200, json);
  }

  private void getBatch(Context ctx, String tenant, String batchId) {
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
    send(ctx, 200, json);
  }

  private AssetLinks.Link link(RenderResult r) {
    Optional<String> key = AssetLinks.publishedKey(r);
    if (key.isEmpty()) {
      return null;
    }
    try {
      return links.link(key.get());
    } catch (SdkException e) {
      // E.g. the default credential chain found no credentials: a 503 rather than a bare 500, and
      // the SDK's text (profiles, roles, endpoints) only in the log.
      String errorId = ApiException.newErrorId();
      LOG.warn("cannot presign {} (error id {})", r.getAssetKey(), errorId, e);
      throw ApiException.unavailable("cannot sign download URLs right now; retry shortly", RETRY_PUBLISH_SECONDS)
          .withErrorId(errorId);
    }
  }

  /** Charges the tenant's quota, then publishes; a failed publish is refunded, as the caller may retry. */
  private void publish(String tenant, List<RenderRequest> requests) {
    Cost cost = cost(requests);
    quotas.tryCharge(tenant, cost, clock.instant()).ifPresent(refusal -> {
      throw ApiException.overQuota(refusal);
    });
    boolean published = false;
    try {
      sink.publish(requests);
      published = true;
    } catch (PublishException e) {
      // Kafka's text names brokers, topics and principals: the log gets it, the caller an id.
      String errorId = ApiException.newErrorId();
      LOG.warn("publishing {} request(s) failed (error id {})", requests.size(), errorId, e);
      throw ApiException.unavailable("cannot publish the requests right now; nothing or part of them was"
          + " published. Retrying is safe: the same request ids render the same images", RETRY_PUBLISH_SECONDS)
          .withErrorId(errorId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      String errorId = ApiException.newErrorId();
      LOG.warn("publishing {} request(s) interrupted (error id {})", requests.size(), errorId);
      throw ApiException.unavailable("the server is shutting down; nothing or part of the requests was published,"
          + " retrying is safe", RETRY_PUBLISH_SECONDS).withErrorId(errorId);
    } finally {
      if (!published) {
        quotas.refund(tenant, cost);
      }
    }
    requests.forEach(store::submitted);
  }

  private static Cost cost(List<RenderRequest> requests) {
    long images = 0;
    long pixelSteps = 0;
    for (RenderRequest r : requests) {
      images += r.getNumImages();
      pixelSteps += (long) r.getWidth() * r.getHeight() * r.getSteps() * r.getNumImages();
    }
    return new Cost(images, pixelSteps);
  }

  private String tenant(Context ctx) {
    String authorization = ctx.header("Authorization");
    String key;
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthorized("Authorization must be \"Bearer <API key>\"");
      }
      key = authorization.substring(7).strip();
    } else {
      key = ctx.header("X-Api-Key");
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

  private byte[] jsonBody(Context ctx) throws IOException {
    String type = ctx.header("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json") && !media.endsWith("+json")) {
      throw new ApiException(415, "Content-Type must be application/json, got "
          + (type == null ? "none" : "\"" + type + "\""), null);
    }
    String length = ctx.header("Content-Length");
    if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
        && (length.length() > 18 || Long.parseLong(length) > maxBodyBytes)) {
      throw tooLarge();
    }
    try (InputStream in = ctx.bodyInputStream()) {
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

  private static String kind(JsonNode node) {
    String text = node.isArray() ? "an array" : node.isObject() ? "an object" : node.isTextual() ? "a string"
        : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean" : "null";
    return text;
  }

  private static void send(Context ctx, int status, JsonNode body) {
    sendBytes(ctx, status, "application/json; charset=utf-8", ResultJson.bytes(body));
  }

  private static void sendBytes(Context ctx, int status, String contentType, byte[] bytes) {
    ctx.status(status).contentType(contentType).result(bytes);
    // The servlet layer respells the type without the space; clients of the JDK server that this
    // replaced may compare it verbatim, so it goes on the core response's headers as written.
    ServletContextResponse.getServletContextResponse(ctx.res()).getWrapped().getHeaders()
        .put(HttpHeader.CONTENT_TYPE, contentType);
  }
}
