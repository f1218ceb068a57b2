package dev.kiln.ingest.http.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.http.internal.ApiException.FieldProblem;
import dev.kiln.ingest.internal.RequestReader;
import dev.kiln.ingest.internal.RequestReader.Prepared;
import dev.kiln.schemas.RenderRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * Turns JSON request objects from HTTP bodies into validated {@link RenderRequest}s with the same
 * rules as {@code kiln submit}: {@link RequestReader} reads and validates them, so a field means the
 * same thing on the command line and over HTTP. This class adds what HTTP needs on top: the tenant
 * comes from the API key, and every problem becomes a {@link FieldProblem} naming its field.
 */
public final class RequestParser {
  /** The batch of a {@code POST /v1/requests} body that names none. */
  public static final String DEFAULT_BATCH_ID = "api";

  /** Strict like {@link RequestReader}: a duplicate key or trailing garbage is an error, not a guess. */
  public static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  // RequestReader reports problems as text lines "source:line: ..." (see its fromJsonLines). These
  // patterns take that format apart again; RequestParserTest fails if it ever changes.
  private static final String SOURCE = "requests";
  private static final Pattern LINE = Pattern.compile(SOURCE + ":(\\d+): (.*)", Pattern.DOTALL);
  private static final Pattern FIELD = Pattern.compile("field \"([^\"]+)\": (.*)", Pattern.DOTALL);
  private static final Pattern UNKNOWN = Pattern.compile("unknown field \"([^\"]+)\"; (.*)", Pattern.DOTALL);
  private static final Pattern ALSO_ON_LINE = Pattern.compile("also on line (\\d+)");

  private RequestParser() {}

  /**
   * Requests ready to publish, or why they are not.
   *
   * @param requests empty when there is any problem
   * @param problems in input order
   */
  public record Parsed(List<RenderRequest> requests, List<FieldProblem> problems) {
    public Parsed {
      requests = List.copyOf(requests);
      problems = List.copyOf(problems);
    }
  }

