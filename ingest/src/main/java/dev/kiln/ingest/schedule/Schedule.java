package dev.kiln.ingest.schedule;

import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.catalogue.CatalogueSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One named schedule: a catalogue submitted once per cron window. Every run within one window
 * submits under the same batch id, {@code <name>.<window start as yyyyMMdd'T'HHmm'Z'>}, so it
 * publishes the same request ids again and the render job drops the repeats.
 *
 * <p>The issue asked for {@code name@windowStart}; batch ids must match
 * {@code [A-Za-z0-9._-]{1,64}} (they become object-key segments), so the separator is a dot.
 * That leaves 49 characters for the name.
 *
 * @param catalogue resolved against the config file's directory
 * @param labels the requests' labels, beside {@code schedule=<name>}, {@code row} and
 *     {@code catalogue}
 * @param skipInvalid publish the valid rows of a catalogue with invalid ones
 * @param rerenderNearDuplicates the requests' {@code rerenderNearDuplicates}
 */
public record Schedule(
    String name,
    CronExpression cron,
    Path catalogue,
    Catalogue.Format format,
    CatalogueSpec spec,
    String tenant,
    String model,
    String negativePrompt,
    int steps,
    float guidanceScale,
    int numImages,
    Map<String, String> labels,
    boolean skipInvalid,
    boolean rerenderNearDuplicates) {
  /** How the window start appears in the batch id. */
  public static final DateTimeFormatter WINDOW = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
      .withZone(ZoneOffset.UTC);
  /** Separates name and window in the batch id. */
  public static final char SEPARATOR = '.';
  /** Longest name that leaves room for the window in a 64-character batch id. */
  public static final int MAX_NAME = 64 - 1 - "yyyyMMddTHHmmZ".length();
  /** Label naming the schedule. */
  public static final String SCHEDULE_LABEL = "schedule";
  /** Image size when the schedule lists no {@code sizes}: the schema's default. */
  static final int DEFAULT_SIDE = 64;

  public Schedule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(catalogue, "catalogue");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** The batch id of the window starting at {@code windowStart}. */
  public String batchId(Instant windowStart) {
    return name + SEPARATOR + WINDOW.format(windowStart);
  }

  /** The request defaults for one run; {@code submittedAt} is when the run happens. */
  public RequestDefaults defaults(String batchId, Instant submittedAt) {
    Map<String, String> all = new LinkedHashMap<>(labels);
    all.put(SCHEDULE_LABEL, name);
    return new RequestDefaults(tenant, batchId, model, negativePrompt, DEFAULT_SIDE, DEFAULT_SIDE, steps,
        guidanceScale, null, numImages, all, submittedAt, rerenderNearDuplicates);
  }
}
