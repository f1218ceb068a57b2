package dev.kiln.safety.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.RenderResult;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.StorageOptions;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GalleryFunctionTest {
  private static final String BATCH = "b1";
  private static final String PAGE = "assets/acme/b1/index.html";
  private static final long START = 1_000_000L;

  private final FakeS3 s3 = new FakeS3();
  private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Published, Void> harness;

  @BeforeEach
  void open() throws Exception {
    harness = harness(new Configuration());
  }

  private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Published, Void> harness(
      Configuration extra) throws Exception {
    var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new GalleryFunction(withBucket(extra), settings -> s3),
        new GalleryFunction.BatchKey(), Types.TUPLE(Types.STRING, Types.STRING));
    h.setProcessingTime(START);
    return h;
  }

  private static Configuration withBucket(Configuration extra) {
    Configuration config = new Configuration();
    config.set(StorageOptions.BUCKET, "kiln");
    config.addAll(extra);
    return config;
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(RenderResult result) throws Exception {
    if (result.getStatus() == dev.kiln.schemas.ResultStatus.PUBLISHED) {
      s3.put(result.getAssetKey(), SampleResults.png(64, 64, Color.RED));
    }
    harness.processElement(Published.of(result), START);
  }

  private String page() {
    return page(PAGE);
  }

  private String page(String key) {
    assertThat(s3.objects).as("objects in the bucket").containsKey(key);
    return new String(s3.objects.get(key).bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void writesThePageWhenTheDebounceElapses() throws Exception {
    send(SampleResults.published(BATCH, "r1", 0, 2, "a red circle"));

    assertThat(s3.objects).doesNotContainKey(PAGE);
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(START + 2_000);

    assertThat(page()).contains("a red circle").contains("1 of 2 images").contains("data:image/png;base64,");
    assertThat(s3.objects.get(PAGE).contentType()).isEqualTo("text/html; charset=utf-8");
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void debouncesManyResultsIntoOneWrite() throws Exception {
    for (int i = 0; i < 5; i++) {
      send(SampleResults.published(BATCH, "r" + i, 0, 2, "shape " + i));
      harness.setProcessingTime(START + 300L * i);
    }
    send(SampleResults.published(BATCH, "r-late", 0, 1, "late"));

    harness.setProcessingTime(START + 2_000);

    assertThat(s3.putsOf(PAGE)).isEqualTo(1);
    assertThat(page()).contains("6 of 11 images").contains("late");
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void writesACompleteBatchAtOnceAndLeavesNoTimer() throws Exception {
    send(SampleResults.published(BATCH, "r1", 0, 2, "first"));
    send(SampleResults.quarantined(BATCH, "r1", 1, 2, "second"));

    assertThat(harness.numProcessingTimeTimers()).isZero();
    assertThat(s3.putsOf(PAGE)).isEqualTo(1);
    assertThat(page()).contains("2 of 2 images").contains("Complete").contains("1 published")
        .contains("1 rejected").doesNotContain("quarantine/");

    harness.setProcessingTime(START + 60_000);
    assertThat(s3.putsOf(PAGE)).as("no late rewrite from a stale timer").isEqualTo(1);
  }

  @Test
  void completeMeansEveryImageOfEveryRequestSeen() throws Exception {
    send(SampleResults.published(BATCH, "r1", 0, 1, "one"));
    assertThat(s3.putsOf(PAGE)).as("r1 alone is a complete batch as far as anyone can tell").isEqualTo(1);

    send(SampleResults.published(BATCH, "r2", 1, 3, "two"));
    send(SampleResults.failed(BATCH, "r2", 0, 3, "two"));
    assertThat(s3.putsOf(PAGE)).isEqualTo(1);

    send(SampleResults.published(BATCH, "r2", 2, 3, "two"));
    assertThat(s3.putsOf(PAGE)).as("complete again, but written less than the debounce ago").isEqualTo(1);
    harness.setProcessingTime(START + 2_000);
    assertThat(s3.putsOf(PAGE)).isEqualTo(2);
    assertThat(page()).contains("4 of 4 images").contains("1 failed");
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void rewritesABatchOfOneImageRequestsAtMostOncePerDebounce() throws Exception {
    // Every result completes the batch as far as the function can tell.
    for (int i = 0; i < 40; i++) {
      harness.setProcessingTime(START + 100L * i);
      harness.processElement(Published.of(SampleResults.published(BATCH, "r" + i, 0, 1, "shape " + i)),
          START + 100L * i);
    }
    assertThat(s3.putsOf(PAGE)).as("the first result at once, then one rewrite per 2 s").isEqualTo(2);

    harness.setProcessingTime(START + 6_000);

    assertThat(s3.putsOf(PAGE)).isEqualTo(3);
    assertThat(page()).contains("40 of 40 images").contains("shape 39");
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void aReplayedResultRewritesTheSamePage() throws Exception {
    RenderResult only = SampleResults.published(BATCH, "r1", 0, 1, "once");
    send(only);
    byte[] first = s3.objects.get(PAGE).bytes();

    harness.setProcessingTime(START + 2_000);
    harness.processElement(Published.of(only), START + 2_000);

    assertThat(s3.putsOf(PAGE)).isEqualTo(2);
    assertThat(s3.objects.get(PAGE).bytes()).isEqualTo(first);
    assertThat(page()).contains("1 of 1 image<");
  }

  @Test
  void keepsBatchesApart() throws Exception {
    send(SampleResults.published("b1", "r1", 0, 1, "for b1"));
    send(SampleResults.published("b2", "r1", 0, 1, "for b2"));

    assertThat(page("assets/acme/b1/index.html")).contains("for b1").doesNotContain("for b2");
    assertThat(page("assets/acme/b2/index.html")).contains("for b2").doesNotContain("for b1");
  }

  @Test
  void embedsOnlyImagesFromTheBatchAssetsPrefix() throws Exception {
    RenderResult lying = RenderResult.newBuilder(SampleResults.published(BATCH, "r1", 0, 1, "a"))
        .setAssetKey(ObjectKeys.quarantine(SampleResults.TENANT, BATCH, "r1-0"))
        .build();
    s3.put(ObjectKeys.quarantine(SampleResults.TENANT, BATCH, "r1-0"), SampleResults.png(64, 64, Color.PINK));

    harness.processElement(Published.of(lying), START);

    assertThat(page()).doesNotContain("data:image").contains("Image unavailable");
  }

  @Test
  void forgetsResultsOlderThanTheStateTtl() throws Exception {
    harness.close();
    Configuration ttl = new Configuration();
    ttl.set(GalleryOptions.STATE_TTL, Duration.ofHours(1));
    harness = harness(ttl);
    harness.setStateTtlProcessingTime(0);
    send(SampleResults.published(BATCH, "r1", 0, 2, "old"));
    harness.setProcessingTime(START + 2_000);
    assertThat(page()).contains("old");

    harness.setStateTtlProcessingTime(Duration.ofHours(2).toMillis());
    send(SampleResults.published(BATCH, "r2", 0, 2, "new"));
    harness.setProcessingTime(START + 10_000);

    assertThat(page()).contains("new").doesNotContain("old").contains("1 of 2 images");
  }

  @Test
  void pagesALargeBatchAndRewritesOnlyTheFirstPageAndThePagesWhoseTilesChanged() throws Exception {
    harness.close();
    Configuration paged = new Configuration();
    paged.set(GalleryOptions.TILES_PER_PAGE, 2);
    harness = harness(paged);
    String page2 = "assets/acme/b1/page-2.html";
    String page3 = "assets/acme/b1/page-3.html";
    // One-image requests: each result completes the batch, so each is written once the debounce has passed.
    for (int i = 1; i <= 5; i++) {
      harness.setProcessingTime(START + 2_000L * i);
      send(SampleResults.published(BATCH, "r" + i, 0, 1, "shape " + i));
    }
    assertThat(page()).contains("5 of 5 images").contains("shape 1").contains("shape 2").doesNotContain("shape 3")
        .contains("<a href=\"./page-3.html\">5&ndash;5</a>");
    assertThat(page(page2)).contains("shape 3").contains("shape 4").doesNotContain("shape 5");
    assertThat(page(page3)).contains("shape 5").doesNotContain("rel=\"next\"");
    long firstPuts = s3.putsOf(PAGE);
    long page2Puts = s3.putsOf(page2);
    long page3Puts = s3.putsOf(page3);

    harness.setProcessingTime(START + 20_000);
    send(SampleResults.published(BATCH, "r6", 0, 1, "shape 6"));

    assertThat(page(page3)).contains("shape 6");
    assertThat(s3.putsOf(page3)).isEqualTo(page3Puts + 1);
    assertThat(s3.putsOf(PAGE)).as("the first page carries the counts").isEqualTo(firstPuts + 1);
    assertThat(s3.putsOf(page2)).as("page 2 shows what it showed").isEqualTo(page2Puts);

    harness.setProcessingTime(START + 30_000);
    send(SampleResults.published(BATCH, "r0", 0, 1, "shape 0"));

    assertThat(s3.putsOf(page2)).as("a result at the front shifts every page").isEqualTo(page2Puts + 1);
    assertThat(page(page2)).contains("shape 2").contains("shape 3").doesNotContain("shape 4");
    assertThat(page("assets/acme/b1/page-4.html")).contains("shape 6");
  }

  @Test
  void keepsItsThumbnailCacheWithinItsByteBudgetAndStillShowsEveryImage() throws Exception {
    harness.close();
    Configuration small = new Configuration();
    small.set(GalleryOptions.THUMBNAIL_CACHE, MemorySize.parse("2kb"));
    GalleryFunction function = new GalleryFunction(withBucket(small), settings -> s3);
    harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(function, new GalleryFunction.BatchKey(),
        Types.TUPLE(Types.STRING, Types.STRING));
    // One-image requests, 2 s apart: each result rewrites the page, which needs every thumbnail of the batch.
    for (int i = 0; i < 20; i++) {
      harness.setProcessingTime(START + 2_000L * i);
      send(SampleResults.published(BATCH, "r" + i, 0, 1, "shape " + i));
      assertThat(function.thumbnailCacheBytes()).as("after result %d", i).isPositive().isLessThanOrEqualTo(2048);
    }

    assertThat(s3.putsOf(PAGE)).isEqualTo(20);
    assertThat(page().split("data:image/png;base64,", -1)).hasSize(21);
    assertThat(function.thumbnailCacheBytes()).isLessThanOrEqualTo(2048);
  }

  @Test
  void aRewriteMakesThumbnailsOnlyForImagesItHasNotCached() throws Exception {
    harness.close();
    GalleryFunction function = new GalleryFunction(withBucket(new Configuration()), settings -> s3);
    harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(function, new GalleryFunction.BatchKey(),
        Types.TUPLE(Types.STRING, Types.STRING));
    for (int i = 0; i < 10; i++) {
      harness.setProcessingTime(START + 2_000L * i);
      send(SampleResults.published(BATCH, "r" + i, 0, 1, "shape " + i));
    }

    assertThat(s3.putsOf(PAGE)).isEqualTo(10);
    assertThat(function.thumbnailsMade()).as("one per image, not one per image per rewrite").isEqualTo(10);
  }

  @Test
  void usesTheThumbnailThatComesWithAResultWithoutFetchingTheImage() throws Exception {
    harness.close();
    GalleryFunction function = new GalleryFunction(withBucket(new Configuration()), settings -> s3);
    harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(function, new GalleryFunction.BatchKey(),
        Types.TUPLE(Types.STRING, Types.STRING));
    harness.setProcessingTime(START);
    BufferedImage large = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = large.createGraphics();
    g.setColor(Color.BLUE);
    g.fillRect(0, 0, 512, 512);
    g.dispose();
    Thumbnail thumbnail = GalleryPage.thumbnail(large).orElseThrow();
    // The image itself is not in the bucket: the page can only show the thumbnail that came with the result.
    harness.processElement(new Published(SampleResults.published(BATCH, "r1", 0, 1, "a blue square"), thumbnail),
        START);

    assertThat(page()).contains("data:" + thumbnail.mediaType() + ";base64,"
        + java.util.Base64.getEncoder().encodeToString(thumbnail.bytes()));
    assertThat(function.thumbnailsMade()).as("thumbnails made by fetching and decoding").isZero();
  }

  @Test
  void closesItsS3Client() throws Exception {
    harness.close();

    assertThat(s3.closed).isTrue();
    harness = harness(new Configuration());
  }

  @Test
  void attachAddsTheGalleryOperatorWithAStableUid() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration config = new Configuration();
    config.set(StorageOptions.BUCKET, "kiln");

    GalleryFunction.attach(env.fromData(Published.of(SampleResults.published(BATCH, "r1", 0, 1, "a"))), config);

    assertThat(env.getStreamGraph().getStreamNodes())
        .extracting(StreamNode::getTransformationUID)
        .contains("gallery", "gallery-done");
  }

  @Test
  void keepsEntriesWithFlinksPojoSerializerNotKryo() {
    assertThat(TypeInformation.of(GalleryEntry.class)).isInstanceOf(PojoTypeInfo.class);
  }

  @Test
  void sendsResultsWithTheirThumbnailsThroughFlinksPojoSerializer() throws Exception {
    TypeInformation<Published> type = TypeInformation.of(Published.class);
    assertThat(type).isInstanceOf(PojoTypeInfo.class);
    var serializer = type.createSerializer(new SerializerConfigImpl());
    Published published = new Published(SampleResults.published(BATCH, "r1", 0, 1, "a"),
        new Thumbnail(new byte[] {1, 2, 3}, "image/jpeg", 3, 1));
    var out = new DataOutputSerializer(256);
    serializer.serialize(published, out);

    Published copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(copy.result()).isEqualTo(published.result());
    assertThat(copy.thumbnail().bytes()).containsExactly(1, 2, 3);
    assertThat(copy.thumbnail().mediaType()).isEqualTo("image/jpeg");
  }
}
