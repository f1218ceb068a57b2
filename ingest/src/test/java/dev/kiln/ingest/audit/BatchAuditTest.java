package dev.kiln.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.kiln.ingest.audit.AuditReport.ObjectProblem;
import dev.kiln.ingest.audit.AuditReport.ObjectProblem.Kind;
import dev.kiln.ingest.audit.AuditReport.ResultRecord;
import dev.kiln.ingest.audit.AuditReport.Source;
import dev.kiln.ingest.audit.BatchAudit.Committed;
import dev.kiln.ingest.audit.BatchAudit.Listing;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The audit's classification, on in-memory topics and a map for a bucket. */
class BatchAuditTest {
  static final String T = "acme";
  static final String B = "spring";

  /** The bucket: key to bytes. */
  final Map<String, byte[]> bucket = new HashMap<>();
  final List<Committed> results = new ArrayList<>();
  final List<RenderedImage> images = new ArrayList<>();
  long offset;

  static byte[] png(String imageId) {
    return ("png of " + imageId).getBytes(StandardCharsets.UTF_8);
  }

  static String id(int i) {
    return "req" + i + "-0";
  }

  RenderResult.Builder result(String imageId, ResultStatus status) {
    return RenderResult.newBuilder()
        .setRequestId(imageId.substring(0, imageId.lastIndexOf('-')))
        .setImageId(imageId)
        .setTenant(T)
        .setBatchId(B)
        .setImageIndex(0)
        .setImageCount(1)
        .setStatus(status)
        .setSubmittedAt(Instant.EPOCH)
        .setCompletedAt(Instant.EPOCH);
  }

  /** A rendered image on kiln.images, and its result and objects as the safety job leaves them. */
  void moderated(String imageId, ResultStatus status) {
    ObjectKeys.Area area = status == ResultStatus.PUBLISHED ? ObjectKeys.Area.ASSETS : ObjectKeys.Area.QUARANTINE;
    String key = ObjectKeys.png(area, T, B, imageId);
    byte[] bytes = png(imageId);
    bucket.put(key, bytes);
    bucket.put(ObjectKeys.sidecar(area, T, B, imageId), "{}".getBytes(StandardCharsets.UTF_8));
    rendered(imageId, Checksums.sha256Hex(bytes));
    commit(result(imageId, status).setAssetKey(key).setAssetUri("s3://kiln/" + key)
        .setSha256(Checksums.sha256Hex(bytes)).build());
  }

  void rendered(String imageId, String sha256) {
    images.add(RenderedImage.newBuilder()
        .setImageId(imageId)
        .setRequestId(imageId.substring(0, imageId.lastIndexOf('-')))
        .setTenant(T)
        .setBatchId(B)
        .setImageIndex(0)
        .setImageCount(1)
        .setBucket("kiln")
        .setStagingKey(ObjectKeys.staging(T, B, imageId))
        .setSha256(sha256)
        .setByteSize(10)
        .setParams(GenerationParams.newBuilder().setModel("kiln-tiny").setPrompt("p").setWidth(64).setHeight(64)
            .setSteps(20).setGuidanceScale(3f).setSeed(1L).build())
        .setSubmittedAt(Instant.EPOCH)
        .setRenderedAt(Instant.EPOCH)
        .setRenderMillis(1)
        .build());
  }

  void commit(RenderResult r) {
    results.add(new Committed(r, 0, offset++));
  }

