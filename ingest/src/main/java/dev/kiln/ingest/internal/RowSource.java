package dev.kiln.ingest.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.List;

/**
 * The rows of a catalogue file, each a value per column. Not thread-safe; does not close its
 * reader.
 */
public interface RowSource {
  /** The column names, in row order. */
  List<String> columns();

  /** The 1-based line that named the columns. */
  int headerLine();

  /** The next row, or {@code null} at the end of the file. */
  Row next() throws IOException;

  /**
   * One row.
   *
   * @param line the 1-based line on which the row starts
   * @param values one per column; {@code null} where the row has no value
   * @param problems what is wrong with the row's text, if anything
   */
  record Row(int line, String[] values, List<Problem> problems) {}

  /**
   * Something wrong in a row.
   *
   * @param column 1-based column; 0 for the whole row. A problem in a column past the header's
   *     last one, or in the whole row, always matters; one in a named column only when it is used.
   * @param message what is wrong, without naming the column (the caller knows what to call it)
   */
  record Problem(int column, String message) {}

  /** Reads CSV with a header line; see {@link CsvParser}. */
  static RowSource csv(BufferedReader reader) throws IOException {
    return CsvRows.open(reader);
  }

  /** Reads JSON lines; the first object's fields name the columns. */
  static RowSource jsonLines(BufferedReader reader) throws IOException {
    return JsonRows.open(reader);
  }
}
