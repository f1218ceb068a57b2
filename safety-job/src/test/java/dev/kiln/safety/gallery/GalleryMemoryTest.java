package dev.kiln.safety.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderResult;
import dev.kiln.storage.StorageOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One huge batch through the gallery under a small heap (issue 14, finding 1): the surefire
 * execution {@code small-heap} in this module's pom runs this class alone, in a JVM of 256 MiB.
 * Before the fix, the function cached up to 4,096 source PNGs and wrote every tile of the batch on
 * one page, so this batch either ran out of heap or wrote a page far above the bound.
 */
@Tag("small-heap")
class GalleryMemoryTest {
  private static final int RESULTS = 2_000;
  private static final int IMAGES_PER_REQUEST = 4;
  private static final int SIDE = 1024;
  private static final String BATCH = "huge";
  private static final long START = 1_000_000L;
  /** 20 results a second: with the 2 s debounce, a rewrite every 40 results. */
  private static final long RESULT_INTERVAL_MS = 50;
  /** Everything on a page but its thumbnails: markup, prompt, ids, per tile, and the page's head and navigation. */
  private static final int TILE_TEXT = 2_048;
  private static final int PAGE_TEXT = 64 * 1024;
  private static final Pattern TILE = Pattern.compile("<figure class=\"tile ");

  private final FakeS3 s3 = new FakeS3();

  @Test
  void thumbnailCacheAndEveryPageStayWithinTheirBoundsForAFewThousand1024PixelImages() throws Exception {
    Configuration config = new Configuration();
    config.set(StorageOptions.BUCKET, "kiln");
    int tilesPerPage = config.get(GalleryOptions.TILES_PER_PAGE);
    long cacheBudget = config.get(GalleryOptions.THUMBNAIL_CACHE).getBytes();
    long pageBound = (long) tilesPerPage * (GalleryPage.MAX_THUMBNAIL_BYTES * 4L / 3 + TILE_TEXT) + PAGE_TEXT;
    // One image's bytes for every result: the bucket holds references, so only the function's own copies cost heap.
    byte[] image = renderedLookingPng(SIDE);
    GalleryFunction function = new GalleryFunction(config, settings -> s3);
    long largestPage = 0;
    long mostCached = 0;
    int checkedPuts = 0;
    try (KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Published, Void> harness =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(function, new GalleryFunction.BatchKey(),
            Types.TUPLE(Types.STRING, Types.STRING))) {
      for (int i = 0; i < RESULTS; i++) {
        long now = START + i * RESULT_INTERVAL_MS;
        harness.setProcessingTime(now);
        RenderResult result = SampleResults.published(BATCH, "r" + i / IMAGES_PER_REQUEST, i % IMAGES_PER_REQUEST,
            IMAGES_PER_REQUEST, "a glazed bowl, number " + i);
        s3.put(result.getAssetKey(), image);
        harness.processElement(Published.of(result), now);

        assertThat(function.thumbnailCacheBytes()).as("thumbnail cache after result %d", i).isLessThanOrEqualTo(cacheBudget);
        mostCached = Math.max(mostCached, function.thumbnailCacheBytes());
        for (; checkedPuts < s3.puts.size(); checkedPuts++) {
          String key = s3.puts.get(checkedPuts);
          long size = s3.objects.get(key).bytes().length;
          assertThat(size).as("%s written after result %d", key, i).isLessThanOrEqualTo(pageBound);
          largestPage = Math.max(largestPage, size);
        }
      }
      harness.setProcessingTime(START + RESULTS * RESULT_INTERVAL_MS + 10_000);
      assertThat(function.thumbnailCacheBytes()).isLessThanOrEqualTo(cacheBudget);
    }
    for (; checkedPuts < s3.puts.size(); checkedPuts++) {
      long size = s3.objects.get(s3.puts.get(checkedPuts)).bytes().length;
      assertThat(size).as(s3.puts.get(checkedPuts)).isLessThanOrEqualTo(pageBound);
      largestPage = Math.max(largestPage, size);
    }

    int pages = (RESULTS + tilesPerPage - 1) / tilesPerPage;
    String index = page(GalleryFunction.pageKey("acme", BATCH));
    assertThat(index).contains(RESULTS + " of " + RESULTS + " images").contains("Complete")
        .contains("<a href=\"./page-" + pages + ".html\">");
    for (int n = 1; n <= pages; n++) {
      String html = page(GalleryFunction.pageKey("acme", BATCH, n));
      assertThat(TILE.matcher(html).results().count()).as("tiles on page %d", n).isEqualTo(tilesPerPage);
      assertThat(html).as("page %d embeds thumbnails", n).contains("data:image/");
      assertThat(html.contains("rel=\"next\"")).as("page %d links a next page", n).isEqualTo(n < pages);
    }
    assertThat(s3.objects).doesNotContainKey(GalleryFunction.pageKey("acme", BATCH, pages + 1));
    // Every image is decoded about once: a rewrite decodes only the uncached images of the pages it writes.
    assertThat(function.thumbnailsMade()).isBetween((long) RESULTS, (long) RESULTS + tilesPerPage);
    System.out.printf("%d results, %d puts: largest page %d bytes (bound %d), most cached %d bytes (budget %d),"
        + " %d thumbnails made%n", RESULTS, s3.puts.size(), largestPage, pageBound, mostCached, cacheBudget,
        function.thumbnailsMade());
  }

  private String page(String key) {
    assertThat(s3.objects).as("objects in the bucket").containsKey(key);
    return new String(s3.objects.get(key).bytes(), StandardCharsets.UTF_8);
  }

  /**
   * A PNG with what makes a rendered image costly: smooth shading with fine grain, so its source
   * is megabytes, its 256 px PNG thumbnail some 180 KB, and a JPEG of that about 10 KB.
   */
  private static byte[] renderedLookingPng(int side) {
    BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Random grain = new Random(14);
    int cell = 4;
    int cells = side / cell;
    int[] noise = new int[cells * cells * 3];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = grain.nextInt(25) - 12;
    }
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int c = ((y / cell) * cells + x / cell) * 3;
        int r = (int) (128 + 100 * Math.sin(x / 37.0) * Math.cos(y / 53.0)) + noise[c];
        int g = x * 255 / side + noise[c + 1];
        int b = y * 255 / side + noise[c + 2];
        image.setRGB(x, y, clamp(r) << 16 | clamp(g) << 8 | clamp(b));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
