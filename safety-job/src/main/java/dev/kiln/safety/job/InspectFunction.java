package dev.kiln.safety.job;

import dev.kiln.wire.KilnOptions;
import dev.kiln.policy.PromptPolicy;
import dev.kiln.safety.gallery.GalleryPage;
import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.safety.policy.TenantPolicies;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fetches a staged image and judges it ({@link Moderator}); for an image to be published, also
 * makes the gallery's thumbnail from the decoded pixels. An image whose staging object is
 * gone was moved by an earlier attempt (a replay after a failure): it gets the result its sidecar
 * recorded, so every image still gets exactly one result. Storage errors fail the task, and Flink
 * retries from the last checkpoint.
 */
public class InspectFunction extends RichAsyncFunction<RenderedImage, Inspection> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(InspectFunction.class);

  private final Configuration config;
  private transient S3Client s3;
  private transient ObjectStore store;
  private transient ImageClassifier classifier;
  private transient Moderator moderator;
  private transient ExecutorService workers;

  public InspectFunction(Configuration config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    String promptFile = config.get(KilnOptions.PROMPT_POLICY_FILE);
    String tenantFile = config.get(SafetyJobOptions.IMAGE_POLICY_FILE);
    String blockList = config.get(SafetyJobOptions.BLOCK_LIST_FILE);
    classifier = Classifiers.open(config.get(SafetyJobOptions.CLASSIFIER), config.get(KilnOptions.MODELS_DIR),
        SafetyJobOptions.classifierThreads(config));
    moderator = new Moderator(
        promptFile == null ? PromptPolicy.loadDefault() : PromptPolicy.load(Path.of(promptFile)),
        tenantFile == null ? TenantPolicies.loadDefault() : TenantPolicies.load(Path.of(tenantFile)),
        classifier,
        new ReloadingBlockList(blockList == null ? null : Path.of(blockList), Duration.ofSeconds(2)));
    var settings = StorageOptions.fromConfiguration(config);
    s3 = S3Clients.create(settings);
    store = new ObjectStore(s3, settings.bucket());
    workers = Executors.newFixedThreadPool(config.get(SafetyJobOptions.WORKERS), r -> {
      Thread t = new Thread(r, "kiln-inspect");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void asyncInvoke(RenderedImage image, ResultFuture<Inspection> resultFuture) {
    CompletableFuture.supplyAsync(() -> inspect(image), workers).whenComplete((inspection, error) -> {
      if (error != null) {
        resultFuture.completeExceptionally(error);
      } else {
        resultFuture.complete(List.of(inspection));
      }
    });
  }

  Inspection inspect(RenderedImage image) {
    long start = System.nanoTime();
    Optional<byte[]> staged = store.getBytes(ImageReferences.stagingKey(image));
    if (staged.isEmpty()) {
      return Inspection.settled(replayOrLost(image));
    }
    Moderator.Judgement judgement = moderator.examine(image, staged.get());
    Verdict verdict = judgement.verdict();
    // The gallery's thumbnail, from the pixels just decoded, for an image that will be published: the gallery
    // would otherwise fetch and decode the image again, which took a third of the job's CPU at 512x512.
    Thumbnail thumbnail = verdict.getDecision() == Decision.REJECTED ? null
        : GalleryPage.thumbnail(judgement.decoded()).orElse(null);
    return Inspection.judged(image, verdict, staged.get(), (System.nanoTime() - start) / 1_000_000, thumbnail);
  }

  private RenderResult replayOrLost(RenderedImage image) {
    for (ObjectKeys.Area area : List.of(ObjectKeys.Area.ASSETS, ObjectKeys.Area.QUARANTINE)) {
      Optional<byte[]> sidecar = store.getBytes(
          ObjectKeys.sidecar(area, image.getTenant(), image.getBatchId(), image.getImageId()));
      if (sidecar.isPresent() && image.getSha256().equals(Sidecars.moderatedSha256(sidecar.get()))) {
        RenderResult earlier = Sidecars.resultFrom(sidecar.get());
        LOG.info("{} was already moderated ({}); emitting its recorded result", image.getImageId(),
            earlier.getStatus());
        return earlier;
      }
    }
    String key = ImageReferences.stagingKey(image);
    LOG.warn("{}: staged object {} is missing and no earlier verdict exists", image.getImageId(), key);
    return Results.base(image)
        .setStatus(ResultStatus.FAILED)
        .setReason("staged object " + key + " is missing in bucket " + image.getBucket())
        .setCompletedAt(Instant.now())
        .build();
  }

  @Override
  public void close() {
    if (workers != null) {
      workers.shutdown();
    }
    if (classifier != null) {
      classifier.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }
}
