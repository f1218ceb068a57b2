package dev.kiln.ingest.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.schemas.FieldError;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RequestValidator;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Turns command-line prompts and JSON-lines files into validated {@link RenderRequest}s. Every
 * problem is collected, none stops the reading, so the user sees all of them at once.
 */
public final class RequestReader {
  /** The fields a request line may set, in schema order. {@code submittedAt} and {@code priority} are set by ingest. */
  public static final List<String> FIELDS = RenderRequest.getClassSchema().getFields().stream()
      .map(Schema.Field::name)
      .filter(name -> !name.equals("submittedAt") && !name.equals("priority"))
      .toList();

  private static final Map<String, String> OPTIONS = Map.ofEntries(
      Map.entry("requestId", "--request-id"), Map.entry("tenant", "--tenant"),
      Map.entry("batchId", "--batch-id"), Map.entry("prompt", "--prompt"),
      Map.entry("negativePrompt", "--negative-prompt"), Map.entry("model", "--model"),
      Map.entry("width", "--width"), Map.entry("height", "--height"), Map.entry("steps", "--steps"),
      Map.entry("guidanceScale", "--guidance"), Map.entry("seed", "--seed"),
      Map.entry("numImages", "--num-images"), Map.entry("labels", "--label"),
      Map.entry("rerenderNearDuplicates", "--rerender-near-duplicates"));
  // Stands in for a missing or mistyped prompt so the line's other fields are still checked.
  private static final String PLACEHOLDER_PROMPT = "?";
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private RequestReader() {}

  /**
   * Requests ready to publish, or why they are not.
   *
   * @param requests every request, in input order; empty when there is any error
   * @param errors one line each, e.g. {@code requests.jsonl:7: field "width": must be ...}
   */
  public record Prepared(List<RenderRequest> requests, List<String> errors) {
    public Prepared {
      requests = List.copyOf(requests);
      errors = List.copyOf(errors);
    }
  }

  /**
   * The request for one {@code --prompt}. Errors name the command-line option that set the field,
   * e.g. {@code --width: must be a multiple of 8 from 32 to 1024, got 100}.
   *
   * @param requestId {@code null} to derive it with {@link RequestIds#derive}
   */
  public static Prepared fromPrompt(String prompt, String requestId, RequestDefaults defaults) {
    RenderRequest.Builder builder = defaults.newRequest().setPrompt(prompt);
    RenderRequest request = builder
        .setRequestId(requestId != null ? requestId : RequestIds.derive(builder))
        .build();
    List<String> errors = RequestValidator.validate(request).stream()
        .map(RequestReader::optionError)
        .toList();
    return errors.isEmpty() ? new Prepared(List.of(request), List.of()) : new Prepared(List.of(), errors);
  }

  /**
   * The requests of a JSON-lines file: one JSON object of {@link #FIELDS} per line, blank lines
   * skipped. A field the line leaves out takes its value from {@code defaults}; labels are merged,
   * the line's winning. A line without {@code requestId} gets one from {@link RequestIds#derive}.
   *
   * <p>Errors start with {@code source:line:}. An invalid default (a bad {@code --width}, say) is
   * reported once under its option rather than once per line. Two lines with the same request id
   * are an error naming both lines.
   *
   * @param source the file name as the user gave it, for error messages
   * @throws IOException when reading fails
   */
  public static Prepared fromJsonLines(String source, BufferedReader lines, RequestDefaults defaults)
      throws IOException {
    List<FieldError> defaultErrors = RequestValidator.validate(
        defaults.newRequest().setPrompt(PLACEHOLDER_PROMPT).setRequestId("defaults").build());
    List<String> errors = new ArrayList<>();
    defaultErrors.forEach(e -> errors.add(optionError(e)));

    List<RenderRequest> requests = new ArrayList<>();
    Map<String, Integer> lineOfId = new HashMap<>();
    int number = 0;
    int nonBlank = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      if (number == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      nonBlank++;
      String where = source + ":" + number + ": ";
      List<String> lineErrors = new ArrayList<>();
      Line read = readLine(line, defaults, defaultErrors, lineErrors);
      lineErrors.forEach(e -> errors.add(where + e));
      if (read == null) {
        continue;
      }
      String id = read.request().getRequestId();
      Integer first = lineOfId.putIfAbsent(id, number);
      if (first != null) {
        errors.add(where + "field \"requestId\": duplicate \"" + id + "\", also on line " + first
            + (read.namesItsId() ? ""
                : " (derived from the batch id and every generation parameter: set requestId or seed on one"
                    + " of the lines)"));
      } else if (lineErrors.isEmpty()) {
        requests.add(read.request());
      }
    }
    if (nonBlank == 0) {
      errors.add(source + ": no requests: expected one JSON object per line, e.g. "
          + "{\"prompt\": \"a red circle\", \"width\": 64}");
    }
    return errors.isEmpty() ? new Prepared(requests, List.of()) : new Prepared(List.of(), errors);
  }

