package dev.kiln.safety.gallery.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import org.junit.jupiter.api.Test;

class ThumbnailCacheTest {
  /** Each weighs 1,000 + 2 * 2 + 160 = 1,164 bytes under a two-character key. */
  private static Thumbnail thumbnail(int marker) {
    byte[] bytes = new byte[1000];
    bytes[0] = (byte) marker;
    return new Thumbnail(bytes, "image/jpeg", 10, 10);
  }

  @Test
  void evictsTheLeastRecentlyUsedNotTheLeastOftenUsed() {
    ThumbnailCache cache = new ThumbnailCache(3 * 1164);
    cache.put("a1", thumbnail(1));
    cache.put("a2", thumbnail(2));
    cache.put("a3", thumbnail(3));
    // A finished batch's thumbnails, used by many rewrites of its pages.
    for (int rewrite = 0; rewrite < 10; rewrite++) {
      cache.get("a1");
      cache.get("a2");
      cache.get("a3");
    }
    cache.get("a1");

    cache.put("b1", thumbnail(4));
    cache.put("b2", thumbnail(5));

    assertThat(cache.get("b1").bytes()[0]).as("a new batch's thumbnail is kept").isEqualTo((byte) 4);
    assertThat(cache.get("b2")).isNotNull();
    assertThat(cache.get("a1")).as("used last of the old ones").isNotNull();
    assertThat(cache.get("a2")).isNull();
    assertThat(cache.get("a3")).isNull();
    assertThat(cache.bytes()).isEqualTo(3 * 1164);
  }

  @Test
  void staysWithinItsBudgetAndReplacesByKey() {
    ThumbnailCache cache = new ThumbnailCache(2 * 1164 + 100);
    cache.put("a1", thumbnail(1));
    cache.put("a1", thumbnail(9));

    assertThat(cache.bytes()).isEqualTo(1164);
    assertThat(cache.get("a1").bytes()[0]).isEqualTo((byte) 9);

    cache.put("a2", thumbnail(2));
    cache.put("a3", thumbnail(3));

    assertThat(cache.bytes()).isEqualTo(2 * 1164);
    assertThat(cache.get("a1")).isNull();
  }

  @Test
  void doesNotKeepAThumbnailHeavierThanTheWholeBudget() {
    ThumbnailCache cache = new ThumbnailCache(1000);
    cache.put("a1", thumbnail(1));

    assertThat(cache.get("a1")).isNull();
    assertThat(cache.bytes()).isZero();
    assertThatThrownBy(() -> new ThumbnailCache(-1)).hasMessageContaining("give 0 or more");
  }
}
