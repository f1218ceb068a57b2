package dev.kiln.ingest.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A CSV catalogue: the first record names the columns (trimmed, since hand-written headers often
 * read {@code sku, colour}); values are taken exactly as written.
 */
final class CsvRows implements RowSource {
  private final CsvParser parser;
  private final List<String> columns;
  private final int headerLine;

  private CsvRows(CsvParser parser, List<String> columns, int headerLine) {
    this.parser = parser;
    this.columns = columns;
    this.headerLine = headerLine;
  }

  static CsvRows open(BufferedReader reader) throws IOException {
    CsvParser parser = new CsvParser(reader);
    CsvParser.Record header = parser.next();
    if (header == null) {
      throw new MalformedCatalogueException(1, 0,
          "empty file: expected a header line naming the columns, e.g. sku,colour,product");
    }
    List<String> columns = new ArrayList<>(header.fields().length);
    for (String name : header.fields()) {
      columns.add(name.trim());
    }
    return new CsvRows(parser, List.copyOf(columns), header.line());
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
    CsvParser.Record record;
    do {
      record = parser.next();
    } while (record != null && allEmpty(record.fields()));
    if (record == null) {
      return null;
    }
    String[] fields = record.fields();
    List<Problem> problems = List.of();
    if (record.problemColumn() > 0) {
      problems = new ArrayList<>(2);
      problems.add(new Problem(record.problemColumn(), "text after the closing quote; inside a quoted"
          + " field write a quote as \"\""));
    }
    if (fields.length > columns.size()) {
      // Spreadsheets pad rows with empty cells; only text past the last column is lost data.
      for (int i = columns.size(); i < fields.length; i++) {
        if (!fields[i].isEmpty()) {
          if (problems.isEmpty()) {
            problems = new ArrayList<>(1);
          }
          problems.add(new Problem(i + 1, fields.length + " fields, but the header names " + columns.size()
              + " columns; quote values that contain commas"));
          break;
        }
      }
    }
    return new Row(record.line(), Arrays.copyOf(fields, columns.size()), problems);
  }

  // A line of only commas is what spreadsheets export for an empty row.
  private static boolean allEmpty(String[] fields) {
    for (String field : fields) {
      if (!field.isEmpty()) {
        return false;
      }
    }
    return true;
  }
}
