package dev.kiln.ingest.http;

import dev.kiln.ingest.http.internal.WordLines;
import dev.kiln.schemas.RequestValidator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-tenant hourly quotas of the HTTP API: images, and pixel-steps (width * height * steps *
 * numImages, a measure of render cost). A tenant without an override gets the defaults. A limit of
 * 0 means unlimited. Immutable and thread-safe.
 *
 * <p>Quotas are counted in memory by each server process over a sliding hour; several API servers
 * behind one load balancer each allow the full quota.
 */
public final class Quotas {
  /** No limits at all. */
  public static final Quotas UNLIMITED = new Quotas(Limit.UNLIMITED, Map.of());

  /**
   * One tenant's hourly limits; 0 is unlimited.
   *
   * @param imagesPerHour images accepted per sliding hour
   * @param pixelStepsPerHour sum of width * height * steps * numImages accepted per sliding hour
   */
  public record Limit(long imagesPerHour, long pixelStepsPerHour) {
    public static final Limit UNLIMITED = new Limit(0, 0);

    public Limit {
      if (imagesPerHour < 0 || pixelStepsPerHour < 0) {
        throw new IllegalArgumentException("quota limits must be 0 (unlimited) or more, got " + imagesPerHour
            + " images and " + pixelStepsPerHour + " pixel-steps per hour");
      }
    }

    public boolean unlimited() {
      return imagesPerHour == 0 && pixelStepsPerHour == 0;
    }
  }

  private final Limit defaults;
  private final Map<String, Limit> byTenant;

  private Quotas(Limit defaults, Map<String, Limit> byTenant) {
    this.defaults = defaults;
    this.byTenant = Map.copyOf(byTenant);
  }

  /** The defaults for every tenant, with {@code byTenant} overriding them. */
  public static Quotas of(Limit defaults, Map<String, Limit> byTenant) {
    return new Quotas(Objects.requireNonNull(defaults, "defaults"), byTenant);
  }

  /**
   * Reads per-tenant overrides: one {@code TENANT IMAGES_PER_HOUR PIXEL_STEPS_PER_HOUR} line each,
   * separated by white space, where {@code -} keeps that default and {@code 0} is unlimited; blank
   * lines and lines starting with {@code #} are skipped.
   *
   * @throws IllegalArgumentException {@code file:line: problem} for the first bad line or a tenant
   *     listed twice
   * @throws IOException when the file cannot be read
   */
  public static Quotas load(Path file, Limit defaults) throws IOException {
    Map<String, Limit> byTenant = new HashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    for (WordLines.Line line : WordLines.read(file, 3, "TENANT IMAGES_PER_HOUR PIXEL_STEPS_PER_HOUR")) {
      String where = line.where();
      String[] parts = line.words();
      try {
        RequestValidator.requireId("tenant", parts[0]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage());
      }
      Integer first = lineOf.putIfAbsent(parts[0], line.number());
      if (first != null) {
        throw new IllegalArgumentException(where + "tenant " + parts[0] + " is already on line " + first);
      }
      byTenant.put(parts[0], new Limit(number(where, "images per hour", parts[1], defaults.imagesPerHour()),
          number(where, "pixel-steps per hour", parts[2], defaults.pixelStepsPerHour())));
    }
    return new Quotas(defaults, byTenant);
  }

  /** The tenant's limits. */
  public Limit of(String tenant) {
    return byTenant.getOrDefault(tenant, defaults);
  }

  @Override
  public String toString() {
    return "Quotas{default " + defaults + ", " + byTenant.size() + " overrides}";
  }

  private static long number(String where, String what, String text, long fallback) {
    if (text.equals("-")) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.replace("_", ""));
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Falls through to the message below.
    }
    throw new IllegalArgumentException(where + what + " must be a whole number, 0 (unlimited) or - (the default),"
        + " got \"" + text + "\"");
  }
}
