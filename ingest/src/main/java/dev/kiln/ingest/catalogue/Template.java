package dev.kiln.ingest.catalogue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prompt template such as {@code studio photo of a {colour} {product}}: each {@code {name}} is
 * replaced by the row's value in the column {@code name}; {@code {{} and {@code }}} stand for
 * literal braces. Names are matched exactly, spaces and case included. Immutable.
 */
public final class Template {
  private final String text;
  // Alternating: literals[i], then the value of names[i]; literals has one more element.
  private final String[] literals;
  private final String[] names;
  private final List<String> placeholders;

  private Template(String text, List<String> literals, List<String> names) {
    this.text = text;
    this.literals = literals.toArray(new String[0]);
    this.names = names.toArray(new String[0]);
    this.placeholders = List.copyOf(new LinkedHashSet<>(names));
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException saying what is wrong and where, e.g. {@code unclosed { at
   *     character 12; write {{ for a literal brace}
   */
  public static Template parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("must not be empty; e.g. \"studio photo of a {colour} {product}\"");
    }
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '{' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        literal.append('{');
        i += 2;
      } else if (c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
        literal.append('}');
        i += 2;
      } else if (c == '}') {
        throw new IllegalArgumentException("} at character " + (i + 1)
            + " closes no placeholder; write }} for a literal brace");
      } else if (c == '{') {
        int close = text.indexOf('}', i + 1);
        int nested = text.indexOf('{', i + 1);
        if (close < 0 || (nested >= 0 && nested < close)) {
          throw new IllegalArgumentException("unclosed { at character " + (i + 1)
              + "; close the placeholder with }, or write {{ for a literal brace");
        }
        if (close == i + 1) {
          throw new IllegalArgumentException("empty placeholder {} at character " + (i + 1)
              + "; name a column, e.g. {colour}");
        }
        literals.add(literal.toString());
        literal.setLength(0);
        names.add(text.substring(i + 1, close));
        i = close + 1;
      } else {
        literal.append(c);
        i++;
      }
    }
    literals.add(literal.toString());
    return new Template(text, literals, names);
  }

  /** The template as written. */
  public String text() {
    return text;
  }

  /** The column names the template uses, each once, in order of first use. */
  public List<String> placeholders() {
    return placeholders;
  }

  /**
   * The prompt for one row.
   *
   * @param values column name to value; every {@link #placeholders()} name must be present
   * @throws IllegalArgumentException naming the first placeholder without a value
   */
  public String fill(Map<String, String> values) {
    String[] row = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      row[i] = values.get(names[i]);
      if (row[i] == null) {
        throw new IllegalArgumentException("no value for placeholder {" + names[i] + "}");
      }
    }
    return join(row, identity(names.length));
  }

  /**
   * Binds the placeholders to column positions, for filling many rows fast.
   *
   * @param columns the column names in row order
   * @throws IllegalArgumentException naming the first placeholder that is not a column
   */
  public Bound bind(List<String> columns) {
    int[] slots = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      slots[i] = columns.indexOf(names[i]);
      if (slots[i] < 0) {
        throw new IllegalArgumentException("placeholder {" + names[i] + "} is not a column");
      }
    }
    return new Bound(slots);
  }

  /** A template bound to column positions by {@link #bind}. Immutable. */
  public final class Bound {
    private final int[] slots;

    private Bound(int[] slots) {
      this.slots = slots;
    }

    /** The prompt for a row whose used columns all hold a value. */
    public String fill(String[] row) {
      return join(row, slots);
    }
  }

  private String join(String[] row, int[] slots) {
    int length = 0;
    for (String literal : literals) {
      length += literal.length();
    }
    for (int slot : slots) {
      length += row[slot].length();
    }
    StringBuilder prompt = new StringBuilder(length);
    for (int i = 0; i < slots.length; i++) {
      prompt.append(literals[i]).append(row[slots[i]]);
    }
    return prompt.append(literals[slots.length]).toString();
  }

  private static int[] identity(int n) {
    int[] slots = new int[n];
    for (int i = 0; i < n; i++) {
      slots[i] = i;
    }
    return slots;
  }

  @Override
  public String toString() {
    return text;
  }
}
