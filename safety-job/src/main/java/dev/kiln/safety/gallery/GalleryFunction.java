package dev.kiln.safety.gallery;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Keeps each batch's gallery page, {@code assets/{tenant}/{batchId}/index.html}, up to date with
 * the results the safety job emits. Keyed by (tenant, batchId).
 *
 * <p>The function remembers every result of a batch (without image bytes) and rewrites the whole
 * page from that state, at most once per {@link GalleryOptions#DEBOUNCE}: a page is rewritten that
 * long after the first result it does not show yet, or at once when the batch looks complete and
 * the page was not written within the interval (else at the interval's end). "Complete" means: for
 * every request seen, a result for each of its {@code imageCount} images, so a batch of one-image
 * requests looks complete after every result; without the interval its page would be rewritten
 * once per image, and each rewrite costs as much as the images on it. The function only sees
 * results of images that exist; requests the render job rejected or failed never reach it and are
 * not counted.
 *
 * <p>Each write is a full rewrite derived from state alone, so a replay after a restore writes
 * the same page again. Pending rewrites are timers, which are checkpointed with the state.
 * Storage errors fail the task, as in the rest of the safety job, and Flink retries.
 */
public class GalleryFunction extends KeyedProcessFunction<Tuple2<String, String>, RenderResult, Void> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GalleryFunction.class);

  /** The page's name inside the batch's assets prefix. */
  public static final String PAGE_NAME = "index.html";
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
  private transient Counter pagesWritten;
  /**
   * Published images already read for a page, so each is fetched once, not on every rewrite of its
   * batch's page (which happens every few seconds while the batch runs). Not state: after a
   * restore, images are simply fetched again.
   */
  private transient Map<String, byte[]> imageCache;

  private static final int IMAGE_CACHE_ENTRIES = 4096;

  public GalleryFunction(Configuration config) {
    this(config, S3Clients::create);
  }

  GalleryFunction(Configuration config, S3ClientFactory clients) {
    this.config = config;
    this.clients = clients;
  }

  /**
   * Adds the gallery to a job: every result in {@code results} updates its batch's page. The
   * operator has uid {@code gallery}; it emits nothing.
   */
  public static void attach(DataStream<RenderResult> results, Configuration config) {
    results.keyBy(new BatchKey(), Types.TUPLE(Types.STRING, Types.STRING))
        .process(new GalleryFunction(config), Types.VOID).name("gallery").uid("gallery")
        .sinkTo(new DiscardingSink<>()).name("gallery-done").uid("gallery-done");
  }

  /** {@code assets/{tenant}/{batchId}/index.html}. */
  public static String pageKey(String tenant, String batchId) {
    return ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, tenant, batchId) + PAGE_NAME;
  }

  /** Keys results by (tenant, batchId). */
  public static final class BatchKey implements KeySelector<RenderResult, Tuple2<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<String, String> getKey(RenderResult result) {
      return Tuple2.of(result.getTenant(), result.getBatchId());
    }
  }

  @Override
  public void open(OpenContext openContext) {
    S3Settings settings = StorageOptions.fromConfiguration(config);
    debounce = config.get(GalleryOptions.DEBOUNCE);
    imageCache = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
        return size() > IMAGE_CACHE_ENTRIES;
      }
    };
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
    entriesDescriptor.enableTimeToLive(ttl);
    requestsDescriptor.enableTimeToLive(ttl);
    missingDescriptor.enableTimeToLive(ttl);
    pendingDescriptor.enableTimeToLive(ttl);
    lastWriteDescriptor.enableTimeToLive(ttl);
    entries = getRuntimeContext().getMapState(entriesDescriptor);
    requests = getRuntimeContext().getMapState(requestsDescriptor);
    missing = getRuntimeContext().getState(missingDescriptor);
    pendingRewrite = getRuntimeContext().getState(pendingDescriptor);
    lastWrite = getRuntimeContext().getState(lastWriteDescriptor);
    pagesWritten = getRuntimeContext().getMetricGroup().counter("galleryPagesWritten");
    s3 = clients.create(settings);
    store = new ObjectStore(s3, settings.bucket());
  }

  @Override
  public void processElement(RenderResult result, Context ctx, Collector<Void> out) throws Exception {
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
      writePage(ctx.getCurrentKey(), now);
    } else if (pending == null) {
      long at = stillMissing <= 0 ? written + debounce.toMillis() : now + debounce.toMillis();
      ctx.timerService().registerProcessingTimeTimer(at);
      pendingRewrite.update(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Void> out) throws Exception {
    pendingRewrite.clear();
    writePage(ctx.getCurrentKey(), timestamp);
  }

  private void writePage(Tuple2<String, String> batch, long now) throws Exception {
    lastWrite.update(now);
    String tenant = batch.f0;
    String batchId = batch.f1;
    List<GalleryPage.Tile> tiles = new ArrayList<>();
    long newest = 0;
    for (GalleryEntry e : entries.values()) {
      byte[] image = null;
      if (e.status() == ResultStatus.PUBLISHED) {
        // The key comes from the ids, not from the result: whatever a result claims, the page only ever embeds
        // objects from this batch's assets/ prefix.
        String key = ObjectKeys.asset(tenant, batchId, e.imageId());
        image = imageCache.get(key);
        if (image == null) {
          image = store.getBytes(key).orElse(null);
          if (image != null) {
            imageCache.put(key, image);
          }
        }
        if (image == null) {
          LOG.warn("Published image {} of batch {}/{} is not in the bucket; its tile says so", e.imageId(), tenant,
              batchId);
        }
      }
      tiles.add(new GalleryPage.Tile(e, image));
      newest = Math.max(newest, e.completedAtMillis());
    }
    if (tiles.isEmpty()) {
      // Everything expired between the change and this rewrite; an empty page would replace a useful one.
      return;
    }
    int expected = 0;
    for (Integer count : requests.values()) {
      expected += count;
    }
    // The newest result's time, not the wall clock: the same state always gives the same page.
    byte[] html = GalleryPage.render(
        new GalleryPage.Header(tenant, batchId, expected, Instant.ofEpochMilli(newest)), tiles);
    String key = pageKey(tenant, batchId);
    store.putBytes(key, html, CONTENT_TYPE, Map.of());
    pagesWritten.inc();
    LOG.debug("Wrote {} ({} tiles, {} bytes)", key, tiles.size(), html.length);
  }

  @Override
  public void close() {
    if (s3 != null) {
      s3.close();
    }
  }
}
