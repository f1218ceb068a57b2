package dev.kiln.ingest.catalogue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How catalogue rows become requests: the prompt template, the column that names each row, and
 * the variants every row is rendered in (each seed at each size). Immutable; build it with
 * {@link #builder()}.
 *
 * @param keyColumn the column naming each row; {@code null} to use a column called {@code id},
 *     {@code sku} or {@code key} (ignoring case, in that order of preference), else the 1-based
 *     row number
 * @param seeds one variant per seed; empty for one variant with the submission's default seed
 * @param sizes one variant per size; empty for one variant with the submission's default size
 */
public record CatalogueSpec(Template template, String keyColumn, List<Long> seeds, List<Size> sizes) {
  /** Column names tried, in order, when no key column is given. */
  public static final List<String> DEFAULT_KEY_COLUMNS = List.of("id", "sku", "key");

  public CatalogueSpec {
    Objects.requireNonNull(template, "template");
    seeds = List.copyOf(seeds);
    sizes = List.copyOf(sizes);
  }

  /** Requests each row yields. */
  public int variantsPerRow() {
    return Math.max(1, seeds.size()) * Math.max(1, sizes.size());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder; {@link #setTemplate} is required. */
  public static final class Builder {
    private Template template;
    private String keyColumn;
    private List<Long> seeds = List.of();
    private List<Size> sizes = List.of();

    private Builder() {}

    /** Required: the prompt template. */
    public Builder setTemplate(Template template) {
      this.template = template;
      return this;
    }

    /** The column naming each row; see {@link CatalogueSpec#keyColumn()}. */
    public Builder optKeyColumn(String keyColumn) {
      this.keyColumn = keyColumn;
      return this;
    }

    /**
     * One variant per seed.
     *
     * @throws IllegalArgumentException if a seed is listed twice: both would get the same request id
     */
    public Builder optSeeds(List<Long> seeds) {
      this.seeds = distinct(seeds, "seed");
      return this;
    }

    /** One variant per seed from 0 to {@code count - 1}. */
    public Builder optVariants(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("must be 1 or more, got " + count);
      }
      List<Long> range = new ArrayList<>(count);
      for (long seed = 0; seed < count; seed++) {
        range.add(seed);
      }
      this.seeds = range;
      return this;
    }

    /**
     * One variant per size.
     *
     * @throws IllegalArgumentException if a size is listed twice: both would get the same request id
     */
    public Builder optSizes(List<Size> sizes) {
      this.sizes = distinct(sizes, "size");
      return this;
    }

    public CatalogueSpec build() {
      if (template == null) {
        throw new IllegalStateException("no template: call setTemplate(Template.parse(\"a {colour} {product}\"))");
      }
      return new CatalogueSpec(template, keyColumn, seeds, sizes);
    }

    private static <T> List<T> distinct(List<T> values, String what) {
      Set<T> seen = new HashSet<>();
      for (T value : values) {
        Objects.requireNonNull(value, what);
        if (!seen.add(value)) {
          throw new IllegalArgumentException(what + " " + value + " is listed twice; list each " + what
              + " once (both would get the same request id)");
        }
      }
      return List.copyOf(values);
    }
  }
}
