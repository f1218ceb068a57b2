package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.safety.gallery.FakeS3;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.Verdict;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.StorageOptions;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PublishFunctionTest {
  private final FakeS3 s3 = new FakeS3();
  private PublishFunction publisher;

  @BeforeEach
  void open() {
    Configuration config = new Configuration();
    config.set(StorageOptions.BUCKET, "kiln");
    publisher = new PublishFunction(config, settings -> s3);
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
    assertThat(s3.objects.get("assets/acme/b1/r1-0.png").bytes()).isEqualTo(png);
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
}
