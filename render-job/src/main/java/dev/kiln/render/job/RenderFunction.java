package dev.kiln.render.job;

import dev.kiln.wire.KilnOptions;
import ai.djl.Device;
import dev.kiln.render.batching.BatchRenderer;
import dev.kiln.render.batching.BatchingEngine;
import dev.kiln.render.batching.FairExecutor;
import dev.kiln.render.batching.SharedResources;
import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.EngineOptions;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.engine.PngEncoder;
import dev.kiln.render.engine.Xmp;
import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.Priority;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Renders one image per task through the TaskManager-wide batching engine (DESIGN.md decision 3),
 * embeds Kiln's invisible watermark in its pixels ({@link Watermark}, key id
 * {@link RenderJobOptions#WATERMARK_KEY_ID}), writes the PNG under staging/ and emits a reference
 * to it: the bytes moderation judges and the safety job publishes are the marked ones.
 *
 * <p>{@code asyncInvoke} only queues: the Flink task thread never blocks on the model, so
 * checkpoints are not held up, and in-flight tasks are checkpointed and re-issued on restore.
 * The engine orders its queue by fair share (the request's tenant and {@link Priority}, see
 * docs/fair-share.md); the operator's capacity is deep so that a backlog waits there, not in Kafka.
 * {@link RenderJobOptions#ASYNC_TIMEOUT} counts from when the image's batch starts, so waiting in
 * a deep queue does not fail an image; the operator's own, longer timeout
 * ({@link RenderJobOptions#operatorTimeout}) is the last resort.
 * A render error (a bad model, an impossible request) is deterministic, so it becomes a FAILED
 * result; a storage error is not, so it fails the task and Flink retries from the checkpoint.
 *
 * <p>Attempt n > 0 of an image (a near-duplicate the safety job sent back, see
 * {@link DecodeRerenders}) is staged under its own key, {@link ObjectKeys#staging(String, String,
 * String, int)}. If it fails, the image gets the FAILED result and the staging objects of its
 * earlier attempts are deleted first, since the safety job will never publish them: it committed
 * their offsets in the checkpoint that sent this re-render, so it never reads them again.
 */
public class RenderFunction extends RichAsyncFunction<ImageTask, RenderOutcome> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RenderFunction.class);

  private final Configuration config;
  private transient Map<String, EngineKey> keys;
  private transient Map<String, SharedEngine> engines;
  private transient Device device;
  private transient int engineThreads;
  private transient int concurrentBatches;
  private transient int pngCompression;
  private transient int watermarkKeyId;
  private transient S3Client s3;
  private transient ObjectStore store;
  private transient String bucket;
  private transient ExecutorService io;
  /**
   * The skip-published checks, in fair-share order, on a pool of their own: one tenant's backlog of
   * checks never queues another tenant's check, nor any image's staging write on {@link #io}.
   */
  private transient ExecutorService checkPool;
  private transient FairExecutor checks;
  private transient Counter imagesStaged;
  private transient Counter imagesFailed;
  private transient Counter imagesSkippedPublished;
  private transient boolean skipPublished;
  private transient boolean fairShare;
  private transient Duration renderTimeout;
  private transient long lastSkipLogNanos;

  /** The shared engine's identity: one per model directory, device, threads and batching setup in a JVM. */
  record EngineKey(Path modelDir, String device, int batchSize, Duration batchWait, int engineThreads,
      int concurrentBatches) {}

  public RenderFunction(Configuration config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) {
    keys = new HashMap<>();
    engines = new HashMap<>();
    device = resolveDevice(config.get(RenderJobOptions.DEVICE),
        getRuntimeContext().getExternalResourceInfos("gpu"));
    engineThreads = RenderJobOptions.engineThreads(config);
    concurrentBatches = RenderJobOptions.concurrentBatches(config, device.isGpu(),
        Runtime.getRuntime().availableProcessors());
    pngCompression = RenderJobOptions.pngCompression(config);
    watermarkKeyId = RenderJobOptions.watermarkKeyId(config);
    var settings = StorageOptions.fromConfiguration(config);
    bucket = settings.bucket();
    s3 = S3Clients.create(settings);
    store = new ObjectStore(s3, bucket);
    io = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "kiln-stage-writer");
      t.setDaemon(true);
      return t;
    });
    checkPool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "kiln-published-check");
      t.setDaemon(true);
      return t;
    });
    checks = new FairExecutor(checkPool);
    imagesStaged = getRuntimeContext().getMetricGroup().counter("imagesStaged");
    imagesFailed = getRuntimeContext().getMetricGroup().counter("imagesFailed");
    imagesSkippedPublished = getRuntimeContext().getMetricGroup().counter("imagesSkippedPublished");
    skipPublished = config.get(RenderJobOptions.SKIP_PUBLISHED);
    fairShare = config.get(RenderJobOptions.FAIR_SHARE);
    renderTimeout = config.get(RenderJobOptions.ASYNC_TIMEOUT);
  }

  /** cpu; gpu (the device Flink's external resource framework assigned, else 0); or gpu:N. */
  static Device resolveDevice(String spec, Set<ExternalResourceInfo> gpus) {
    String s = spec.trim().toLowerCase();
    if (s.equals("cpu")) {
      return Device.cpu();
    }
    if (s.equals("gpu")) {
      for (ExternalResourceInfo info : gpus) {
        var index = info.getProperty("index");
        if (index.isPresent()) {
          return Device.gpu(Integer.parseInt(index.get()));
        }
      }
      return Device.gpu(0);
    }
    if (s.startsWith("gpu:")) {
      try {
        return Device.gpu(Integer.parseInt(s.substring(4)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException(RenderJobOptions.DEVICE.key() + " must be cpu, gpu or gpu:N, got \""
        + spec + "\"");
  }

  /** The shared engine for {@code model}, acquired on first use; one reference per model, released in close. */
  private SharedEngine engineFor(String model) {
    SharedEngine shared = engines.get(model);
    if (shared == null) {
      EngineKey key = new EngineKey(Path.of(config.get(KilnOptions.MODELS_DIR), model).toAbsolutePath().normalize(),
          device.toString(), config.get(RenderJobOptions.BATCH_SIZE), config.get(RenderJobOptions.BATCH_WAIT),
          engineThreads, concurrentBatches);
      shared = SharedResources.acquire(key, () -> new SharedEngine(key, device));
      keys.put(model, key);
      engines.put(model, shared);
    }
    return shared;
  }

  @Override
  public void asyncInvoke(ImageTask task, ResultFuture<RenderOutcome> resultFuture) {
    if (!skipPublished) {
      render(task, resultFuture);
      return;
    }
    Executor checkOrder = fairShare
        ? checks.forTenant(task.request.getTenant(), lane(task.request.getPriority())) : checkPool;
    CompletableFuture.supplyAsync(() -> skipIfPublished(task), checkOrder).whenComplete((skipped, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        resultFuture.completeExceptionally(new IllegalStateException("cannot check whether image " + task.imageId
            + " is already published in bucket " + bucket + ": " + cause.getMessage(), cause));
      } else if (skipped) {
        resultFuture.complete(List.of());
      } else {
        render(task, resultFuture);
      }
    });
  }

  /**
   * Whether {@code task}'s image already has a sidecar under {@code assets/} or {@code quarantine/}:
   * the safety job writes it just before the result, so the image was judged, and its result is
   * committed or will be when the safety job replays the committed kiln.images record from its own
   * committed offsets. Rendering it again would spend model time on a duplicate. This matters
   * when the render job starts without its checkpointed dedupe state (a new cluster, lost state)
   * and a batch is resubmitted. Any staging object of the image is deleted: nothing will publish
   * it now.
   */
  private boolean skipIfPublished(ImageTask task) {
    RenderRequest r = task.request;
    String tenant = r.getTenant();
    String batch = r.getBatchId();
    if (!store.exists(ObjectKeys.assetSidecar(tenant, batch, task.imageId))
        && !store.exists(ObjectKeys.quarantineSidecar(tenant, batch, task.imageId))) {
      return false;
    }
    for (String key : ObjectKeys.earlierStagingKeys(tenant, batch, task.imageId, task.attempt + 1)) {
      store.delete(key);
    }
    imagesSkippedPublished.inc();
    long now = System.nanoTime();
    if (now - lastSkipLogNanos > 60_000_000_000L) {
      lastSkipLogNanos = now;
      LOG.info("image {} of batch {}/{} is already published; not rendering it again ({} such images so far in this"
          + " subtask)", task.imageId, tenant, batch, imagesSkippedPublished.getCount());
    }
    return true;
  }

  private void render(ImageTask task, ResultFuture<RenderOutcome> resultFuture) {
    RenderRequest r = task.request;
    SharedEngine shared;
    GenerationRequest generation;
    try {
      shared = engineFor(r.getModel());
      generation = new GenerationRequest(r.getPrompt(), r.getNegativePrompt(), r.getWidth(), r.getHeight(),
          r.getSteps(), r.getGuidanceScale(), task.seed);
    } catch (RuntimeException e) {
      // A model that does not load, or parameters the engine refuses: rendering again cannot help.
      fail(task, "cannot render: " + e.getMessage(), resultFuture);
      return;
    }
    // Without fair share every request is one tenant's bulk work: first in, first out per batch key.
    BatchingEngine.Submission<GeneratedImage> submitted = fairShare
        ? shared.batching.submit(generation, r.getTenant(), lane(r.getPriority()))
        : shared.batching.submit(generation, "", BatchingEngine.Lane.BULK);
    withinAfterStart(submitted, renderTimeout)
        .thenApplyAsync(done -> stage(task, shared, done), io)
        .whenComplete((outcome, error) -> {
          if (error == null) {
            imagesStaged.inc();
            resultFuture.complete(List.of(outcome));
            return;
          }
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          if (cause instanceof TimeoutException) {
            fail(task, "render timed out: its batch did not finish within " + renderTimeout + " ("
                + RenderJobOptions.ASYNC_TIMEOUT.key() + ") of starting", resultFuture);
          } else if (cause instanceof SdkException) {
            resultFuture.completeExceptionally(new IllegalStateException("cannot stage image " + task.imageId
                + " in bucket " + bucket + ": " + cause.getMessage(), cause));
          } else {
            LOG.warn("image {} failed: {}", task, cause.toString());
            fail(task, "render failed: " + cause, resultFuture);
          }
        });
  }

  /**
   * The engine's result, or a {@link TimeoutException} if it has not come {@code timeout} after
   * the request's batch started. The time spent queued does not count. A result that comes after
   * the timeout is dropped: the image has its FAILED result, and staging it would leave an
   * object nothing publishes.
   */
  static <R> CompletableFuture<BatchingEngine.Completed<R>> withinAfterStart(BatchingEngine.Submission<R> submitted,
      Duration timeout) {
    // copy(): orTimeout completes the future it is called on; the engine's own must stay the engine's.
    return submitted.started().thenCompose(started ->
        submitted.result().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  static BatchingEngine.Lane lane(Priority priority) {
    return priority == Priority.INTERACTIVE ? BatchingEngine.Lane.INTERACTIVE : BatchingEngine.Lane.BULK;
  }

  /** The operator's last-resort timeout: the image waited in the queue and rendered longer than the bound. */
  @Override
  public void timeout(ImageTask task, ResultFuture<RenderOutcome> resultFuture) {
    fail(task, "not rendered within " + RenderJobOptions.operatorTimeout(config) + " of entering the render operator ("
        + RenderJobOptions.ASYNC_TIMEOUT.key() + " for every batch that could be ahead of it); the batching engine"
        + " may have stopped", resultFuture);
  }

  /** Completes with a FAILED result; for a re-render, once the earlier attempts are gone from staging. */
  private void fail(ImageTask task, String reason, ResultFuture<RenderOutcome> resultFuture) {
    imagesFailed.inc();
    if (task.attempt == 0) {
      resultFuture.complete(List.of(failed(task, reason)));
      return;
    }
    RenderRequest r = task.request;
    CompletableFuture.runAsync(() -> {
      for (String earlier : ObjectKeys.earlierStagingKeys(r.getTenant(), r.getBatchId(), task.imageId, task.attempt)) {
        store.delete(earlier);
      }
    }, io).whenComplete((done, error) -> {
      if (error == null) {
        resultFuture.complete(List.of(failed(task, "re-render attempt " + task.attempt + " of a near-duplicate: "
            + reason)));
      } else {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        resultFuture.completeExceptionally(new IllegalStateException("cannot delete the earlier attempts of "
            + task.imageId + " from staging in bucket " + bucket + ": " + cause.getMessage(), cause));
      }
    });
  }

  private RenderOutcome stage(ImageTask task, SharedEngine shared,
      BatchingEngine.Completed<GeneratedImage> done) {
    RenderRequest r = task.request;
    GenerationParams params = params(task, shared.engine.modelDigest(), shared.engine.schedulerName());
    Staged staged = encode(task, params, done.result(), watermarkKeyId, pngCompression);
    String sha256 = Checksums.sha256Hex(staged.png());
    String key = ObjectKeys.staging(r.getTenant(), r.getBatchId(), task.imageId, task.attempt);
    store.putBytes(key, staged.png(), "image/png", Map.of("sha256", sha256, "image-id", task.imageId));
    return RenderOutcome.rendered(rendered(task, params, staged, bucket, key, sha256, done));
  }

  /** The generation parameters the staged image records. */
  static GenerationParams params(ImageTask task, String modelDigest, String scheduler) {
    RenderRequest r = task.request;
    return GenerationParams.newBuilder()
        .setModel(r.getModel())
        .setModelDigest(modelDigest)
        .setPrompt(r.getPrompt())
        .setNegativePrompt(r.getNegativePrompt())
        .setWidth(r.getWidth())
        .setHeight(r.getHeight())
        .setSteps(r.getSteps())
        .setGuidanceScale(r.getGuidanceScale())
        .setSeed(task.seed)
        .setScheduler(scheduler)
        .build();
  }

  /**
   * The PNG to stage and the watermark it carries ({@link Payload#toText()}).
   *
   * @param png the image with an invisible watermark ({@link Watermark}, payload: {@code keyId}
   *     and the image id) in its pixels and the generation parameters, the watermark among them,
   *     in XMP
   */
  record Staged(byte[] png, String watermark) {}

  /**
   * Marks {@code image}'s pixels with the watermark of {@code task}'s image id under {@code keyId}
   * and encodes them with the provenance XMP. Deterministic: a replay stages the same bytes.
   *
   * @throws IllegalArgumentException when the image is too small to mark (under {@value
   *     Watermark#MIN_SIZE} pixels a side; requests cannot ask for that): an image is not staged
   *     unmarked
   */
  static Staged encode(ImageTask task, GenerationParams params, GeneratedImage image, int keyId, int compression) {
    RenderRequest r = task.request;
    Payload payload = Payload.of(keyId, task.imageId);
    GeneratedImage marked = new GeneratedImage(image.width(), image.height(),
        Watermark.embedRgb(image.rgb(), image.width(), image.height(), payload));
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("imageId", task.imageId);
    provenance.put("model", r.getModel());
    provenance.put("modelDigest", params.getModelDigest());
    provenance.put("seed", Long.toString(task.seed));
    provenance.put("steps", Integer.toString(r.getSteps()));
    provenance.put("guidanceScale", Float.toString(r.getGuidanceScale()));
    provenance.put("scheduler", params.getScheduler());
    provenance.put("prompt", r.getPrompt());
    provenance.put("watermark", payload.toText());
    byte[] png = PngEncoder.encode(marked, Xmp.trainedAlgorithmicMedia(provenance), Map.of(), compression);
    return new Staged(png, payload.toText());
  }

  /** The kiln.images record of a staged image. */
  static RenderedImage rendered(ImageTask task, GenerationParams params, Staged staged, String bucket, String key,
      String sha256, BatchingEngine.Completed<GeneratedImage> done) {
    RenderRequest r = task.request;
    return RenderedImage.newBuilder()
        .setImageId(task.imageId)
        .setRequestId(r.getRequestId())
        .setTenant(r.getTenant())
        .setBatchId(r.getBatchId())
        .setImageIndex(task.imageIndex)
        .setImageCount(r.getNumImages())
        .setBucket(bucket)
        .setStagingKey(key)
        .setSha256(sha256)
        .setByteSize(staged.png().length)
        .setParams(params)
        .setLabels(r.getLabels())
        .setSubmittedAt(r.getSubmittedAt())
        .setRenderedAt(Instant.now())
        .setRenderMillis(done.renderMillis())
        .setQueueMillis(done.queueMillis())
        .setBatchSize(done.batchSize())
        .setRerenderNearDuplicates(task.rerenderNearDuplicates)
        .setAttempt(task.attempt)
        .setWatermark(staged.watermark())
        .build();
  }

  private static RenderOutcome failed(ImageTask task, String reason) {
    return RenderOutcome.failed(RenderResult.newBuilder(
            Results.of(task.request, task.imageIndex, ResultStatus.FAILED, reason, null))
        .setAttempt(task.attempt)
        .build());
  }


  private static void releaseQuietly(EngineKey key) {
    try {
      SharedResources.release(key);
    } catch (RuntimeException e) {
      // Closing is best effort at task shutdown; a failure must not hide the task's own outcome.
      LOG.warn("closing engine {} failed: {}", key, e.toString());
    }
  }

  @Override
  public void close() {
    if (keys != null) {
      keys.values().forEach(RenderFunction::releaseQuietly);
    }
    if (io != null) {
      io.shutdown();
    }
    if (checkPool != null) {
      checkPool.shutdown();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  /** A loaded model and the batching engine in front of it, shared by every slot of the JVM. */
  static final class SharedEngine implements SharedResources.Resource {
    final DiffusionEngine engine;
    final BatchingEngine<GenerationRequest, GeneratedImage> batching;

    SharedEngine(EngineKey key, Device device) {
      EngineOptions.Builder options = EngineOptions.builder().setModelDir(key.modelDir()).optDevice(device);
      if (key.engineThreads() > 0) {
        options.optIntraOpThreads(key.engineThreads());
      }
      this.engine = DiffusionEngine.load(options.build());
      this.batching = new BatchingEngine<>(new BatchRenderer<>() {
        @Override
        public Object batchKey(GenerationRequest request) {
          return DiffusionEngine.batchKey(request);
        }

        @Override
        public List<GeneratedImage> render(List<GenerationRequest> batch) {
          return engine.generate(batch);
        }
      }, key.batchSize(), key.batchWait(), key.concurrentBatches(), key.modelDir().getFileName().toString());
      LOG.info("{}: batches of up to {} on {}, {} at a time, {} ONNX Runtime threads each", key.modelDir(),
          key.batchSize(), device, key.concurrentBatches(),
          key.engineThreads() == 0 ? "default" : key.engineThreads());
    }

    @Override
    public void close() {
      batching.close();
      engine.close();
    }
  }
}