  private record Line(RenderRequest request, boolean namesItsId) {}

  /** The line's request, or {@code null} when it is not a JSON object; problems go to {@code errors}. */
  private static Line readLine(
      String line, RequestDefaults defaults, List<FieldError> defaultErrors, List<String> errors) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JacksonException e) {
      String column = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
      errors.add("invalid JSON: " + e.getOriginalMessage() + column);
      return null;
    }
    if (!node.isObject()) {
      errors.add("expected a JSON object of request fields, got " + show(node));
      return null;
    }
    RenderRequest.Builder builder = defaults.newRequest().setPrompt(PLACEHOLDER_PROMPT);
    Set<String> present = new HashSet<>();
    for (Map.Entry<String, JsonNode> property : node.properties()) {
      String field = property.getKey();
      if (!FIELDS.contains(field)) {
        errors.add("unknown field \"" + field + "\"; allowed fields: " + String.join(", ", FIELDS));
        continue;
      }
      present.add(field);
      set(builder, field, property.getValue(), defaults, errors);
    }
    if (!present.contains("prompt")) {
      errors.add("field \"prompt\": required, e.g. {\"prompt\": \"a red circle\"}");
    }
    if (!builder.hasRequestId()) {
      builder.setRequestId(RequestIds.derive(builder));
    }
    RenderRequest request = builder.build();
    for (FieldError e : RequestValidator.validate(request)) {
      boolean inherited = !present.contains(rootField(e.field()));
      // Already reported once under its command-line option.
      if (!(inherited && defaultErrors.contains(e))) {
        errors.add("field \"" + e.field() + "\": " + e.message());
      }
    }
    return new Line(request, present.contains("requestId"));
  }

  private static void set(RenderRequest.Builder b, String field, JsonNode value,
      RequestDefaults defaults, List<String> errors) {
    String problem = null;
    switch (field) {
      case "requestId", "tenant", "batchId", "prompt", "negativePrompt", "model" -> {
        if (!value.isTextual()) {
          problem = "expected a string, got " + show(value);
          break;
        }
        String text = value.textValue();
        switch (field) {
          case "requestId" -> b.setRequestId(text);
          case "tenant" -> b.setTenant(text);
          case "batchId" -> b.setBatchId(text);
          case "prompt" -> b.setPrompt(text);
          case "negativePrompt" -> b.setNegativePrompt(text);
          default -> b.setModel(text);
        }
      }
      case "width", "height", "steps", "numImages" -> {
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
          problem = "expected an integer, got " + show(value);
          break;
        }
        int number = value.intValue();
        switch (field) {
          case "width" -> b.setWidth(number);
          case "height" -> b.setHeight(number);
          case "steps" -> b.setSteps(number);
          default -> b.setNumImages(number);
        }
      }
      case "guidanceScale" -> {
        if (value.isNumber()) {
          b.setGuidanceScale(value.floatValue());
        } else {
          problem = "expected a number, got " + show(value);
        }
      }
      case "seed" -> {
        if (value.isNull()) {
          b.setSeed(null);
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
          b.setSeed(value.longValue());
        } else {
          problem = "expected an integer, or null to derive it from the image id, got " + show(value);
        }
      }
      case "rerenderNearDuplicates" -> {
        if (value.isBoolean()) {
          b.setRerenderNearDuplicates(value.booleanValue());
        } else {
          problem = "expected true or false, got " + show(value);
        }
      }
      case "labels" -> {
        if (!value.isObject()) {
          problem = "expected an object of string values, e.g. {\"campaign\": \"spring\"}, got "
              + show(value);
          break;
        }
        Map<String, String> labels = new LinkedHashMap<>(defaults.labels());
        for (Map.Entry<String, JsonNode> label : value.properties()) {
          if (label.getValue().isTextual()) {
            labels.put(label.getKey(), label.getValue().textValue());
          } else {
            errors.add("field \"labels." + label.getKey() + "\": expected a string, got "
                + show(label.getValue()));
          }
        }
        b.setLabels(labels);
      }
      default -> throw new IllegalStateException("field " + field + " is in FIELDS but not handled");
    }
    if (problem != null) {
      errors.add("field \"" + field + "\": " + problem);
    }
  }

  private static String optionError(FieldError e) {
    String root = rootField(e.field());
    String option = OPTIONS.getOrDefault(root, "field \"" + e.field() + "\"");
    if (root.equals("labels") && e.field().contains(".")) {
      option += " " + e.field().substring(root.length() + 1);
    }
    return option + ": " + e.message();
  }

  private static String rootField(String field) {
    int dot = field.indexOf('.');
    return dot < 0 ? field : field.substring(0, dot);
  }

  private static String show(JsonNode node) {
    String text = node.isObject() ? "an object " + node : node.isArray() ? "an array " + node : node.toString();
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
