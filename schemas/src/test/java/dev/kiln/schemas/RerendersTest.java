package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RerendersTest {
  static RenderedImage staged() {
    return RenderedImage.newBuilder()
        .setImageId("r1-2")
        .setRequestId("r1")
        .setTenant("acme")
        .setBatchId("b1")
        .setImageIndex(2)
        .setImageCount(3)
        .setBucket("kiln")
        .setStagingKey("staging/acme/b1/r1-2.png")
        .setSha256("ab".repeat(32))
        .setByteSize(1234)
        .setParams(GenerationParams.newBuilder().setModel("kiln-tiny").setModelDigest("d").setPrompt("a red circle")
            .setNegativePrompt("blurry").setWidth(64).setHeight(96).setSteps(12).setGuidanceScale(2.5f).setSeed(9)
            .setScheduler("EulerDiscreteScheduler").build())
        .setLabels(Map.of("campaign", "spring"))
        .setSubmittedAt(Instant.ofEpochMilli(1_700_000_000_000L))
        .setRenderedAt(Instant.ofEpochMilli(1_700_000_001_000L))
        .setRenderMillis(40)
        .setRerenderNearDuplicates(true)
        .build();
  }

  @Test
  void seedsAreDeterministicNonNegativeAndDifferPerAttempt() {
    assertThat(Rerenders.seed("r1-0", 1)).isEqualTo(Rerenders.seed("r1-0", 1));
    assertThat(Rerenders.seed("r1-0", 1)).isNotEqualTo(Rerenders.seed("r1-0", 2));
    assertThat(Rerenders.seed("r1-0", 1)).isNotEqualTo(Rerenders.seed("r1-1", 1));
    for (int attempt = 1; attempt <= 50; attempt++) {
      assertThat(Rerenders.seed("img-" + attempt, attempt)).isNotNegative();
    }
  }

  @Test
  void attemptZeroHasNoRerenderSeed() {
    assertThatThrownBy(() -> Rerenders.seed("r1-0", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempt is 0");
  }

  @Test
  void nextAsksForTheFollowingAttemptWithItsSeed() {
    RenderedImage first = Rerenders.next(staged());
    RenderedImage second = Rerenders.next(first);

    assertThat(first.getAttempt()).isEqualTo(1);
    assertThat(first.getParams().getSeed()).isEqualTo(Rerenders.seed("r1-2", 1)).isNotEqualTo(9L);
    assertThat(first.getRerenderNearDuplicates()).isTrue();
    assertThat(second.getAttempt()).isEqualTo(2);
    assertThat(second.getParams().getSeed()).isEqualTo(Rerenders.seed("r1-2", 2));
    // Identity and everything but the seed stay as they were.
    assertThat(second.getImageId()).isEqualTo("r1-2");
    assertThat(second.getImageIndex()).isEqualTo(2);
    assertThat(second.getLabels()).isEqualTo(Map.of("campaign", "spring"));
    assertThat(GenerationParams.newBuilder(second.getParams()).setSeed(9).build()).isEqualTo(staged().getParams());
  }

  @Test
  void requestRebuildsTheRenderRequestOfTheAttempt() {
    RenderedImage rerender = Rerenders.next(staged());
    RenderRequest r = Rerenders.request(rerender);

    assertThat(r.getRequestId()).isEqualTo("r1");
    assertThat(r.getTenant()).isEqualTo("acme");
    assertThat(r.getBatchId()).isEqualTo("b1");
    assertThat(r.getPrompt()).isEqualTo("a red circle");
    assertThat(r.getNegativePrompt()).isEqualTo("blurry");
    assertThat(r.getWidth()).isEqualTo(64);
    assertThat(r.getHeight()).isEqualTo(96);
    assertThat(r.getSteps()).isEqualTo(12);
    assertThat(r.getGuidanceScale()).isEqualTo(2.5f);
    assertThat(r.getSeed()).isEqualTo(rerender.getParams().getSeed());
    assertThat(r.getNumImages()).isEqualTo(3);
    assertThat(r.getSubmittedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(r.getRerenderNearDuplicates()).isTrue();
    assertThat(RequestValidator.validate(r)).isEmpty();
  }

  @Test
  void survivesTheWire() throws InvalidRecordException {
    RenderedImage rerender = Rerenders.next(staged());
    assertThat(Codecs.IMAGE.decode(Codecs.IMAGE.encode(rerender))).isEqualTo(rerender);
  }
}
