package dev.kiln.safety.gallery;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of the batch gallery. Storage settings are in StorageOptions. */
public final class GalleryOptions {
  private GalleryOptions() {}

  public static final ConfigOption<Duration> STATE_TTL = ConfigOptions.key("kiln.gallery.state-ttl")
      .durationType().defaultValue(Duration.ofDays(7))
      .withDescription("How long the gallery remembers a result after it arrived. A batch whose results span"
          + " longer than this loses its oldest tiles from the page; the images themselves stay.");

  public static final ConfigOption<Duration> DEBOUNCE = ConfigOptions.key("kiln.gallery.debounce")
      .durationType().defaultValue(Duration.ofSeconds(2))
      .withDescription("How long after the first unshown result a batch's page is rewritten, and the shortest"
          + " time between two rewrites of a page. Each rewrite renders every image of the batch; a batch that"
          + " looks complete is rewritten at once unless its page was written within this interval.");
}
