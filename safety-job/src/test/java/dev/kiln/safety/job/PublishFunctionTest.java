package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.provenance.c2pa.KilnAssertion;
import dev.kiln.provenance.c2pa.LocalCa;
import dev.kiln.provenance.c2pa.Verification;
import dev.kiln.safety.gallery.FakeS3;
import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishFunctionTest {
  static final String POLICIES = """
      {"version": "7", "default": {}, "tenants": {"open-book": {"promptInCredentials": true}}}
      """;

  @TempDir
  static Path caDir;

  private final FakeS3 s3 = new FakeS3();
  private LocalCa.Material ca;
  private PublishFunction publisher;

  @BeforeEach
  void open() {
    ca = LocalCa.createIfAbsent(caDir);
    Configuration config = new Configuration();
    config.set(StorageOptions.BUCKET, "kiln");
    config.set(SafetyJobOptions.PROVENANCE_KEYSTORE, ca.keystore().toString());
    config.set(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE, ca.passwordFile().toString());
    publisher = new PublishFunction(config, TenantPolicies.fromJson(POLICIES), settings -> s3);
    publisher.setRuntimeContext(new MockStreamingRuntimeContext(1, 0));
    publisher.open(DefaultOpenContext.INSTANCE);
  }

  @AfterEach
  void close() {
    publisher.close();
  }

  static Verdict verdict(Decision decision, String... flags) {
    return Verdict.newBuilder().setDecision(decision).setReason(decision == Decision.REJECTED ? "too red" : "")
        .setPolicyName("default").setPolicyVersion("1").setScores(Map.of()).setChecks(List.of("pdq"))
        .setFlags(List.of(flags)).build();
  }

  /** Attempt {@code attempt} of image r1-0, staged under its own key with {@code png}. */
  RenderedImage staged(int attempt, byte[] png) throws Exception {
    String key = ObjectKeys.staging("acme", "b1", "r1-0", attempt);
    s3.put(key, png);
    return RenderedImage.newBuilder(ModeratorTest.image(png, "a red circle", 64, 64))
        .setStagingKey(key).setAttempt(attempt).setRerenderNearDuplicates(attempt > 0).build();
  }

  @Test
  void publishingTheLastAttemptDeletesEveryAttemptFromStaging() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    staged(0, ModeratorTest.png(64, 64));
    staged(1, ModeratorTest.png(64, 64));
    RenderedImage last = staged(2, png);
    s3.put(ObjectKeys.staging("acme", "b1", "r1-1", 0), png); // another image of the batch

    RenderResult result = publisher.publish(last,
        verdict(Decision.FLAGGED, MarkNearDuplicates.rerenderedFlag(2)), png, 3);

    assertThat(result.getStatus()).isEqualTo(ResultStatus.PUBLISHED);
    assertThat(result.getAttempt()).isEqualTo(2);
    assertThat(result.getAssetKey()).isEqualTo("assets/acme/b1/r1-0.png");
    assertThat(ContentCredentials.verify(s3.objects.get("assets/acme/b1/r1-0.png").bytes(), List.of()).valid())
        .isTrue();
    assertThat(s3.objects.keySet()).filteredOn(k -> k.startsWith("staging/"))
        .containsExactly("staging/acme/b1/r1-1.png");
  }

  @Test
  void deletesTheStagingKeyItsIdsDeriveNeverOneTheRecordNames() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    RenderedImage own = staged(0, png);
    s3.put("staging/globex/b9/x-0.png", png);
    RenderedImage forged = RenderedImage.newBuilder(own).setStagingKey("staging/globex/b9/x-0.png").build();

    publisher.publish(forged, verdict(Decision.APPROVED), png, 3);

    assertThat(s3.objects).containsKey("staging/globex/b9/x-0.png").doesNotContainKey("staging/acme/b1/r1-0.png");
  }

  @Test
  void aQuarantinedRerenderLeavesNothingInStagingEither() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    staged(0, png);
    RenderedImage last = staged(1, png);

    RenderResult result = publisher.publish(last, verdict(Decision.REJECTED), png, 3);

    assertThat(result.getStatus()).isEqualTo(ResultStatus.REJECTED);
    assertThat(s3.objects.keySet()).containsExactlyInAnyOrder("quarantine/acme/b1/r1-0.png",
        "quarantine/acme/b1/r1-0.json");
  }

  @Test
  void theSidecarRecordsTheAttemptSoAReplayEmitsTheSameResult() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    staged(0, png);
    RenderedImage last = staged(1, png);

    RenderResult result = publisher.publish(last, verdict(Decision.APPROVED), png, 3);

    RenderResult fromSidecar = Sidecars.resultFrom(s3.objects.get("assets/acme/b1/r1-0.json").bytes());
    assertThat(fromSidecar.getAttempt()).isEqualTo(1);
    assertThat(fromSidecar.getParams().getSeed()).isEqualTo(result.getParams().getSeed());
  }

  @Test
  void anApprovedImageIsPublishedWithContentCredentialsSignedAfterModeration() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    RenderedImage image = staged(0, png);

    RenderResult result = publisher.publish(image, verdict(Decision.APPROVED), png, 3);

    byte[] published = s3.objects.get("assets/acme/b1/r1-0.png").bytes();
    Verification v = ContentCredentials.verify(published, List.of(ca.caCertificateX509()));
    assertThat(v.valid()).as(v.failures().toString()).isTrue();
    assertThat(v.trusted()).isTrue();
    KilnAssertion kiln = v.kiln().orElseThrow();
    assertThat(kiln.imageId()).isEqualTo("r1-0");
    assertThat(kiln.tenant()).isEqualTo("acme");
    assertThat(kiln.decision()).isEqualTo("APPROVED");
    assertThat(kiln.policyName()).isEqualTo("default");
    assertThat(kiln.seed()).isEqualTo(image.getParams().getSeed());
    assertThat(kiln.prompt()).as("the default policy keeps the prompt out").isNull();
    assertThat(new String(published, StandardCharsets.ISO_8859_1)).doesNotContain("a red circle");

    assertThat(result.getSha256()).as("the result names the published file").isEqualTo(Checksums.sha256Hex(published))
        .isNotEqualTo(image.getSha256());
    byte[] sidecar = s3.objects.get("assets/acme/b1/r1-0.json").bytes();
    assertThat(Sidecars.resultFrom(sidecar).getSha256()).isEqualTo(result.getSha256());
    assertThat(Sidecars.moderatedSha256(sidecar)).isEqualTo(image.getSha256());
    assertThat(new String(sidecar, StandardCharsets.UTF_8)).contains("\"signer\" : \"O=Kiln,CN=Kiln Local Signer\"");
  }

  @Test
  void aReplayPublishesTheSameBytesAndTheSameResult() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    RenderedImage image = staged(0, png);
    RenderResult first = publisher.publish(image, verdict(Decision.APPROVED), png, 3);
    byte[] firstBytes = s3.objects.get("assets/acme/b1/r1-0.png").bytes();

    staged(0, png);
    RenderResult again = publisher.publish(image, verdict(Decision.APPROVED), png, 3);

    assertThat(s3.objects.get("assets/acme/b1/r1-0.png").bytes()).isEqualTo(firstBytes);
    assertThat(again.getSha256()).isEqualTo(first.getSha256());
  }

  @Test
  void theManifestHoldsThePromptOnlyWhenTheTenantsPolicyAllowsIt() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    String key = ObjectKeys.staging("open-book", "b1", "r1-0", 0);
    s3.put(key, png);
    RenderedImage image = RenderedImage.newBuilder(ModeratorTest.image("open-book", png, "a red circle", 64, 64))
        .setStagingKey(key).build();

    publisher.publish(image, verdict(Decision.APPROVED), png, 3);

    byte[] published = s3.objects.get("assets/open-book/b1/r1-0.png").bytes();
    assertThat(ContentCredentials.verify(published, List.of()).kiln().orElseThrow().prompt()).isEqualTo("a red circle");
  }

  @Test
  void aQuarantinedImageIsNotSigned() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    RenderedImage image = staged(0, png);

    RenderResult result = publisher.publish(image, verdict(Decision.REJECTED), png, 3);

    assertThat(s3.objects.get("quarantine/acme/b1/r1-0.png").bytes()).isEqualTo(png);
    assertThat(result.getSha256()).isEqualTo(image.getSha256());
    assertThat(new String(s3.objects.get("quarantine/acme/b1/r1-0.json").bytes(), StandardCharsets.UTF_8))
        .doesNotContain("contentCredentials");
  }

  @Test
  void theSigningKeyAppearsInNoObjectAndNoResult() throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    RenderResult result = publisher.publish(staged(0, png), verdict(Decision.APPROVED), png, 3);

    ECPrivateKey key = (ECPrivateKey) ca.signingIdentity().key();
    String scalar = key.getS().toString(16);
    assertThat(result.toString()).doesNotContain(scalar);
    byte[] raw = key.getS().toByteArray();
    for (var object : s3.objects.entrySet()) {
      String text = new String(object.getValue().bytes(), StandardCharsets.ISO_8859_1);
      assertThat(text).as(object.getKey()).doesNotContain(scalar)
          .doesNotContain(new String(raw, StandardCharsets.ISO_8859_1));
    }
  }
}
