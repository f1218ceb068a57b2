package dev.kiln.ingest.internal;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Streams the records of an RFC 4180 CSV file: fields separated by commas, records by CRLF, LF or
 * CR; a field in double quotes may hold commas, line breaks and doubled quotes ({@code ""}). A line
 * break inside a quoted field reaches the caller as {@code \n}, whatever the file used. A leading
 * byte-order mark is dropped.
 *
 * <p>Lenient where real exports are sloppy: a quote inside an unquoted field is kept as a
 * character ({@code 5" screen}); text after a closing quote is reported on the record and
 * dropped, and reading goes on. A quoted field still open at the end of the file is
 * {@link MalformedCatalogueException}: everything after its opening quote would be one field.
 *
 * <p>Not thread-safe. Does not close the reader.
 */
public final class CsvParser {
  private static final int EOF = -1;

  private final Reader in;
  private final char[] buffer = new char[1 << 16];
  private final StringBuilder field = new StringBuilder(128);
  private int position;
  private int limit;
  private int line = 1;
  private boolean started;
  private int width = 8;

  public CsvParser(Reader in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  /**
   * One record.
   *
   * @param line the 1-based line on which the record starts
   * @param fields the fields, unquoted
   * @param problemColumn the 1-based field with text after its closing quote, 0 if none
   */
  public record Record(int line, String[] fields, int problemColumn) {}

  /**
   * The next record, skipping blank lines, or {@code null} at the end of the input.
   *
   * @throws MalformedCatalogueException when the input ends inside a quoted field
   */
  public Record next() throws IOException {
    if (!started) {
      started = true;
      if (peek() == '\uFEFF') {
        position++;
      }
    }
    int c = read();
    while (c == '\r' || c == '\n') {
      endOfLine(c);
      c = read();
    }
    if (c == EOF) {
      return null;
    }
    int start = line;
    List<String> fields = new ArrayList<>(width);
    int problemColumn = 0;
    while (true) {
      field.setLength(0);
      if (c == '"') {
        int openedOn = line;
        while (true) {
          c = read();
          if (c == EOF) {
            throw new MalformedCatalogueException(openedOn, fields.size() + 1,
                "quoted field never closed: the file ends inside it; close it with \"");
          } else if (c == '"') {
            if (peek() == '"') {
              position++;
              field.append('"');
            } else {
              break;
            }
          } else if (c == '\r' || c == '\n') {
            endOfLine(c);
            field.append('\n');
          } else {
            field.append((char) c);
          }
        }
        c = read();
        if (c != ',' && c != '\r' && c != '\n' && c != EOF) {
          if (problemColumn == 0) {
            problemColumn = fields.size() + 1;
          }
          while (c != ',' && c != '\r' && c != '\n' && c != EOF) {
            c = read();
          }
        }
      } else {
        while (c != ',' && c != '\r' && c != '\n' && c != EOF) {
          field.append((char) c);
          c = read();
        }
      }
      fields.add(field.toString());
      if (c != ',') {
        break;
      }
      c = read();
    }
    if (c != EOF) {
      endOfLine(c);
    }
    width = Math.max(width, fields.size());
    return new Record(start, fields.toArray(new String[0]), problemColumn);
  }

  /** Counts a line break, consuming the LF of a CRLF. */
  private void endOfLine(int c) throws IOException {
    if (c == '\r' && peek() == '\n') {
      position++;
    }
    line++;
  }

  private int read() throws IOException {
    if (position == limit && !fill()) {
      return EOF;
    }
    return buffer[position++];
  }

  private int peek() throws IOException {
    if (position == limit && !fill()) {
      return EOF;
    }
    return buffer[position];
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
