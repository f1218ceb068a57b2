package dev.kiln.ingest.http.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An HTTP error answer: status, headers and the JSON body {@code {"error": message, "field":
 * name-or-null, ...}}. Thrown by request handling, turned into the response by {@link ApiHandler}.
 *
 * <p>A server-side failure (5xx) never carries the text of the exception behind it, which may
 * name brokers, buckets, principals or credentials: its message is fixed, and {@link
 * #withErrorId} adds an {@code errorId} that the server logs beside the full exception.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;
  private final transient ObjectNode extra = JsonNodeFactory.instance.objectNode();
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ApiException(int status, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  public static ApiException badRequest(String message, String field) {
    return new ApiException(400, message, field);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message, null);
  }

  public static ApiException unavailable(String message, int retryAfterSeconds) {
    return new ApiException(503, message, null).header("Retry-After", String.valueOf(retryAfterSeconds));
  }

  /**
   * 429: the call would pass the tenant's quota; nothing of it was published. {@code Retry-After}
   * says when enough of the window will have expired (rounded up to whole seconds); the body names
   * the quota, its limit, the amount asked and the amount already used.
   */
  public static ApiException overQuota(QuotaCounter.Refusal r) {
    long retrySeconds = Math.max(1, (r.retryAfter().toMillis() + 999) / 1000);
    String message = r.neverFits()
        ? "this call asks for " + r.requested() + " against the " + r.quota() + " quota of " + r.limit()
            + ", more than an hour allows: split it into smaller calls; nothing published"
        : "over the " + r.quota() + " quota: this call asks for " + r.requested() + ", " + r.used() + " of "
            + r.limit() + " are used in the last hour; retry after " + retrySeconds + " s; nothing published";
    ApiException e = new ApiException(429, message, null).header("Retry-After", String.valueOf(retrySeconds));
    e.extra.put("quota", r.quota());
    e.extra.put("limit", r.limit());
    e.extra.put("requested", r.requested());
    e.extra.put("used", r.used());
    return e;
  }

  /** Many invalid fields at once: {@code errors} lists each, {@code field} names the first. */
  public static ApiException invalid(List<FieldProblem> problems, String summary) {
    FieldProblem first = problems.get(0);
    ApiException e = new ApiException(400, summary, first.field());
    if (first.index() != null) {
      e.extra.put("index", first.index());
    }
    ArrayNode errors = e.extra.putArray("errors");
    for (FieldProblem p : problems) {
      ObjectNode error = errors.addObject();
      if (p.index() != null) {
        error.put("index", p.index());
      }
      error.put("field", p.field());
      error.put("message", p.message());
    }
    return e;
  }

  /** A new opaque error id: 16 hex digits, random, meaningful only in this server's log. */
  public static String newErrorId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  /** Adds {@code "errorId": id} to the body, for the caller to quote to the operator. */
  public ApiException withErrorId(String errorId) {
    extra.put("errorId", errorId);
    return this;
  }

  public ApiException header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** {@code {"error": ..., "field": ..., plus any extra properties}}. */
  public ObjectNode body() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("error", getMessage());
    body.put("field", field);
    body.setAll(extra);
    return body;
  }

  /**
   * One invalid field.
   *
   * @param index position in a batch's {@code requests}, or {@code null} for a single request
   * @param field the field's name, e.g. {@code width} or {@code labels.campaign}; {@code null} when
   *     the problem is not one field's (e.g. an element that is not an object)
   */
  public record FieldProblem(Integer index, String field, String message) {}
}
