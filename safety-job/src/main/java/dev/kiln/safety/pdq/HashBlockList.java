package dev.kiln.safety.pdq;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable list of PDQ hashes of known images, each with an optional label, that other hashes
 * are matched against by Hamming distance.
 *
 * <p>The text form has one entry per line: 64 hex digits, optionally followed by whitespace and a
 * label that runs to the end of the line ({@code <hex> <label>}). Blank lines and lines whose first
 * non-blank character is {@code #} are ignored; surrounding whitespace is trimmed. Files are read
 * as UTF-8.
 *
 * <p>Matching is a linear scan of the list (a few XORs and bit counts per entry), meant for
 * block lists of up to tens of thousands of hashes; larger lists need an index such as
 * multi-index hashing.
 */
public final class HashBlockList {
  /**
   * The distance at or below which two PDQ hashes are taken to be the same picture: the
   * threshold Meta's ThreatExchange tools use for a confident match.
   */
  public static final int DEFAULT_MATCH_DISTANCE = 31;

  /**
   * A listed hash close to the one looked up.
   *
   * @param label the entry's label, or the empty string if it has none
   * @param distance Hamming distance between the listed hash and the one looked up
   */
  public record Match(PdqHash hash, String label, int distance) {
    public Match {
      Objects.requireNonNull(hash, "hash");
      Objects.requireNonNull(label, "label");
    }
  }

  private record Entry(PdqHash hash, String label) {}

  private final List<Entry> entries;

  private HashBlockList(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses lines in the text form described on the class.
   *
   * @throws IllegalArgumentException naming the (1-based) line number if a line is not a valid
   *     entry
   */
  public static HashBlockList fromLines(Iterable<String> lines) {
    return parse(lines, "line ");
  }

  /**
   * Reads a block list file.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException naming the file and line if a line is not a valid entry
   */
  public static HashBlockList fromFile(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file + ":");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read PDQ block list " + file, e);
    }
  }

  /**
   * Reads a block list from the classpath, resolving {@code name} as {@link
   * ClassLoader#getResource} does (no leading slash).
   *
   * @throws IllegalArgumentException if there is no such resource, or naming the resource and
   *     line if a line is not a valid entry
   * @throws UncheckedIOException if the resource cannot be read
   */
  public static HashBlockList fromResource(String name) {
    ClassLoader loader = Objects.requireNonNullElse(
        Thread.currentThread().getContextClassLoader(), HashBlockList.class.getClassLoader());
    InputStream in = loader.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalArgumentException("no PDQ block list resource '" + name
          + "' on the classpath (give the path without a leading '/')");
    }
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return parse(reader.lines().toList(), name + ":");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read PDQ block list resource " + name, e);
    }
  }

  private static HashBlockList parse(Iterable<String> lines, String linePrefix) {
    List<Entry> entries = new ArrayList<>();
    int lineNumber = 0;
    for (String raw : lines) {
      lineNumber++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
        end++;
      }
      String hex = line.substring(0, end);
      PdqHash hash;
      try {
        hash = PdqHash.fromHex(hex);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(linePrefix + lineNumber + ": expected "
            + PdqHash.HEX_LENGTH + " hex characters, optionally followed by whitespace and a"
            + " label, got '" + abbreviate(line) + "' (" + e.getMessage() + ")", e);
      }
      entries.add(new Entry(hash, line.substring(end).strip()));
    }
    return new HashBlockList(entries);
  }

  private static String abbreviate(String line) {
    return line.length() <= 100 ? line : line.substring(0, 97) + "...";
  }

  /** Returns the number of entries. */
  public int size() {
    return entries.size();
  }

  /**
   * Returns the entry closest to {@code hash} if it is at most {@code maxDistance} bits away. Of
   * entries at the same distance, the first listed wins.
   *
   * @throws IllegalArgumentException if {@code maxDistance} is outside 0..256
   */
  public Optional<Match> match(PdqHash hash, int maxDistance) {
    if (maxDistance < 0 || maxDistance > PdqHash.BITS) {
      throw new IllegalArgumentException(
          "maxDistance must be in 0.." + PdqHash.BITS + ", got " + maxDistance);
    }
    Entry best = null;
    int bestDistance = maxDistance + 1;
    for (Entry entry : entries) {
      int distance = entry.hash().distance(hash);
      if (distance < bestDistance) {
        best = entry;
        bestDistance = distance;
      }
    }
    return best == null
        ? Optional.empty()
        : Optional.of(new Match(best.hash(), best.label(), bestDistance));
  }

  /** Returns {@link #match(PdqHash, int)} at {@link #DEFAULT_MATCH_DISTANCE}. */
  public Optional<Match> match(PdqHash hash) {
    return match(hash, DEFAULT_MATCH_DISTANCE);
  }
}