  /**
   * Parses a whole body as one JSON value.
   *
   * @throws ApiException 400 saying where the JSON breaks (line and column)
   */
  public static JsonNode parseBody(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badRequest("empty body: expected a JSON object, e.g. {\"prompt\": \"a red circle\"}", null);
    }
    try {
      return STRICT.readTree(body);
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ApiException.badRequest("invalid JSON" + where + ": " + e.getOriginalMessage(), null);
    } catch (IOException e) {
      throw new UncheckedIOException("reading JSON from a byte array cannot fail", e);
    }
  }

  /**
   * The request of a {@code POST /v1/requests} body. Fields it leaves out take the schema's
   * defaults, {@code batchId} {@value #DEFAULT_BATCH_ID}; a missing {@code requestId} is derived
   * from batch id, prompt and seed, as {@code kiln submit} does.
   *
   * @param tenant the API key's tenant; a body {@code tenant} must be absent or equal to it
   * @param now the request's {@code submittedAt}
   */
  public static Parsed single(JsonNode body, String tenant, Instant now) {
    List<FieldProblem> problems = new ArrayList<>();
    JsonNode item = pinField(body, "tenant", tenant, "the API key's tenant", null, problems);
    Parsed parsed = read(List.of(item), defaults(tenant, DEFAULT_BATCH_ID, now), false, problems);
    parsed.requests().forEach(r -> r.setPriority(dev.kiln.schemas.Priority.INTERACTIVE)); // docs/fair-share.md
    return parsed;
  }

  /**
   * The requests of a {@code POST /v1/batches} body's {@code requests} array, all in
   * {@code batchId}. Every element is checked before any error is reported; two elements with the
   * same request id are an error.
   *
   * @param batchId already validated; an element's own {@code batchId} must be absent or equal
   */
  public static Parsed batch(List<JsonNode> items, String tenant, String batchId, Instant now) {
    List<FieldProblem> problems = new ArrayList<>();
    List<JsonNode> pinned = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = pinField(items.get(i), "tenant", tenant, "the API key's tenant", i, problems);
      pinned.add(pinField(item, "batchId", batchId, "the batch's batchId", i, problems));
    }
    return read(pinned, defaults(tenant, batchId, now), true, problems);
  }

  /** The schema's defaults for every optional field, with the caller's tenant and batch. */
  public static RequestDefaults defaults(String tenant, String batchId, Instant now) {
    Schema schema = RenderRequest.getClassSchema();
    return new RequestDefaults(tenant, batchId,
        (String) schema.getField("model").defaultVal(),
        (String) schema.getField("negativePrompt").defaultVal(),
        number(schema, "width").intValue(),
        number(schema, "height").intValue(),
        number(schema, "steps").intValue(),
        number(schema, "guidanceScale").floatValue(),
        null,
        number(schema, "numImages").intValue(),
        Map.of(),
        now);
  }

  /**
   * Removes {@code field} from an object so the reader takes it from the defaults; records a
   * problem when the object set it to something other than {@code expected}.
   */
  private static JsonNode pinField(JsonNode item, String field, String expected, String what, Integer index,
      List<FieldProblem> problems) {
    if (!(item instanceof ObjectNode object) || !object.has(field)) {
      return item;
    }
    JsonNode value = object.get(field);
    if (!value.isTextual() || !value.textValue().equals(expected)) {
      problems.add(new FieldProblem(index, field, "must be absent or " + what + " \"" + expected + "\", got "
          + abbreviate(value.toString())));
    }
    ObjectNode copy = object.deepCopy();
    copy.remove(field);
    return copy;
  }

  private static Parsed read(List<JsonNode> items, RequestDefaults defaults, boolean indexed,
      List<FieldProblem> problems) {
    StringBuilder lines = new StringBuilder();
    for (JsonNode item : items) {
      // Compact JSON has no raw line breaks (strings escape them), so each item is one line.
      lines.append(item.toString()).append('\n');
    }
    Prepared prepared;
    try {
      prepared = RequestReader.fromJsonLines(SOURCE, new BufferedReader(new StringReader(lines.toString())),
          defaults);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a string cannot fail", e);
    }
    List<FieldProblem> all = new ArrayList<>(problems);
    for (String error : prepared.errors()) {
      all.add(problem(error, indexed));
    }
    if (all.isEmpty()) {
      return new Parsed(prepared.requests(), List.of());
    }
    // Pinned-field problems come first in the list; order everything by element for the reader.
    all.sort(Comparator.comparing(p -> p.index() == null ? -1 : p.index()));
    return new Parsed(List.of(), dedupe(all));
  }

  private static FieldProblem problem(String error, boolean indexed) {
    Matcher line = LINE.matcher(error);
    if (!line.matches()) {
      return new FieldProblem(null, null, error);
    }
    Integer index = indexed ? Integer.parseInt(line.group(1)) - 1 : null;
    String rest = line.group(2);
    Matcher field = FIELD.matcher(rest);
    if (field.matches()) {
      String message = field.group(2);
      if (indexed) {
        message = ALSO_ON_LINE.matcher(message)
            .replaceAll(m -> "also at index " + (Integer.parseInt(m.group(1)) - 1));
      }
      return new FieldProblem(index, field.group(1), message);
    }
    Matcher unknown = UNKNOWN.matcher(rest);
    if (unknown.matches()) {
      return new FieldProblem(index, unknown.group(1), "unknown field; " + unknown.group(2));
    }
    return new FieldProblem(index, null, rest);
  }

  private static List<FieldProblem> dedupe(List<FieldProblem> problems) {
    Map<FieldProblem, Boolean> seen = new LinkedHashMap<>();
    problems.forEach(p -> seen.put(p, true));
    return List.copyOf(seen.keySet());
  }

  private static Number number(Schema schema, String field) {
    return (Number) schema.getField(field).defaultVal();
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
