package dev.kiln.ingest.catalogue;

import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.internal.MalformedCatalogueException;
import dev.kiln.ingest.internal.RequestIds;
import dev.kiln.ingest.internal.RowSource;
import dev.kiln.ingest.internal.RowSource.Problem;
import dev.kiln.ingest.internal.RowSource.Row;
import dev.kiln.schemas.FieldError;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RequestValidator;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A catalogue file (CSV with a header line, or JSON lines) whose rows become render requests: the
 * {@link Template} fills the prompt from the row, and every row yields one request per variant
 * (each seed at each size of the {@link CatalogueSpec}).
 *
 * <p>Reading is two passes over the file, so a catalogue of any length is streamed, never held:
 * {@link #check()} reads and validates every row and reports every problem; {@link #emit} reads it
 * again and hands each request of the rows that passed to a sink. Nothing is emitted before the
 * whole file is known to be good (or the bad rows are known and can be skipped). Memory grows
 * with the number of distinct row keys (for the duplicate check), not with the file.
 *
 * <p>Each request carries:
 * <ul>
 *   <li>{@code requestId}: {@link RequestIds#forCatalogueRow} of tenant, batch id, row key, seed and
 *       size, so the same catalogue submitted under the same batch id gets the same ids;
 *   <li>labels {@value #ROW_LABEL} (the row key) and {@value #CATALOGUE_LABEL} (the file name),
 *       over the submission's own labels;
 *   <li>everything else from the {@link RequestDefaults}, except where the row overrides it.
 * </ul>
 *
 * <p>A row may override its variants and negative prompt through optional columns:
 * {@value #SEED_COLUMN} (a whole number: the row is rendered with that seed only),
 * {@value #WIDTH_COLUMN} and {@value #HEIGHT_COLUMN} (together: at that size only),
 * {@value #NEGATIVE_PROMPT_COLUMN} and {@value #RERENDER_COLUMN} ({@code true} or {@code false}:
 * whether a near-duplicate is rendered again with a new seed). An empty cell keeps the submission's value. The prefix keeps a
 * catalogue's own {@code width} column (a product's size, say) from being taken as an image size.
 *
 * <p>Problems are reported as {@code file:line:column: message} for CSV (the column's 1-based
 * index; the message names it) and {@code file:line: field "name": message} for JSON lines. A
 * problem with the header or the template is reported once, at the header line.
 */
public final class Catalogue {
  /** Label holding the row key. */
  public static final String ROW_LABEL = "row";
  /** Label holding the catalogue's file name. */
  public static final String CATALOGUE_LABEL = "catalogue";
  /** Optional column: the row's only seed. */
  public static final String SEED_COLUMN = "kiln_seed";
  /** Optional column, with {@value #HEIGHT_COLUMN}: the row's only size. */
  public static final String WIDTH_COLUMN = "kiln_width";
  /** Optional column, with {@value #WIDTH_COLUMN}: the row's only size. */
  public static final String HEIGHT_COLUMN = "kiln_height";
  /** Optional column: the row's negative prompt. */
  public static final String NEGATIVE_PROMPT_COLUMN = "kiln_negative_prompt";
  /** Optional column, true or false: the row's {@code rerenderNearDuplicates}. */
  public static final String RERENDER_COLUMN = "kiln_rerender_near_duplicates";

  private final Path file;
  private final String source;
  private final Format format;
  private final CatalogueSpec spec;
  private final RequestDefaults defaults;

  /** The file formats a catalogue may have. */
  public enum Format {
    CSV, JSON_LINES;

    /** By extension: {@code .csv}, or {@code .jsonl} / {@code .ndjson}; any case. */
    public static Optional<Format> of(Path file) {
      String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".csv")) {
        return Optional.of(CSV);
      }
      if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
        return Optional.of(JSON_LINES);
      }
      return Optional.empty();
    }
  }

  /**
   * @param file read twice, by {@link #check()} and {@link #emit}; its name as given appears in
   *     every message
   * @param defaults tenant, batch id and every request field the rows do not set; check them
   *     first (with their option names) for messages that name the option: here an invalid
   *     default is reported once, as a problem with the whole catalogue
   */
  public Catalogue(Path file, Format format, CatalogueSpec spec, RequestDefaults defaults) {
    this.file = Objects.requireNonNull(file, "file");
    this.source = file.toString();
    this.format = Objects.requireNonNull(format, "format");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
  }

  /** The file name as given, as it appears in messages. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  /** Receives the requests of {@link #emit}, in file order. */
  @FunctionalInterface
  public interface RequestSink {
    void accept(RenderRequest request) throws PublishException;
  }

  /** A row that yields no requests, and why. */
  public record RejectedRow(int line, String key, List<String> errors, List<String> reasons) {
    public RejectedRow {
      errors = List.copyOf(errors);
      reasons = List.copyOf(reasons);
    }

    /** {@code skipped catalogue.csv:17 (sku=A-17): column "width": ...; ...}. */
    public String skipped(String source) {
      return "skipped " + source + ":" + line + " (" + key + "): " + String.join("; ", reasons);
    }
  }

  /** The outcome of {@link #check()}: counts, and every problem found. */
  public static final class Check {
    private final String source;
    private final List<String> errors;
    private final List<RejectedRow> rejected;
    private final BitSet rejectedRows;
    private final int rows;
    private final int requests;
    private final long images;

    private Check(String source, List<String> errors, List<RejectedRow> rejected, BitSet rejectedRows,
        int rows, int requests, long images) {
      this.source = source;
      this.errors = List.copyOf(errors);
      this.rejected = List.copyOf(rejected);
      this.rejectedRows = rejectedRows;
      this.rows = rows;
      this.requests = requests;
      this.images = images;
    }

    /** Problems with the file as a whole (header, template, defaults); no row can be used. */
    public List<String> errors() {
      return errors;
    }

    /** Rows with problems, in file order. */
    public List<RejectedRow> rejected() {
      return rejected;
    }

    /** Data rows read, the rejected ones included. */
    public int rows() {
      return rows;
    }

    /** Requests the rows that passed yield. */
    public int requests() {
      return requests;
    }

    /** Images those requests ask for: requests times images per request. */
    public long images() {
      return images;
    }

    /** Whether {@link #emit} may run: no whole-file error, no rejected rows unless they are to be skipped. */
    public boolean publishable(boolean skipInvalid) {
      return errors.isEmpty() && (skipInvalid || rejected.isEmpty()) && requests > 0;
    }

    /** Every problem, one line each, whole-file ones first: {@code file:line:column: message}. */
    public List<String> errorLines() {
      List<String> lines = new ArrayList<>(errors);
      rejected.forEach(row -> lines.addAll(row.errors()));
      return lines;
    }

    /** One line per rejected row: {@code skipped file:line (key): reasons}. */
    public List<String> skippedLines() {
      return rejected.stream().map(row -> row.skipped(source)).toList();
    }
  }

  /**
   * Reads and validates every row; emits nothing.
   *
   * @throws IOException when the file cannot be read (a missing file or one that is not UTF-8 is
   *     reported in {@link Check#errors()} instead)
   */
  public Check check() throws IOException {
    Pass pass = new Pass(true);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      pass.<RuntimeException>run(open(reader), request -> { }, null);
    } catch (NoSuchFileException e) {
      pass.errors.add(source + ": no such file");
    } catch (MalformedInputException e) {
      pass.errors.add(source + ": not UTF-8 text (after line " + pass.lastLine + ")");
    } catch (MalformedCatalogueException e) {
      pass.errors.add(location(e.line(), e.column()) + e.getMessage());
    }
    if (pass.errors.isEmpty() && pass.rows == 0) {
      pass.errors.add(source + ": no rows: expected " + (format == Format.CSV
          ? "a header line, then one row per line" : "one JSON object per line"));
    }
    return new Check(source, pass.errors, pass.rejected, pass.rejectedRows, pass.rows, pass.requests,
        (long) pass.requests * defaults.numImages());
  }

  /**
   * Reads the file again and hands every request of every row that {@code check} accepted to
   * {@code sink}, validating each once more.
   *
   * @param check this catalogue's {@link #check()}; must be {@link Check#publishable publishable}
   * @return the number of requests emitted
   * @throws IOException when the file cannot be read, or no longer matches {@code check} (it
   *     changed in between); some requests may have been emitted by then
   * @throws PublishException when the sink fails
   */
  public int emit(Check check, RequestSink sink) throws IOException, PublishException {
    if (!check.errors().isEmpty() || check.requests() == 0) {
      throw new IllegalArgumentException("nothing to emit: " + (check.errors().isEmpty()
          ? "no requests" : check.errors().get(0)));
    }
    Pass pass = new Pass(false);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      pass.<PublishException>run(open(reader), sink::accept, check.rejectedRows);
    }
    if (!pass.errors.isEmpty() || pass.rows != check.rows() || pass.requests != check.requests()) {
      throw new IOException(source + " changed while it was being published: the first reading found "
          + check.rows() + " rows, the second " + pass.rows
          + (pass.errors.isEmpty() ? "" : " and " + pass.errors.get(0)));
    }
    return pass.requests;
  }

  private RowSource open(BufferedReader reader) throws IOException {
    return format == Format.CSV ? RowSource.csv(reader) : RowSource.jsonLines(reader);
  }

  private String location(int line, int column) {
    return source + (line > 0 ? ":" + line : "") + (column > 0 && format == Format.CSV ? ":" + column : "") + ": ";
  }

  /** One reading of the file. */
  private final class Pass {
    private final boolean first;
    private final List<String> errors = new ArrayList<>();
    private final List<RejectedRow> rejected = new ArrayList<>();
    private final BitSet rejectedRows = new BitSet();
    private final Map<String, Integer> lineOfKey = new HashMap<>();
    private int rows;
    private int requests;
    private int lastLine;

    // Set up from the header.
    private List<String> columns;
    private Template.Bound prompt;
    private int[] placeholderColumns;
    private boolean[] used;
    private int keyColumn;
    private int seedColumn;
    private int widthColumn;
    private int heightColumn;
    private int negativeColumn;
    private int rerenderColumn;
    private Map<String, String> labels;

    Pass(boolean first) {
      this.first = first;
    }

    <E extends Exception> void run(RowSource rows, Sink<E> sink, BitSet skip) throws IOException, E {
      if (!header(rows)) {
        return;
      }
      for (Row row = rows.next(); row != null; row = rows.next()) {
        this.rows++;
        lastLine = row.line();
        if (skip != null && skip.get(this.rows)) {
          continue;
        }
        List<RenderRequest> built = row(row);
        if (built == null) {
          if (!first) {
            return;
          }
          rejectedRows.set(this.rows);
          continue;
        }
        for (RenderRequest request : built) {
          sink.accept(request);
        }
        requests += built.size();
      }
    }

    /** Binds the template and key to the columns; false (with errors added) when that fails. */
    private boolean header(RowSource rows) {
      columns = rows.columns();
      int headerLine = rows.headerLine();
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        String name = columns.get(i);
        Integer earlier = index.putIfAbsent(name, i);
        if (earlier != null && !name.isEmpty()) {
          errors.add(location(headerLine, i + 1) + "column \"" + name + "\" appears twice, also column "
              + (earlier + 1) + "; give each column its own name");
        }
      }
      for (String name : spec.template().placeholders()) {
        if (!index.containsKey(name)) {
          errors.add(location(headerLine, 0) + "template placeholder {" + name + "} is not a column"
              + suggest(name, "{", "}") + "; columns: " + listColumns());
        }
      }
      if (spec.keyColumn() != null) {
        keyColumn = index.getOrDefault(spec.keyColumn(), -1);
        if (keyColumn < 0) {
          errors.add(location(headerLine, 0) + "key column \"" + spec.keyColumn() + "\" is not a column"
              + suggest(spec.keyColumn(), "\"", "\"") + "; columns: " + listColumns());
        }
      } else {
        keyColumn = defaultKeyColumn();
      }
      seedColumn = index.getOrDefault(SEED_COLUMN, -1);
      widthColumn = index.getOrDefault(WIDTH_COLUMN, -1);
      heightColumn = index.getOrDefault(HEIGHT_COLUMN, -1);
      negativeColumn = index.getOrDefault(NEGATIVE_PROMPT_COLUMN, -1);
      rerenderColumn = index.getOrDefault(RERENDER_COLUMN, -1);
      if ((widthColumn < 0) != (heightColumn < 0)) {
        String present = widthColumn < 0 ? HEIGHT_COLUMN : WIDTH_COLUMN;
        String missing = widthColumn < 0 ? WIDTH_COLUMN : HEIGHT_COLUMN;
        errors.add(location(headerLine, 0) + "column \"" + present + "\" without \"" + missing
            + "\": a row's size needs both");
      }
      labels = new LinkedHashMap<>(defaults.labels());
      labels.put(CATALOGUE_LABEL, file.getFileName() == null ? source : file.getFileName().toString());
      checkDefaults();
      if (!errors.isEmpty()) {
        return false;
      }
      prompt = spec.template().bind(columns);
      placeholderColumns = spec.template().placeholders().stream().mapToInt(index::get).toArray();
      used = new boolean[columns.size()];
      for (int column : placeholderColumns) {
        used[column] = true;
      }
      for (int column : new int[] {keyColumn, seedColumn, widthColumn, heightColumn, negativeColumn, rerenderColumn}) {
        if (column >= 0) {
          used[column] = true;
        }
      }
      return true;
    }

    /** Every variant with the submission's values, so a bad default is reported once, not per row. */
    private void checkDefaults() {
      Set<String> seen = new LinkedHashSet<>();
      for (Long seed : seeds()) {
        for (Size size : sizes()) {
          Map<String, String> rowLabels = new LinkedHashMap<>(labels);
          rowLabels.put(ROW_LABEL, "row");
          RenderRequest prototype = request("defaults", "?", defaults.negativePrompt(), seed, size, rowLabels,
              defaults.rerenderNearDuplicates());
          for (FieldError e : RequestValidator.validate(prototype)) {
            if (seen.add(e.toString())) {
              errors.add(source + ": " + variant(seed, size) + "field \"" + e.field() + "\": " + e.message());
            }
          }
        }
      }
    }

    private String variant(Long seed, Size size) {
      List<String> parts = new ArrayList<>(2);
      if (!spec.seeds().isEmpty()) {
        parts.add("seed " + seed);
      }
      if (!spec.sizes().isEmpty()) {
        parts.add("size " + size);
      }
      return parts.isEmpty() ? "" : String.join(", ", parts) + ": ";
    }

    private int defaultKeyColumn() {
      for (String candidate : CatalogueSpec.DEFAULT_KEY_COLUMNS) {
        for (int i = 0; i < columns.size(); i++) {
          if (columns.get(i).equalsIgnoreCase(candidate)) {
            return i;
          }
        }
      }
      return -1;
    }

    /** The row's requests, or {@code null} when it has problems (recorded in the first pass). */
    private List<RenderRequest> row(Row row) {
      String[] values = row.values();
      List<Issue> issues = new ArrayList<>(0);
      BitSet flagged = new BitSet();
      for (Problem problem : row.problems()) {
        int column = problem.column() - 1;
        if (column < 0) {
          // The line is not a row at all (invalid JSON, say): its values mean nothing.
          return reject(row, null, List.of(new Issue(-1, problem.message())));
        }
        if (column >= columns.size() || used[column]) {
          issues.add(new Issue(column, problem.message()));
          flagged.set(column);
        }
      }
      String key;
      if (keyColumn >= 0) {
        key = values[keyColumn];
        if (isEmpty(key) && !flagged.get(keyColumn)) {
          issues.add(new Issue(keyColumn, absent(key) + "; it is the key column, which names the row"));
          key = null;
        }
      } else {
        key = Integer.toString(rows);
      }
      if (first && key != null) {
        Integer earlier = lineOfKey.putIfAbsent(key, row.line());
        if (earlier != null) {
          issues.add(new Issue(keyColumn, "duplicate row key \"" + key + "\", also on line " + earlier
              + "; row keys must be unique, as they fix the request ids"));
        }
      }
      for (int column : placeholderColumns) {
        if (isEmpty(values[column]) && !flagged.get(column)) {
          issues.add(new Issue(column, absent(values[column]) + ", but the template uses {"
              + columns.get(column) + "}"));
        }
      }
      Long seedOverride = null;
      if (seedColumn >= 0 && !isEmpty(values[seedColumn])) {
        try {
          seedOverride = Long.parseLong(values[seedColumn].trim());
        } catch (NumberFormatException e) {
          issues.add(new Issue(seedColumn, "expected a whole number, got \"" + values[seedColumn] + "\""));
        }
      }
      Size sizeOverride = null;
      if (widthColumn >= 0) {
        boolean hasWidth = !isEmpty(values[widthColumn]);
        boolean hasHeight = !isEmpty(values[heightColumn]);
        if (hasWidth != hasHeight) {
          int missing = hasWidth ? heightColumn : widthColumn;
          issues.add(new Issue(missing, absent(values[missing]) + ", but \"" + columns.get(hasWidth ? widthColumn
              : heightColumn) + "\" is set; a row's size needs both"));
        } else if (hasWidth) {
          Integer width = integer(values, widthColumn, issues);
          Integer height = integer(values, heightColumn, issues);
          if (width != null && height != null) {
            sizeOverride = new Size(width, height);
          }
        }
      }
      boolean negativeOverride = negativeColumn >= 0 && !isEmpty(values[negativeColumn]);
      String negative = negativeOverride ? values[negativeColumn] : defaults.negativePrompt();
      boolean rerender = defaults.rerenderNearDuplicates();
      if (rerenderColumn >= 0 && !isEmpty(values[rerenderColumn])) {
        String cell = values[rerenderColumn].trim();
        if (cell.equalsIgnoreCase("true") || cell.equalsIgnoreCase("false")) {
          rerender = Boolean.parseBoolean(cell);
        } else {
          issues.add(new Issue(rerenderColumn, "expected true or false, got \"" + values[rerenderColumn] + "\""));
        }
      }

      List<RenderRequest> built = null;
      if (issues.isEmpty()) {
        Map<String, String> rowLabels = new LinkedHashMap<>(labels);
        rowLabels.put(ROW_LABEL, key);
        String text = prompt.fill(values);
        List<Long> seeds = seedOverride != null ? List.of(seedOverride) : seeds();
        List<Size> sizes = sizeOverride != null ? List.of(sizeOverride) : sizes();
        built = new ArrayList<>(seeds.size() * sizes.size());
        Set<String> seen = new LinkedHashSet<>();
        for (Long seed : seeds) {
          for (Size size : sizes) {
            RenderRequest request = request(
                RequestIds.forCatalogueRow(defaults.tenant(), defaults.batchId(), key, seed, size.width(), size.height()),
                text, negative, seed, size, rowLabels, rerender);
            for (FieldError e : RequestValidator.validate(request)) {
              if (seen.add(e.toString())) {
                issues.add(validationIssue(e, seedOverride != null, sizeOverride != null, negativeOverride));
              }
            }
            built.add(request);
          }
        }
      }
      return issues.isEmpty() ? built : reject(row, key, issues);
    }

    private Issue validationIssue(FieldError e, boolean seedOverride, boolean sizeOverride, boolean negativeOverride) {
      int column = switch (e.field()) {
        case "seed" -> seedOverride ? seedColumn : -1;
        case "width" -> sizeOverride ? widthColumn : -1;
        case "height" -> sizeOverride ? heightColumn : -1;
        case "negativePrompt" -> negativeOverride ? negativeColumn : -1;
        case "labels." + ROW_LABEL -> keyColumn;
        default -> -1;
      };
      String message = e.message();
      if (column < 0) {
        message = "field \"" + e.field() + "\": " + message
            + (e.field().equals("prompt") ? " (the template filled from this row)" : "");
      }
      return new Issue(column, message);
    }

    private Integer integer(String[] values, int column, List<Issue> issues) {
      try {
        return Integer.parseInt(values[column].trim());
      } catch (NumberFormatException e) {
        issues.add(new Issue(column, "expected a whole number of pixels, got \"" + values[column] + "\""));
        return null;
      }
    }

    /** Records the row's issues in the first pass; in the second, notes that the file changed. Returns null. */
    private List<RenderRequest> reject(Row row, String key, List<Issue> issues) {
      if (!first) {
        errors.add("line " + row.line() + " was valid on the first reading, now: " + issues.get(0).message());
        return null;
      }
      List<String> lines = new ArrayList<>(issues.size());
      List<String> reasons = new ArrayList<>(issues.size());
      for (Issue issue : issues) {
        String reason = issue.column() >= 0 && issue.column() < columns.size()
            ? name(issue.column()) + ": " + issue.message() : issue.message();
        reasons.add(reason);
        lines.add(location(row.line(), issue.column() + 1) + reason);
      }
      String shown = key == null ? "row " + rows
          : keyColumn >= 0 ? columns.get(keyColumn) + "=" + key : "row " + key;
      rejected.add(new RejectedRow(row.line(), shown, lines, reasons));
      return null;
    }

    private String name(int column) {
      return (format == Format.CSV ? "column \"" : "field \"") + columns.get(column) + "\"";
    }

    private String absent(String value) {
      return value == null && format == Format.JSON_LINES ? "missing" : "empty";
    }

    private List<Long> seeds() {
      return spec.seeds().isEmpty() ? Collections.singletonList(defaults.seed()) : spec.seeds();
    }

    private List<Size> sizes() {
      return spec.sizes().isEmpty() ? List.of(new Size(defaults.width(), defaults.height())) : spec.sizes();
    }

    private RenderRequest request(String id, String text, String negative, Long seed, Size size,
        Map<String, String> rowLabels, boolean rerender) {
      // The all-arguments constructor: a builder would copy every default once per request.
      return new RenderRequest(id, defaults.tenant(), defaults.batchId(), text, negative, defaults.model(),
          size.width(), size.height(), defaults.steps(), defaults.guidanceScale(), seed, defaults.numImages(),
          rowLabels, defaults.submittedAt(), rerender, dev.kiln.schemas.Priority.BULK);
    }

    private String listColumns() {
      return String.join(", ", columns);
    }

    private String suggest(String name, String open, String close) {
      String best = null;
      int bestDistance = Integer.MAX_VALUE;
      for (String column : columns) {
        int distance = column.trim().equalsIgnoreCase(name.trim()) ? 0
            : distance(column.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
        if (distance < bestDistance) {
          best = column;
          bestDistance = distance;
        }
      }
      return best != null && bestDistance <= Math.min(2, name.length() / 3)
          ? " (did you mean " + open + best + close + "?)" : "";
    }
  }

  private record Issue(int column, String message) {}

  private interface Sink<E extends Exception> {
    void accept(RenderRequest request) throws E;
  }

  private static boolean isEmpty(String value) {
    return value == null || value.isBlank();
  }

  /** Levenshtein distance, for suggesting the column a misspelt name meant. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
