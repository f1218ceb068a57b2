package dev.kiln.ingest.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of an operator's small configuration file (API keys, quotas): words separated by white
 * space, a fixed number a line; blank lines and lines starting with {@code #} are skipped.
 */
public final class WordLines {
  /**
   * One line's words.
   *
   * @param number the line's number, from 1
   * @param where {@code file:number: }, to start an error message with
   */
  public record Line(int number, String where, String[] words) {}

  private WordLines() {}

  /**
   * @param shape the words of a line as an error shows them, e.g. {@code KEY TENANT}
   * @throws IllegalArgumentException {@code file:line: expected "SHAPE", got N words} for the first
   *     line with another number of words
   * @throws IOException when the file cannot be read
   */
  public static List<Line> read(Path file, int words, String shape) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Line> read = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + ":" + (i + 1) + ": ";
      String[] parts = line.split("\\s+");
      if (parts.length != words) {
        throw new IllegalArgumentException(where + "expected \"" + shape + "\", got " + parts.length
            + (parts.length == 1 ? " word" : " words"));
      }
      read.add(new Line(i + 1, where, parts));
    }
    return read;
  }
}
