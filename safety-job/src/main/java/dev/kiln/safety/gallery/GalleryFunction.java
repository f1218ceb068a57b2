package dev.kiln.safety.gallery;

import dev.kiln.safety.gallery.internal.ThumbnailCache;
import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3ClientFactory;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.S3Settings;
import dev.kiln.storage.StorageOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Keeps each batch's gallery pages, {@code assets/{tenant}/{batchId}/index.html} and, past {@link
 * GalleryOptions#TILES_PER_PAGE} results, {@code page-2.html} and on, up to date with the results
 * the safety job emits. Keyed by (tenant, batchId).
 *
 * <p>The function remembers every result of a batch (without image bytes) and rewrites the batch's
 * pages from that state, at most once per {@link GalleryOptions#DEBOUNCE}: that long after the
 * first result no page shows yet, or at once when the batch looks complete and its pages were not
 * written within the interval (else at the interval's end). "Complete" means: for every request
 * seen, a result for each of its {@code imageCount} images, so a batch of one-image requests looks
 * complete after every result; without the interval it would be rewritten once per image. The
 * function only sees results of images that exist; requests the render job rejected or failed
 * never reach it and are not counted.
 *
 * <p>A rewrite writes {@code index.html} (it carries the batch's counts) and each other page whose
 * {@linkplain GalleryPage#fingerprint fingerprint} differs from the one it was last written with,
 * so a result arriving in order rewrites two pages however large the batch. Memory is bounded by
 * bytes, not by images: a page embeds at most {@code tiles-per-page} thumbnails of at most {@value
 * GalleryPage#MAX_THUMBNAIL_BYTES} bytes, and the only images kept between rewrites are encoded
 * thumbnails, in a least-recently-used cache of {@link GalleryOptions#THUMBNAIL_CACHE} bytes per
 * subtask. A result's thumbnail, when it comes with the result, goes into that cache; a rewrite
 * fetches and decodes only the images of the pages it writes whose thumbnails are not cached.
 *
 * <p>Each write is derived from state alone, so a replay after a restore writes the same pages
 * again; the cache only saves work. Pending rewrites are timers, and page fingerprints are state,
 * both checkpointed. Storage errors fail the task, as in the rest of the safety job, and Flink
 * retries.
 */
public class GalleryFunction extends KeyedProcessFunction<Tuple2<String, String>, Published, Void> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GalleryFunction.class);

  /** The first page's name inside the batch's assets prefix. */
  public static final String PAGE_NAME = GalleryPage.FIRST_PAGE;
  static final String CONTENT_TYPE = "text/html; charset=utf-8";

  private final Configuration config;
  private final S3ClientFactory clients;
  private transient S3Client s3;
  private transient ObjectStore store;
  private transient Duration debounce;
  private transient MapState<String, GalleryEntry> entries;
  private transient MapState<String, Integer> requests;
  private transient ValueState<Integer> missing;
  private transient ValueState<Long> pendingRewrite;
  private transient ValueState<Long> lastWrite;
  private transient MapState<Integer, String> pageFingerprints;
  private transient int tilesPerPage;
  private transient Counter pagesWritten;
  private transient Counter thumbnailsMade;
  /**
   * Thumbnails of published images by asset key, so an image is fetched and decoded once, not on
   * every rewrite of its page (index.html is rewritten every few seconds while its batch runs).
   * Bounded by the bytes it holds, never by a count of images. Not state: after a restore,
   * thumbnails are simply made again, and the same image gives the same thumbnail.
   */
  private transient ThumbnailCache thumbnails;

  public GalleryFunction(Configuration config) {
    this(config, S3Clients::create);
  }

  GalleryFunction(Configuration config, S3ClientFactory clients) {
    this.config = config;
    this.clients = clients;
  }

  /**
   * Adds the gallery to a job: every result in {@code results} updates its batch's page, and a
   * thumbnail that comes with it is used rather than made again. The operator has uid {@code
   * gallery}; it emits nothing.
   */
  public static void attach(DataStream<Published> results, Configuration config) {
    results.keyBy(new BatchKey(), Types.TUPLE(Types.STRING, Types.STRING))
        .process(new GalleryFunction(config), Types.VOID).name("gallery").uid("gallery")
        .sinkTo(new DiscardingSink<>()).name("gallery-done").uid("gallery-done");
  }

  /** {@code assets/{tenant}/{batchId}/index.html}, the batch's first page. */
  public static String pageKey(String tenant, String batchId) {
    return pageKey(tenant, batchId, 1);
  }

  /**
   * The key of page {@code number} of the batch's gallery: {@code assets/{tenant}/{batchId}/index.html}
   * for page 1, {@code .../page-{number}.html} for the others.
   */
  public static String pageKey(String tenant, String batchId, int number) {
    return ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, tenant, batchId) + GalleryPage.pageName(number);
  }

  /** Keys results by (tenant, batchId). */
  public static final class BatchKey implements KeySelector<Published, Tuple2<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<String, String> getKey(Published published) {
      return Tuple2.of(published.result().getTenant(), published.result().getBatchId());
    }
  }

  @Override
  public void open(OpenContext openContext) {
    S3Settings settings = StorageOptions.fromConfiguration(config);
    debounce = config.get(GalleryOptions.DEBOUNCE);
    tilesPerPage = config.get(GalleryOptions.TILES_PER_PAGE);
    if (tilesPerPage < 1) {
      throw new IllegalArgumentException(GalleryOptions.TILES_PER_PAGE.key() + " is " + tilesPerPage
          + ": a page needs at least one tile; use e.g. 500");
    }
    thumbnails = new ThumbnailCache(config.get(GalleryOptions.THUMBNAIL_CACHE).getBytes());
    StateTtlConfig ttl = StateTtlConfig.newBuilder(config.get(GalleryOptions.STATE_TTL))
        .updateTtlOnCreateAndWrite()
        .neverReturnExpired()
        .build();
    MapStateDescriptor<String, GalleryEntry> entriesDescriptor =
        new MapStateDescriptor<>("entries", Types.STRING, TypeInformation.of(GalleryEntry.class));
    MapStateDescriptor<String, Integer> requestsDescriptor =
        new MapStateDescriptor<>("request-image-counts", Types.STRING, Types.INT);
    ValueStateDescriptor<Integer> missingDescriptor = new ValueStateDescriptor<>("missing-images", Types.INT);
    ValueStateDescriptor<Long> pendingDescriptor = new ValueStateDescriptor<>("pending-rewrite", Types.LONG);
    ValueStateDescriptor<Long> lastWriteDescriptor = new ValueStateDescriptor<>("last-write", Types.LONG);
    MapStateDescriptor<Integer, String> fingerprintsDescriptor =
        new MapStateDescriptor<>("page-fingerprints", Types.INT, Types.STRING);
    entriesDescriptor.enableTimeToLive(ttl);
    requestsDescriptor.enableTimeToLive(ttl);
    missingDescriptor.enableTimeToLive(ttl);
    pendingDescriptor.enableTimeToLive(ttl);
    lastWriteDescriptor.enableTimeToLive(ttl);
    fingerprintsDescriptor.enableTimeToLive(ttl);
    entries = getRuntimeContext().getMapState(entriesDescriptor);
    requests = getRuntimeContext().getMapState(requestsDescriptor);
    missing = getRuntimeContext().getState(missingDescriptor);
    pendingRewrite = getRuntimeContext().getState(pendingDescriptor);
    lastWrite = getRuntimeContext().getState(lastWriteDescriptor);
    pageFingerprints = getRuntimeContext().getMapState(fingerprintsDescriptor);
    pagesWritten = getRuntimeContext().getMetricGroup().counter("galleryPagesWritten");
    thumbnailsMade = getRuntimeContext().getMetricGroup().counter("galleryThumbnailsMade");
    getRuntimeContext().getMetricGroup().gauge("galleryThumbnailCacheBytes", (Gauge<Long>) this::thumbnailCacheBytes);
    s3 = clients.create(settings);
    store = new ObjectStore(s3, settings.bucket());
  }

  @Override
  public void processElement(Published published, Context ctx, Collector<Void> out) throws Exception {
    RenderResult result = published.result();
    try {
      ObjectKeys.sidecar(ObjectKeys.Area.ASSETS, result.getTenant(), result.getBatchId(), result.getImageId());
    } catch (IllegalArgumentException e) {
      // Upstream validated these ids; a result that still fails would fail every rewrite of its page.
      LOG.warn("Not adding result {} to a gallery: {}", result.getImageId(), e.getMessage());
      return;
    }
    String imageId = result.getImageId();
    boolean newImage = !entries.contains(imageId);
    entries.put(imageId, GalleryEntry.of(result));
    if (published.thumbnail() != null && result.getStatus() == ResultStatus.PUBLISHED) {
      // Made from the pixels the safety job judged: the page need not fetch and decode the image.
      thumbnails.put(ObjectKeys.asset(result.getTenant(), result.getBatchId(), imageId), published.thumbnail());
    }
    int stillMissing = missing.value() == null ? 0 : missing.value();
    if (!requests.contains(result.getRequestId())) {
      requests.put(result.getRequestId(), result.getImageCount());
      stillMissing += result.getImageCount();
    }
    if (newImage) {
      stillMissing--;
    }
    missing.update(stillMissing);

    Long pending = pendingRewrite.value();
    long now = ctx.timerService().currentProcessingTime();
    Long written = lastWrite.value();
    boolean writtenRecently = written != null && now - written < debounce.toMillis();
    if (stillMissing <= 0 && !writtenRecently) {
      if (pending != null) {
        ctx.timerService().deleteProcessingTimeTimer(pending);
        pendingRewrite.clear();
      }
      writePages(ctx.getCurrentKey(), now);
    } else if (pending == null) {
      long at = stillMissing <= 0 ? written + debounce.toMillis() : now + debounce.toMillis();
      ctx.timerService().registerProcessingTimeTimer(at);
      pendingRewrite.update(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Void> out) throws Exception {
    pendingRewrite.clear();
    writePages(ctx.getCurrentKey(), timestamp);
  }

  private void writePages(Tuple2<String, String> batch, long now) throws Exception {
    lastWrite.update(now);
    String tenant = batch.f0;
    String batchId = batch.f1;
    List<GalleryEntry> all = new ArrayList<>();
    long newest = 0;
    for (GalleryEntry e : entries.values()) {
      all.add(e);
      newest = Math.max(newest, e.completedAtMillis());
    }
    if (all.isEmpty()) {
      // Everything expired between the change and this rewrite; an empty page would replace a useful one.
      return;
    }
    int expected = 0;
    for (Integer count : requests.values()) {
      expected += count;
    }
    GalleryPage.Sheet sheet = GalleryPage.Sheet.of(all, tilesPerPage);
    // The newest result's time, not the wall clock: the same state always gives the same pages.
    GalleryPage.Header header = new GalleryPage.Header(tenant, batchId, expected, Instant.ofEpochMilli(newest));
    // The first page last, so it never links to a page that is not written yet.
    for (int number = sheet.pages(); number >= 1; number--) {
      String fingerprint = number == 1 ? null : GalleryPage.fingerprint(tenant, batchId, sheet, number);
      if (fingerprint != null && fingerprint.equals(pageFingerprints.get(number))) {
        continue;
      }
      writePage(tenant, batchId, header, sheet, number);
      if (fingerprint != null) {
        pageFingerprints.put(number, fingerprint);
      }
    }
    List<Integer> gone = new ArrayList<>();
    for (Integer number : pageFingerprints.keys()) {
      if (number > sheet.pages()) {
        gone.add(number);
      }
    }
    for (Integer number : gone) {
      // Results expired and the sheet got shorter: a page past its end would be reachable from nothing but stale.
      store.delete(pageKey(tenant, batchId, number));
      pageFingerprints.remove(number);
    }
  }

  private void writePage(String tenant, String batchId, GalleryPage.Header header, GalleryPage.Sheet sheet,
      int number) {
    List<GalleryPage.Tile> tiles = new ArrayList<>();
    for (GalleryEntry e : sheet.page(number)) {
      // The key comes from the ids, not from the result: whatever a result claims, a page only ever embeds
      // objects from this batch's assets/ prefix.
      Thumbnail thumbnail = e.status() == ResultStatus.PUBLISHED
          ? thumbnail(tenant, batchId, ObjectKeys.asset(tenant, batchId, e.imageId()))
          : null;
      tiles.add(GalleryPage.Tile.withThumbnail(e, thumbnail));
    }
    byte[] html = GalleryPage.render(header, sheet, number, tiles);
    String key = pageKey(tenant, batchId, number);
    store.putBytes(key, html, CONTENT_TYPE, Map.of());
    pagesWritten.inc();
    LOG.debug("Wrote {} ({} tiles, {} bytes)", key, tiles.size(), html.length);
  }

  private Thumbnail thumbnail(String tenant, String batchId, String key) {
    Thumbnail cached = thumbnails.get(key);
    if (cached != null) {
      return cached;
    }
    Optional<byte[]> image = store.getBytes(key);
    if (image.isEmpty()) {
      LOG.warn("Published image {} of batch {}/{} is not in the bucket; its tile says so", key, tenant, batchId);
      return null;
    }
    Optional<Thumbnail> made = GalleryPage.thumbnail(image.get());
    thumbnailsMade.inc();
    if (made.isEmpty()) {
      LOG.warn("Published image {} of batch {}/{} is not an image this JVM decodes; its tile says unavailable", key,
          tenant, batchId);
      return null;
    }
    thumbnails.put(key, made.get());
    return made.get();
  }

  /** The bytes the thumbnail cache holds, by its weigher. */
  long thumbnailCacheBytes() {
    return thumbnails.bytes();
  }

  /** How many thumbnails were made (images fetched and decoded) since the function opened. */
  long thumbnailsMade() {
    return thumbnailsMade.getCount();
  }

  @Override
  public void close() {
    if (s3 != null) {
      s3.close();
    }
  }
}
