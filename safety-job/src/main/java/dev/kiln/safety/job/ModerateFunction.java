package dev.kiln.safety.job;

import dev.kiln.safety.policy.PromptPolicy;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Moderates one staged image and moves it: approved to assets/, rejected to quarantine/, each
 * with its JSON sidecar; then deletes it from staging and emits the result.
 *
 * <p>Every step is idempotent, so a replay after a failure is safe: copies overwrite the same
 * keys with the same bytes, and an image whose staging object is already gone (moved before
 * the failure) gets the result its sidecar recorded. Storage errors fail the task, and Flink
 * retries from the last checkpoint.
 */
public class ModerateFunction extends RichAsyncFunction<RenderedImage, RenderResult> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModerateFunction.class);

  private final Configuration config;
  private transient S3Client s3;
  private transient ObjectStore store;
  private transient Moderator moderator;
  private transient ExecutorService io;
  private transient Counter published;
  private transient Counter quarantined;

  public ModerateFunction(Configuration config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    String policyFile = config.get(SafetyJobOptions.PROMPT_POLICY_FILE);
    moderator = new Moderator(policyFile == null ? PromptPolicy.loadDefault() : PromptPolicy.load(Path.of(policyFile)));
    var settings = StorageOptions.fromConfiguration(config);
    s3 = S3Clients.create(settings);
    store = new ObjectStore(s3, settings.bucket());
    io = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "kiln-moderate");
      t.setDaemon(true);
      return t;
    });
    published = getRuntimeContext().getMetricGroup().counter("imagesPublished");
    quarantined = getRuntimeContext().getMetricGroup().counter("imagesQuarantined");
  }

  @Override
  public void asyncInvoke(RenderedImage image, ResultFuture<RenderResult> resultFuture) {
    CompletableFuture.supplyAsync(() -> moderate(image), io).whenComplete((result, error) -> {
      if (error != null) {
        resultFuture.completeExceptionally(error);
      } else {
        resultFuture.complete(List.of(result));
      }
    });
  }

  RenderResult moderate(RenderedImage image) {
    long start = System.nanoTime();
    Optional<byte[]> staged = store.getBytes(image.getStagingKey());
    if (staged.isEmpty()) {
      return replayOrLost(image);
    }
    Verdict verdict = moderator.judge(image, staged.get());
    boolean approved = verdict.getDecision() != Decision.REJECTED;
    ObjectKeys.Area area = approved ? ObjectKeys.Area.ASSETS : ObjectKeys.Area.QUARANTINE;
    String key = ObjectKeys.png(area, image.getTenant(), image.getBatchId(), image.getImageId());
    String bucket = image.getBucket();
    RenderResult result = RenderResult.newBuilder()
        .setRequestId(image.getRequestId())
        .setImageId(image.getImageId())
        .setTenant(image.getTenant())
        .setBatchId(image.getBatchId())
        .setImageIndex(image.getImageIndex())
        .setImageCount(image.getImageCount())
        .setStatus(approved ? ResultStatus.PUBLISHED : ResultStatus.REJECTED)
        .setAssetKey(key)
        .setAssetUri("s3://" + bucket + "/" + key)
        .setSha256(image.getSha256())
        .setReason(approved ? null : verdict.getReason())
        .setVerdict(verdict)
        .setParams(image.getParams())
        .setLabels(image.getLabels())
        .setSubmittedAt(image.getSubmittedAt())
        .setCompletedAt(Instant.now())
        .setRenderMillis(image.getRenderMillis())
        .setModerationMillis((System.nanoTime() - start) / 1_000_000)
        .build();
    // Image first, sidecar second, staging delete last: a crash in between leaves a state a replay repairs.
    store.copy(image.getStagingKey(), key);
    store.putBytes(ObjectKeys.sidecar(area, image.getTenant(), image.getBatchId(), image.getImageId()),
        Sidecars.toJson(result, image), "application/json", Map.of("image-id", image.getImageId()));
    store.delete(image.getStagingKey());
    (approved ? published : quarantined).inc();
    LOG.debug("{} {} -> {}", image.getImageId(), result.getStatus(), key);
    return result;
  }

  private RenderResult replayOrLost(RenderedImage image) {
    for (ObjectKeys.Area area : List.of(ObjectKeys.Area.ASSETS, ObjectKeys.Area.QUARANTINE)) {
      Optional<byte[]> sidecar = store.getBytes(
          ObjectKeys.sidecar(area, image.getTenant(), image.getBatchId(), image.getImageId()));
      if (sidecar.isPresent()) {
        RenderResult earlier = Sidecars.resultFrom(sidecar.get());
        if (image.getSha256().equals(earlier.getSha256())) {
          LOG.info("{} was already moderated ({}); emitting its recorded result", image.getImageId(),
              earlier.getStatus());
          return earlier;
        }
      }
    }
    LOG.warn("{}: staged object {} is missing and no earlier verdict exists", image.getImageId(),
        image.getStagingKey());
    return RenderResult.newBuilder()
        .setRequestId(image.getRequestId())
        .setImageId(image.getImageId())
        .setTenant(image.getTenant())
        .setBatchId(image.getBatchId())
        .setImageIndex(image.getImageIndex())
        .setImageCount(image.getImageCount())
        .setStatus(ResultStatus.FAILED)
        .setReason("staged object " + image.getStagingKey() + " is missing in bucket " + image.getBucket())
        .setParams(image.getParams())
        .setLabels(image.getLabels())
        .setSubmittedAt(image.getSubmittedAt())
        .setCompletedAt(Instant.now())
        .setRenderMillis(image.getRenderMillis())
        .build();
  }

  @Override
  public void close() {
    if (io != null) {
      io.shutdown();
    }
    if (s3 != null) {
      s3.close();
    }
  }
}
