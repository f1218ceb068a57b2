package dev.kiln.safety.gallery;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Settings of the batch gallery. Storage settings are in StorageOptions. */
public final class GalleryOptions {
  private GalleryOptions() {}

  public static final ConfigOption<Duration> STATE_TTL = ConfigOptions.key("kiln.gallery.state-ttl")
      .durationType().defaultValue(Duration.ofDays(7))
      .withDescription("How long the gallery remembers a result after it arrived. A batch whose results span"
          + " longer than this loses its oldest tiles from the page; the images themselves stay.");

  public static final ConfigOption<Duration> DEBOUNCE = ConfigOptions.key("kiln.gallery.debounce")
      .durationType().defaultValue(Duration.ofSeconds(2))
      .withDescription("How long after the first unshown result a batch's pages are rewritten, and the shortest"
          + " time between two rewrites of a batch. A rewrite writes the batch's first page (index.html) and each"
          + " other page whose tiles changed; a batch that looks complete is rewritten at once unless it was"
          + " written within this interval.");

  public static final ConfigOption<Integer> TILES_PER_PAGE = ConfigOptions.key("kiln.gallery.tiles-per-page")
      .intType().defaultValue(500)
      .withDescription("The most tiles on one gallery page. A larger batch gets more pages (page-2.html, ...),"
          + " linked from index.html and from each other. Each tile embeds a thumbnail of at most "
          + GalleryPage.MAX_THUMBNAIL_BYTES / 1024 + " KiB, so this bounds a page's size and the memory a"
          + " rewrite needs.");

  public static final ConfigOption<MemorySize> THUMBNAIL_CACHE = ConfigOptions.key("kiln.gallery.thumbnail-cache")
      .memoryType().defaultValue(MemorySize.parse("32m"))
      .withDescription("Bytes of encoded thumbnails each gallery subtask keeps in memory, so a rewrite does not"
          + " fetch and decode the images it showed before. The least useful are dropped first; a dropped"
          + " thumbnail is made again from its image when its page is next written. Keep it above"
          + " tiles-per-page times a typical thumbnail (10 to 20 KiB), or every rewrite of index.html decodes"
          + " images again.");
}
