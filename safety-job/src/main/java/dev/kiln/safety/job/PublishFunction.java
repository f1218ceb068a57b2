package dev.kiln.safety.job;

import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.provenance.c2pa.SigningIdentity;
import dev.kiln.safety.gallery.Published;
import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3ClientFactory;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.StorageOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Moves a judged image: approved or flagged to assets/, rejected to quarantine/, each with its
 * JSON sidecar; then deletes it from staging and emits the result. Image first, sidecar second,
 * staging delete last: a crash in between leaves a state that a replay repairs (every step
 * overwrites the same key with the same bytes). Nothing rejected is ever written under assets/.
 *
 * <p>An image that was re-rendered as a near-duplicate ({@code attempt} m > 0) still has the
 * staging objects of attempts 0..m-1, which {@link MarkNearDuplicates} left in place; they are
 * deleted too, before attempt m's own object. Deleting that one last matters: a replay that finds
 * it gone takes the result from the sidecar and moves nothing, so it would leave behind whatever
 * earlier attempt was still there. Earlier attempts are never replayed once attempt m exists, so
 * nothing needs them any more.
 *
 * <p>The image is written from the bytes the verdict was given on, not copied from staging: what
 * is published is exactly what was checked, whatever happens to the staging object in between, and
 * the storage server does not read the image back.
 *
 * <p>An approved image is published with C2PA Content Credentials (docs/provenance.md): a manifest
 * signed here, after moderation, so the signature vouches for the verdict too. The manifest adds a
 * chunk and leaves every pixel byte as moderated; the result's and the sidecar's sha256 are of the
 * published file, and the sidecar also keeps the moderated bytes' sha256. Signing is
 * deterministic, so a replay writes the same bytes again. Quarantined images are not signed.
 */
public class PublishFunction extends RichAsyncFunction<Inspection, Published> {
  private static final long serialVersionUID = 1L;

  private final Configuration config;
  private final TenantPolicies policies;
  private final S3ClientFactory clients;
  private transient SigningIdentity signer;
  private transient S3Client s3;
  private transient ObjectStore store;
  private transient ExecutorService io;
  private transient Counter published;
  private transient Counter quarantined;

  /** {@code policies}: the tenants' image policies, for whether a manifest may hold the prompt. */
  public PublishFunction(Configuration config, TenantPolicies policies) {
    this(config, policies, S3Clients::create);
  }

  PublishFunction(Configuration config, TenantPolicies policies, S3ClientFactory clients) {
    this.config = config;
    this.policies = policies;
    this.clients = clients;
  }

  @Override
  public void open(OpenContext openContext) {
    signer = Signing.identity(config).orElse(null);
    var settings = StorageOptions.fromConfiguration(config);
    s3 = clients.create(settings);
    store = new ObjectStore(s3, settings.bucket());
    io = Executors.newFixedThreadPool(config.get(SafetyJobOptions.WORKERS), r -> {
      Thread t = new Thread(r, "kiln-publish");
      t.setDaemon(true);
      return t;
    });
    published = getRuntimeContext().getMetricGroup().counter("imagesPublished");
    quarantined = getRuntimeContext().getMetricGroup().counter("imagesQuarantined");
  }

  @Override
  public void asyncInvoke(Inspection in, ResultFuture<Published> resultFuture) {
    if (in.settled != null) {
      resultFuture.complete(List.of(Published.of(in.settled)));
      return;
    }
    CompletableFuture.supplyAsync(() -> publish(in.image, in.verdict, in.png, in.inspectMillis), io)
        .whenComplete((result, error) -> {
          if (error != null) {
            resultFuture.completeExceptionally(error);
          } else {
            resultFuture.complete(List.of(new Published(result, in.thumbnail)));
          }
        });
  }

  RenderResult publish(RenderedImage image, Verdict verdict, byte[] png, long inspectMillis) {
    long start = System.nanoTime();
    boolean approved = verdict.getDecision() != Decision.REJECTED;
    ObjectKeys.Area area = approved ? ObjectKeys.Area.ASSETS : ObjectKeys.Area.QUARANTINE;
    String key = ObjectKeys.png(area, image.getTenant(), image.getBatchId(), image.getImageId());
    byte[] file = png;
    String sha256 = image.getSha256();
    if (approved && signer != null) {
      file = ContentCredentials.sign(png, Signing.assertion(image, verdict, policies.forTenant(image.getTenant())),
          signer);
      sha256 = Checksums.sha256Hex(file);
    }
    store.putBytes(key, file, "image/png", Map.of("sha256", sha256, "image-id", image.getImageId()));
    RenderResult result = Results.base(image)
        .setStatus(approved ? ResultStatus.PUBLISHED : ResultStatus.REJECTED)
        .setAssetKey(key)
        .setAssetUri("s3://" + image.getBucket() + "/" + key)
        .setSha256(sha256)
        .setReason(approved ? null : verdict.getReason())
        .setVerdict(verdict)
        .setCompletedAt(Instant.now())
        .setModerationMillis(inspectMillis + (System.nanoTime() - start) / 1_000_000)
        .build();
    store.putBytes(ObjectKeys.sidecar(area, image.getTenant(), image.getBatchId(), image.getImageId()),
        Sidecars.toJson(result, image, file.length, file == png ? null : signer.chain().get(0)), "application/json",
        Map.of("image-id", image.getImageId()));
    for (String earlier : ObjectKeys.earlierStagingKeys(image.getTenant(), image.getBatchId(), image.getImageId(),
        image.getAttempt())) {
      store.delete(earlier);
    }
    store.delete(ImageReferences.stagingKey(image));
    (approved ? published : quarantined).inc();
    return result;
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