  AuditReport audit(Integer expected) {
    List<String> staging = new ArrayList<>();
    List<String> assets = new ArrayList<>();
    List<String> quarantine = new ArrayList<>();
    for (String key : bucket.keySet()) {
      if (key.startsWith(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, T, B))) {
        staging.add(key);
      } else if (key.startsWith(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, T, B))) {
        assets.add(key);
      } else if (key.startsWith(ObjectKeys.batchPrefix(ObjectKeys.Area.QUARANTINE, T, B))) {
        quarantine.add(key);
      }
    }
    return BatchAudit.classify(T, B, expected, results, images, new Listing(staging, assets, quarantine),
        key -> Optional.ofNullable(bucket.get(key)), 0);
  }

  AuditReport audit() {
    return audit(null);
  }

  /** Three images published, one quarantined, one prompt rejection and one render failure, no leftovers. */
  void cleanBatch() {
    moderated(id(1), ResultStatus.PUBLISHED);
    moderated(id(2), ResultStatus.PUBLISHED);
    moderated(id(3), ResultStatus.PUBLISHED);
    moderated(id(4), ResultStatus.REJECTED);
    commit(result(id(5), ResultStatus.REJECTED).setReason("prompt policy").build());
    commit(result(id(6), ResultStatus.FAILED).setReason("render: out of memory").build());
    bucket.put(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, T, B) + "index.html", new byte[1]);
  }

  @Test
  void aCleanBatchHasNoFindings() {
    cleanBatch();

    AuditReport report = audit(6);

    assertThat(report.clean()).isTrue();
    assertThat(report.findings()).isZero();
    assertThat(report.images()).isEqualTo(6);
    assertThat(report.results()).isEqualTo(6);
    assertThat(report.statuses()).containsExactlyInAnyOrderEntriesOf(Map.of(
        ResultStatus.PUBLISHED, 3, ResultStatus.REJECTED, 2, ResultStatus.FAILED, 1));
    assertThat(report.lines()).containsExactly(
        "summary         acme/spring: 6 images (expected 6), 6 results: published 3, rejected 2, failed 1; clean");
  }

  @Test
  void failedAndPromptRejectedResultsNeedNoObject() {
    commit(result(id(5), ResultStatus.REJECTED).setReason("prompt policy").build());
    commit(result(id(6), ResultStatus.FAILED).setReason("staged object is missing").build());

    AuditReport report = audit();

    assertThat(report.objectProblems()).isEmpty();
    assertThat(report.clean()).isTrue();
  }

  @Test
  void anImageRenderedButWithoutAResultIsReported() {
    cleanBatch();
    String lost = id(7);
    rendered(lost, "00".repeat(32));
    bucket.put(ObjectKeys.staging(T, B, lost), png(lost));
    String unmoderated = id(8);
    bucket.put(ObjectKeys.asset(T, B, unmoderated), png(unmoderated));

    AuditReport report = audit();

    assertThat(report.missingResults()).extracting(AuditReport.MissingResult::imageId).containsExactly(lost,
        unmoderated);
    assertThat(report.missingResults().get(0).seenIn()).containsExactlyInAnyOrder(Source.IMAGES_TOPIC,
        Source.STAGING);
    assertThat(report.missingResults().get(1).seenIn()).containsExactly(Source.ASSETS);
    assertThat(report.clean()).isFalse();
    assertThat(report.lines()).contains(
        "no-result       req7-0 seen in kiln.images, staging",
        "no-result       req8-0 seen in assets");
  }

  @Test
  void imagesBelowTheExpectedCountAreUnaccounted() {
    cleanBatch();

    AuditReport report = audit(9);

    assertThat(report.unaccounted()).isEqualTo(3);
    assertThat(report.clean()).isFalse();
    assertThat(report.lines().get(0)).isEqualTo(
        "unaccounted     3 images: --expect 9, 6 seen (in results, kiln.images or the bucket)");
  }

  @Test
  void imagesBeyondTheExpectedCountAreUnexpected() {
    cleanBatch();

    AuditReport report = audit(5);

    assertThat(report.unexpected()).isEqualTo(1);
    assertThat(report.unaccounted()).isZero();
    assertThat(report.clean()).isFalse();
    assertThat(report.lines().get(0)).startsWith("unexpected      1 images: --expect 5, 6 seen");
  }

  @Test
  void duplicateResultsAreListedWithStatusAttemptAndPosition() {
    cleanBatch();
    RenderResult first = results.get(0).result();
    results.add(new Committed(RenderResult.newBuilder(first).setAttempt(1).build(), 1, 40));
    results.add(new Committed(RenderResult.newBuilder(first).build(), 1, 41));

    AuditReport report = audit(6);

    assertThat(report.duplicates()).singleElement().satisfies(d -> {
      assertThat(d.imageId()).isEqualTo(id(1));
      assertThat(d.results()).containsExactly(
          new ResultRecord(ResultStatus.PUBLISHED, 0, first.getAssetKey(), first.getSha256(), 0, 0),
          new ResultRecord(ResultStatus.PUBLISHED, 1, first.getAssetKey(), first.getSha256(), 1, 40),
          new ResultRecord(ResultStatus.PUBLISHED, 0, first.getAssetKey(), first.getSha256(), 1, 41));
    });
    assertThat(report.results()).isEqualTo(8);
    assertThat(report.statuses().get(ResultStatus.PUBLISHED)).as("counted once per image").isEqualTo(3);
    assertThat(report.objectProblems()).as("the same object, checked once").isEmpty();
    assertThat(report.lines()).containsExactly(
        "duplicate       req1-0 3 results: PUBLISHED attempt 0 at 0@0, PUBLISHED attempt 1 at 1@40,"
            + " PUBLISHED attempt 0 at 1@41",
        "summary         acme/spring: 6 images (expected 6), 8 results: published 3, rejected 2, failed 1;"
            + " 1 findings");
  }

  @Test
  void aResultWhoseObjectIsGoneIsReported() {
    cleanBatch();
    String key = ObjectKeys.asset(T, B, id(2));
    bucket.remove(key);

    AuditReport report = audit();

    assertThat(report.objectProblems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(Kind.MISSING);
      assertThat(p.imageId()).isEqualTo(id(2));
      assertThat(p.key()).isEqualTo(key);
    });
    assertThat(report.lines()).contains("object-missing  req2-0 " + key + " (PUBLISHED result)");
  }

  @Test
  void aPublishedResultNamingNoObjectIsReported() {
    commit(result(id(1), ResultStatus.PUBLISHED).build());

    AuditReport report = audit();

    assertThat(report.objectProblems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(Kind.MISSING);
      assertThat(p.key()).isNull();
    });
  }

  @Test
  void anObjectWithOtherBytesThanTheResultSaysIsReported() {
    cleanBatch();
    String key = ObjectKeys.quarantine(T, B, id(4));
    byte[] corrupted = "not the judged bytes".getBytes(StandardCharsets.UTF_8);
    bucket.put(key, corrupted);

    AuditReport report = audit();

    String recorded = Checksums.sha256Hex(png(id(4)));
    String actual = Checksums.sha256Hex(corrupted);
    assertThat(report.objectProblems()).containsExactly(new ObjectProblem(Kind.SHA256_MISMATCH, id(4), key,
        recorded, actual, "result " + recorded + " object " + actual));
    assertThat(report.lines()).contains("sha256-mismatch req4-0 " + key + " result " + recorded + " object " + actual);
    assertThat(report.clean()).isFalse();
  }

  @Test
  void aKeyOutsideTheImagesOwnIsNotReadAndIsReported() {
    List<String> read = new ArrayList<>();
    String foreign = ObjectKeys.asset("other", B, id(1));
    bucket.put(foreign, png(id(1)));
    commit(result(id(1), ResultStatus.PUBLISHED).setAssetKey(foreign).setSha256(Checksums.sha256Hex(png(id(1))))
        .build());
    String rejectedInAssets = ObjectKeys.asset(T, B, id(2));
    bucket.put(rejectedInAssets, png(id(2)));
    commit(result(id(2), ResultStatus.REJECTED).setAssetKey(rejectedInAssets)
        .setSha256(Checksums.sha256Hex(png(id(2)))).build());

    AuditReport report = BatchAudit.classify(T, B, null, results, images,
        new Listing(List.of(), List.of(rejectedInAssets), List.of()), key -> {
          read.add(key);
          return Optional.ofNullable(bucket.get(key));
        }, 0);

    assertThat(read).isEmpty();
    assertThat(report.objectProblems()).extracting(ObjectProblem::kind, ObjectProblem::imageId, ObjectProblem::key)
        .containsExactly(
            tuple(Kind.WRONG_KEY, id(1), foreign),
            tuple(Kind.WRONG_KEY, id(2), rejectedInAssets));
    assertThat(report.lines()).contains("wrong-key       req2-0 " + rejectedInAssets + " (a REJECTED result's object"
        + " is " + ObjectKeys.quarantine(T, B, id(2)) + "; not read)");
  }

  @Test
  void anObjectNoResultNamesIsAStray() {
    cleanBatch();
    // Image 1 was published, yet a quarantined copy of it and its sidecar exist too.
    String png = ObjectKeys.quarantine(T, B, id(1));
    String json = ObjectKeys.quarantineSidecar(T, B, id(1));
    bucket.put(png, png(id(1)));
    bucket.put(json, new byte[1]);

    AuditReport report = audit();

    assertThat(report.objectProblems()).extracting(ObjectProblem::kind, ObjectProblem::key).containsExactly(
        tuple(Kind.STRAY, json),
        tuple(Kind.STRAY, png));
    assertThat(report.lines()).contains("stray-object    req1-0 " + png + " (its results name "
        + ObjectKeys.asset(T, B, id(1)) + ")");
  }

  @Test
  void objectsLeftUnderStagingAreListedEvenWhenTheImageHasItsResult() {
    cleanBatch();
    String first = ObjectKeys.staging(T, B, id(1));
    String attempt = ObjectKeys.staging(T, B, id(2), 1);
    bucket.put(first, png(id(1)));
    bucket.put(attempt, png(id(2)));

    AuditReport report = audit(6);

    assertThat(report.staging()).containsExactly(first, attempt);
    assertThat(report.missingResults()).isEmpty();
    assertThat(report.images()).as("a re-render attempt is the same image").isEqualTo(6);
    assertThat(report.lines()).containsExactly(
        "staging         " + first,
        "staging         " + attempt,
        "summary         acme/spring: 6 images (expected 6), 6 results: published 3, rejected 2, failed 1;"
            + " 2 findings");
  }

  @Test
  void findingsPrintInAFixedOrder() {
    cleanBatch();
    rendered(id(9), "00".repeat(32));
    commit(results.get(1).result());
    bucket.put(ObjectKeys.staging(T, B, id(3)), png(id(3)));
    bucket.remove(ObjectKeys.asset(T, B, id(1)));

    List<String> lines = audit(6).lines();

    assertThat(lines).extracting(l -> l.substring(0, AuditReport.PREFIX_WIDTH).trim()).containsExactly(
        "no-result", "unexpected", "duplicate", "object-missing", "staging", "summary");
  }

  @Test
  void theBuilderNamesWhatIsMissing() {
    // The builder never calls the client; a real one would need an endpoint.
    ObjectStore store = new ObjectStore(new S3Client() {
      @Override
      public String serviceName() {
        return "s3";
      }

      @Override
      public void close() {}
    }, "kiln");
    assertThatThrownBy(() -> BatchAudit.builder().setObjectStore(store).setTenant(T).setBatchId(B).build())
        .hasMessageContaining("setBootstrapServers");
    assertThatThrownBy(() -> BatchAudit.builder().setBootstrapServers("h:9092").setTenant(T).setBatchId(B).build())
        .hasMessageContaining("setObjectStore");
    assertThatThrownBy(() -> BatchAudit.builder().setBootstrapServers("h:9092").setObjectStore(store).setTenant(T)
        .setBatchId("../x").build())
        .hasMessageContaining("batchId '../x' is not allowed");
    assertThatThrownBy(() -> BatchAudit.builder().setBootstrapServers("h:9092").setObjectStore(store).setTenant(T)
        .setBatchId(B).optExpect(0).build())
        .hasMessageContaining("pass 1 or more images to optExpect");
  }
}
