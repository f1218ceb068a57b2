package dev.kiln.ingest.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-lines catalogue: one object per line with string, number or boolean values. The first
 * object's fields name the columns; a later line's other fields are ignored, and a missing field is
 * a missing value. Numbers keep the digits as written ({@code 1.50} stays {@code 1.50}); a boolean
 * becomes {@code true} or {@code false}.
 */
final class JsonRows implements RowSource {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
      .build();

  private final BufferedReader reader;
  private final List<String> columns;
  private final int headerLine;
  private JsonNode first;
  private int line;

  private JsonRows(BufferedReader reader, List<String> columns, int headerLine, JsonNode first) {
    this.reader = reader;
    this.columns = columns;
    this.headerLine = headerLine;
    this.first = first;
    this.line = headerLine;
  }

  static JsonRows open(BufferedReader reader) throws IOException {
    int number = 0;
    for (String text = reader.readLine(); text != null; text = reader.readLine()) {
      number++;
      if (number == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (text.isBlank()) {
        continue;
      }
      List<Problem> problems = new ArrayList<>();
      JsonNode node = parse(text, problems);
      if (node == null) {
        // Without the first object there are no column names to check the template against.
        throw new MalformedCatalogueException(number, 0, problems.get(0).message());
      }
      List<String> columns = new ArrayList<>();
      node.fieldNames().forEachRemaining(columns::add);
      return new JsonRows(reader, List.copyOf(columns), number, node);
    }
    throw new MalformedCatalogueException(1, 0,
        "empty file: expected one JSON object per line, e.g. {\"sku\": \"A-1\", \"colour\": \"red\"}");
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public int headerLine() {
    return headerLine;
  }

  @Override
  public Row next() throws IOException {
    if (first != null) {
      JsonNode node = first;
      first = null;
      return row(headerLine, node, new ArrayList<>());
    }
    for (String text = reader.readLine(); text != null; text = reader.readLine()) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      List<Problem> problems = new ArrayList<>();
      JsonNode node = parse(text, problems);
      if (node == null) {
        return new Row(line, new String[columns.size()], problems);
      }
      return row(line, node, problems);
    }
    return null;
  }

  private Row row(int number, JsonNode node, List<Problem> problems) {
    String[] values = new String[columns.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode value = node.get(columns.get(i));
      if (value == null || value.isNull()) {
        continue;
      }
      if (value.isTextual()) {
        values[i] = value.textValue();
      } else if (value.isBigDecimal()) {
        values[i] = value.decimalValue().toPlainString();
      } else if (value.isNumber() || value.isBoolean()) {
        values[i] = value.asText();
      } else {
        problems.add(new Problem(i + 1, "expected a string, number or boolean, got " + shorten(value.toString())));
      }
    }
    return new Row(number, values, problems);
  }

  /** The object on the line, or {@code null} with the reason added to {@code problems}. */
  private static JsonNode parse(String text, List<Problem> problems) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JacksonException e) {
      String column = e.getLocation() == null ? "" : " (character " + e.getLocation().getColumnNr() + ")";
      problems.add(new Problem(0, "invalid JSON: " + e.getOriginalMessage() + column));
      return null;
    }
    if (!node.isObject()) {
      problems.add(new Problem(0, "expected a JSON object of column values, got " + shorten(node.toString())));
      return null;
    }
    return node;
  }

  private static String shorten(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
