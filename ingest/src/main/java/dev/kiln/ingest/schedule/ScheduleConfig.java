package dev.kiln.ingest.schedule;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.catalogue.CatalogueSpec;
import dev.kiln.ingest.catalogue.Size;
import dev.kiln.ingest.catalogue.Template;
import dev.kiln.ingest.internal.CatalogueRun;
import dev.kiln.schemas.FieldError;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RequestValidator;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a schedules file:
 *
 * <pre>{@code
 * {"schedules": [
 *   {"name": "nightly-catalogue", "cron": "0 2 * * *", "catalogue": "catalogue.csv",
 *    "template": "studio photo of a {colour} {product}", "tenant": "retail",
 *    "seeds": [1, 2], "sizes": ["64x64"], "negativePrompt": "blurry"}
 * ]}
 * }</pre>
 *
 * <p>Required per schedule: {@code name} ({@code [A-Za-z0-9._-]}, at most
 * {@value Schedule#MAX_NAME} characters), {@code cron} (see {@link CronExpression}),
 * {@code catalogue} (a .csv or .jsonl path, relative to this file's directory) and
 * {@code template}. Optional: {@code tenant} (default {@code local}), {@code keyColumn},
 * {@code seeds} or {@code variants}, {@code sizes}, {@code negativePrompt}, {@code model},
 * {@code steps}, {@code guidanceScale}, {@code numImages}, {@code labels}, {@code skipInvalid} and
 * {@code rerenderNearDuplicates}; they mean what the {@code kiln submit} options of the same names
 * do, and default to the schema's defaults.
 *
 * <p>Every problem is reported, each naming the schedule and the field, e.g.
 * {@code schedules.json: schedules[0] "nightly": field "cron": minute field "61": 61 is out of
 * range 0-59}. The catalogue itself is read only when the schedule runs.
 */
public final class ScheduleConfig {
  /** The fields a schedule may have. */
  public static final List<String> FIELDS = List.of("name", "cron", "catalogue", "template", "tenant",
      "keyColumn", "seeds", "variants", "sizes", "negativePrompt", "model", "steps", "guidanceScale",
      "numImages", "labels", "skipInvalid", "rerenderNearDuplicates");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + Schedule.MAX_NAME + "}");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private ScheduleConfig() {}

  /**
   * The schedules, or why there are none.
   *
   * @param schedules in file order; empty when there is any error
   * @param errors one line each
   */
  public record Loaded(List<Schedule> schedules, List<String> errors) {
    public Loaded {
      schedules = List.copyOf(schedules);
      errors = List.copyOf(errors);
    }
  }

  /** Reads and checks every schedule in {@code file}. */
  public static Loaded read(Path file) {
    String source = file.toString();
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return failed(source + ": no such file");
    } catch (MalformedInputException e) {
      return failed(source + ": not UTF-8 text");
    } catch (JacksonException e) {
      String where = e.getLocation() == null ? ""
          : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
      return failed(source + where + ": invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return failed(source + ": cannot read: " + e);
    }
    JsonNode list = root == null ? null : root.get("schedules");
    if (list == null || !list.isArray() || list.isEmpty()) {
      return failed(source + ": expected {\"schedules\": [...]} with at least one schedule, e.g."
          + " {\"schedules\": [{\"name\": \"nightly\", \"cron\": \"0 2 * * *\", \"catalogue\": \"catalogue.csv\","
          + " \"template\": \"a {colour} {product}\"}]}");
    }
    Path base = file.toAbsolutePath().getParent();
    List<Schedule> schedules = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Reader reader = new Reader(source + ": schedules[" + i + "]", list.get(i), errors);
      Schedule schedule = reader.schedule(base);
      if (schedule != null && !names.add(schedule.name())) {
        errors.add(reader.where + ": field \"name\": \"" + schedule.name() + "\" is used by an earlier"
            + " schedule; names must be unique, as they make the batch ids");
      } else if (schedule != null) {
        schedules.add(schedule);
      }
    }
    return errors.isEmpty() ? new Loaded(schedules, List.of()) : new Loaded(List.of(), errors);
  }

  private static Loaded failed(String error) {
    return new Loaded(List.of(), List.of(error));
  }

  /** Reads one schedule, adding every problem to {@code errors}. */
  private static final class Reader {
    private String where;
    private final JsonNode node;
    private final List<String> errors;
    private final int errorsBefore;

    Reader(String where, JsonNode node, List<String> errors) {
      this.where = where;
      this.node = node;
      this.errors = errors;
      this.errorsBefore = errors.size();
    }

    Schedule schedule(Path base) {
      if (!node.isObject()) {
        errors.add(where + ": expected an object of schedule fields, got " + node);
        return null;
      }
      String name = text("name", true, null);
      if (name != null) {
        where += " \"" + name + "\"";
        if (!NAME.matcher(name).matches() || name.chars().allMatch(c -> c == '.')) {
          error("name", "must be 1-" + Schedule.MAX_NAME + " characters of A-Z a-z 0-9 . _ - (not only dots),"
              + " got \"" + name + "\"; it starts the batch id, which is at most 64 characters");
        }
      }
      node.fieldNames().forEachRemaining(field -> {
        if (!FIELDS.contains(field)) {
          errors.add(where + ": unknown field \"" + field + "\"; allowed fields: " + String.join(", ", FIELDS));
        }
      });

      CronExpression cron = null;
      String cronText = text("cron", true, null);
      if (cronText != null) {
        try {
          cron = CronExpression.parse(cronText);
        } catch (IllegalArgumentException e) {
          error("cron", e.getMessage());
        }
      }
      Path catalogue = null;
      Catalogue.Format format = null;
      String path = text("catalogue", true, null);
      if (path != null) {
        catalogue = base.resolve(path);
        format = Catalogue.Format.of(catalogue).orElse(null);
        if (format == null) {
          error("catalogue", "expected a .csv or .jsonl file, got \"" + path + "\"");
        }
      }
      CatalogueSpec.Builder spec = CatalogueSpec.builder().optKeyColumn(text("keyColumn", false, null));
      String template = text("template", true, null);
      if (template != null) {
        try {
          spec.setTemplate(Template.parse(template));
        } catch (IllegalArgumentException e) {
          error("template", e.getMessage());
        }
      }
      variants(spec);

      Map<String, String> labels = new LinkedHashMap<>();
      JsonNode labelNode = node.get("labels");
      if (labelNode != null) {
        if (!labelNode.isObject()) {
          error("labels", "expected an object of string values, e.g. {\"campaign\": \"nightly\"}, got " + labelNode);
        } else {
          labelNode.properties().forEach(label -> {
            if (label.getValue().isTextual()) {
              labels.put(label.getKey(), label.getValue().textValue());
            } else {
              error("labels." + label.getKey(), "expected a string, got " + label.getValue());
            }
          });
        }
      }
      JsonNode skip = node.get("skipInvalid");
      if (skip != null && !skip.isBoolean()) {
        error("skipInvalid", "expected true or false, got " + skip);
      }
      JsonNode rerender = node.get("rerenderNearDuplicates");
      if (rerender != null && !rerender.isBoolean()) {
        error("rerenderNearDuplicates", "expected true or false, got " + rerender);
      }
      String tenant = text("tenant", false, "local");
      String model = text("model", false, schemaDefault("model").toString());
      String negativePrompt = text("negativePrompt", false, "");
      int steps = integer("steps", ((Number) schemaDefault("steps")).intValue());
      float guidance = number("guidanceScale", ((Number) schemaDefault("guidanceScale")).floatValue());
      int numImages = integer("numImages", ((Number) schemaDefault("numImages")).intValue());
      if (errors.size() > errorsBefore) {
        return null;
      }
      Schedule schedule = new Schedule(name, cron, catalogue, format, spec.build(), tenant, model,
          negativePrompt, steps, guidance, numImages, labels, skip != null && skip.booleanValue(),
          rerender != null && rerender.booleanValue());
      checkDefaults(schedule);
      return errors.size() > errorsBefore ? null : schedule;
    }

    /** The request fields as a run would set them, checked once here rather than at 2 a.m. */
    private void checkDefaults(Schedule schedule) {
      RequestDefaults defaults = schedule.defaults(schedule.batchId(Instant.EPOCH), Instant.now());
      RenderRequest prototype = defaults.newRequest().setRequestId("defaults").setPrompt("?").build();
      for (FieldError e : RequestValidator.validate(prototype)) {
        error(e.field(), e.message());
      }
      for (String e : CatalogueRun.variantErrors(defaults, schedule.spec(), "seed", "size")) {
        error(e.startsWith("seed") ? "seeds" : "sizes", e);
      }
    }

    private void variants(CatalogueSpec.Builder spec) {
      JsonNode seeds = node.get("seeds");
      JsonNode variants = node.get("variants");
      if (seeds != null && variants != null) {
        error("variants", "\"seeds\" and \"variants\" both choose the seeds: give one");
      } else if (seeds != null) {
        List<Long> list = new ArrayList<>();
        if (!seeds.isArray() || seeds.isEmpty()) {
          error("seeds", "expected a non-empty array of whole numbers, e.g. [1, 2], got " + seeds);
        } else {
          for (JsonNode seed : seeds) {
            if (seed.isIntegralNumber() && seed.canConvertToLong()) {
              list.add(seed.longValue());
            } else {
              error("seeds", "expected whole numbers, got " + seed);
            }
          }
          try {
            spec.optSeeds(list);
          } catch (IllegalArgumentException e) {
            error("seeds", e.getMessage());
          }
        }
      } else if (variants != null) {
        if (!variants.isIntegralNumber() || !variants.canConvertToInt() || variants.intValue() < 1) {
          error("variants", "expected a whole number, 1 or more, got " + variants);
        } else {
          spec.optVariants(variants.intValue());
        }
      }
      JsonNode sizes = node.get("sizes");
      if (sizes != null) {
        List<Size> list = new ArrayList<>();
        if (!sizes.isArray() || sizes.isEmpty()) {
          error("sizes", "expected a non-empty array such as [\"64x64\", \"128x128\"], got " + sizes);
          return;
        }
        for (JsonNode size : sizes) {
          try {
            if (!size.isTextual()) {
              throw new IllegalArgumentException("expected WIDTHxHEIGHT, e.g. \"64x64\", got " + size);
            }
            list.add(Size.parse(size.textValue()));
          } catch (IllegalArgumentException e) {
            error("sizes", e.getMessage());
          }
        }
        try {
          spec.optSizes(list);
        } catch (IllegalArgumentException e) {
          error("sizes", e.getMessage());
        }
      }
    }

    private String text(String field, boolean required, String fallback) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        if (required) {
          error(field, "required");
        }
        return fallback;
      }
      if (!value.isTextual()) {
        error(field, "expected a string, got " + value);
        return fallback;
      }
      return value.textValue();
    }

    private int integer(String field, int fallback) {
      JsonNode value = node.get(field);
      if (value == null) {
        return fallback;
      }
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        error(field, "expected a whole number, got " + value);
        return fallback;
      }
      return value.intValue();
    }

    private float number(String field, float fallback) {
      JsonNode value = node.get(field);
      if (value == null) {
        return fallback;
      }
      if (!value.isNumber()) {
        error(field, "expected a number, got " + value);
        return fallback;
      }
      return value.floatValue();
    }

    private void error(String field, String message) {
      errors.add(where + ": field \"" + field + "\": " + message);
    }
  }

  private static Object schemaDefault(String field) {
    return RenderRequest.getClassSchema().getField(field).defaultVal();
  }
}
