package dev.kiln.safety.gallery.internal;

import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thumbnails by key, bounded by the bytes they weigh, the least recently used evicted first.
 *
 * <p>Least recently used is the right order for a gallery: a batch's pages are rewritten every few
 * seconds while it runs, each rewrite using all its thumbnails, and never again once it is done.
 * A frequency-based cache (Caffeine's W-TinyLFU) does the opposite: thumbnails of finished batches,
 * used by several rewrites, outrank a new image's, which it then refuses. After 15,000 images in
 * {@code bench/safety/run.sh}, that had the gallery fetch and decode most images again.
 *
 * <p>Not thread-safe, as a Flink function is called from one thread; only {@link #bytes()} may be
 * read from another (a metrics reporter's).
 */
public final class ThumbnailCache {
  private final long budget;
  private final LinkedHashMap<String, Thumbnail> entries = new LinkedHashMap<>(64, 0.75f, true);
  private volatile long bytes;

  /** @param budget the most bytes the thumbnails may weigh, by {@link #weigh} */
  public ThumbnailCache(long budget) {
    if (budget < 0) {
      throw new IllegalArgumentException("a thumbnail cache of " + budget + " bytes: give 0 or more, e.g. 32 MiB");
    }
    this.budget = budget;
  }

  /** The thumbnail kept for {@code key}, now the most recently used; null when none is kept. */
  public Thumbnail get(String key) {
    return entries.get(key);
  }

  /**
   * Keeps {@code thumbnail} for {@code key} as the most recently used, replacing any other, and
   * evicts the least recently used until all fit the budget. A thumbnail heavier than the whole
   * budget is not kept.
   */
  public void put(String key, Thumbnail thumbnail) {
    long weight = weigh(key, thumbnail);
    Thumbnail old = entries.remove(key);
    long total = bytes - (old == null ? 0 : weigh(key, old));
    if (weight <= budget) {
      entries.put(key, thumbnail);
      total += weight;
      Iterator<Map.Entry<String, Thumbnail>> eldest = entries.entrySet().iterator();
      while (total > budget) {
        Map.Entry<String, Thumbnail> e = eldest.next();
        total -= weigh(e.getKey(), e.getValue());
        eldest.remove();
      }
    }
    bytes = total;
  }

  /** The bytes the kept thumbnails weigh. */
  public long bytes() {
    return bytes;
  }

  /** What a kept thumbnail costs in heap: its bytes, its key's characters and the objects around them. */
  static long weigh(String key, Thumbnail thumbnail) {
    return thumbnail.bytes().length + 2L * key.length() + 160;
  }
}
