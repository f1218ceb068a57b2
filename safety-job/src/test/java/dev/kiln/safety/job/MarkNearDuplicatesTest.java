package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;
import dev.kiln.schemas.Rerenders;
import dev.kiln.storage.ObjectKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkNearDuplicatesTest {
  static final String A = "f".repeat(64);
  static final String A_NEAR = "e" + "f".repeat(63);
  static final String FAR = "0".repeat(64);

  static Inspection judged(String batch, String imageId, String pdq, Decision decision) throws Exception {
    byte[] png = ModeratorTest.png(64, 64);
    RenderedImage image = RenderedImage.newBuilder(ModeratorTest.image(png, "a red circle", 64, 64))
        .setBatchId(batch).setImageId(imageId).build();
    Verdict v = Verdict.newBuilder().setDecision(decision).setReason("").setPolicyName("default")
        .setPolicyVersion("1").setScores(Map.of()).setChecks(List.of("pdq")).setPdqHash(pdq).build();
    return Inspection.judged(image, v, new byte[0], 1);
  }

  /** A judged image of a request that asked for near-duplicates to be re-rendered. */
  static Inspection rerenderable(String imageId, String pdq, int attempt) throws Exception {
    Inspection i = judged("b1", imageId, pdq, Decision.APPROVED);
    i.image = RenderedImage.newBuilder(i.image).setRerenderNearDuplicates(true).setAttempt(attempt)
        .setStagingKey(ObjectKeys.staging("acme", "b1", imageId, attempt)).build();
    return i;
  }

  static KeyedOneInputStreamOperatorTestHarness<String, Inspection, Inspection> harness() throws Exception {
    return harness(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1)));
  }

  static KeyedOneInputStreamOperatorTestHarness<String, Inspection, Inspection> harness(MarkNearDuplicates fn)
      throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), Inspection::batchKey,
        Types.STRING);
    h.open();
    return h;
  }

  static List<RenderedImage> rerenders(KeyedOneInputStreamOperatorTestHarness<String, Inspection, Inspection> h) {
    var side = h.getSideOutput(MarkNearDuplicates.RERENDERS);
    return side == null ? List.of() : side.stream().map(r -> r.getValue()).toList();
  }

  @Test
  void marksTheLaterOfTwoNearIdenticalImagesInABatch() throws Exception {
    try (var h = harness()) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(judged("b1", "r2-0", FAR, Decision.APPROVED), 0);
      h.processElement(judged("b1", "r3-0", A_NEAR, Decision.APPROVED), 0);
      List<Verdict> out = h.extractOutputValues().stream().map(i -> i.verdict).toList();
      assertThat(out.get(0).getNearDuplicateOf()).isNull();
      assertThat(out.get(1).getNearDuplicateOf()).isNull();
      assertThat(out.get(2).getNearDuplicateOf()).isEqualTo("r1-0");
      assertThat(out.get(2).getNearDuplicateDistance()).isEqualTo(1);
      assertThat(out.get(2).getFlags()).containsExactly("near-duplicate:r1-0 (distance 1)");
      assertThat(out.get(2).getDecision()).isEqualTo(Decision.APPROVED);
    }
  }

  @Test
  void imagesOfOtherBatchesAndRejectedImagesAreNotCompared() throws Exception {
    try (var h = harness()) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(judged("b2", "r2-0", A, Decision.APPROVED), 0);
      h.processElement(judged("b2", "r3-0", A_NEAR, Decision.REJECTED), 0);
      assertThat(h.extractOutputValues()).allSatisfy(i -> assertThat(i.verdict.getNearDuplicateOf()).isNull());
    }
  }

  @Test
  void aNearDuplicateThatAskedForItIsSentBackForARerenderInsteadOfPublished() throws Exception {
    try (var h = harness(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1), 2))) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(rerenderable("r2-0", A_NEAR, 0), 0);

      assertThat(h.extractOutputValues()).extracting(i -> i.image.getImageId()).containsExactly("r1-0");
      List<RenderedImage> rerenders = rerenders(h);
      assertThat(rerenders).singleElement().satisfies(r -> {
        assertThat(r.getImageId()).isEqualTo("r2-0");
        assertThat(r.getAttempt()).isEqualTo(1);
        assertThat(r.getParams().getSeed()).isEqualTo(Rerenders.seed("r2-0", 1));
        assertThat(r.getRerenderNearDuplicates()).isTrue();
      });
    }
  }

  @Test
  void theHashOfAnImageBeingRerenderedIsNotKept() throws Exception {
    TenantPolicies withinOne = TenantPolicies.fromJson("""
        {"version": "t1", "default": {"classes": {}, "nearDuplicateDistance": 1}}""");
    try (var h = harness(new MarkNearDuplicates(withinOne, Duration.ofDays(1), 2))) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(rerenderable("r2-0", A_NEAR, 0), 0);
      // 1 from r2-0's discarded render, 2 from r1-0: only a kept hash of r2-0 could match it.
      h.processElement(judged("b1", "r3-0", "ee" + "f".repeat(62), Decision.APPROVED), 0);

      assertThat(rerenders(h)).hasSize(1);
      Inspection r3 = h.extractOutputValues().get(1);
      assertThat(r3.image.getImageId()).isEqualTo("r3-0");
      assertThat(r3.verdict.getNearDuplicateOf()).isNull();
    }
  }

  @Test
  void theLastAllowedAttemptIsPublishedWithTheFlagAndSaysHowOftenItWasRerendered() throws Exception {
    try (var h = harness(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1), 2))) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(rerenderable("r2-0", A_NEAR, 1), 0);
      h.processElement(rerenderable("r2-0", A_NEAR, 2), 0);

      assertThat(rerenders(h)).singleElement().satisfies(r -> assertThat(r.getAttempt()).isEqualTo(2));
      Inspection published = h.extractOutputValues().get(1);
      assertThat(published.image.getAttempt()).isEqualTo(2);
      assertThat(published.verdict.getNearDuplicateOf()).isEqualTo("r1-0");
      assertThat(published.verdict.getFlags()).containsExactly("near-duplicate:r1-0 (distance 1)",
          "re-rendered 2 times as a near-duplicate");
      assertThat(published.verdict.getDecision()).isEqualTo(Decision.APPROVED);
    }
  }

  @Test
  void aRerenderThatIsNoLongerANearDuplicateIsPublishedWithoutTheNearDuplicateFlag() throws Exception {
    try (var h = harness(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1), 2))) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(rerenderable("r2-0", FAR, 1), 0);

      assertThat(rerenders(h)).isEmpty();
      Inspection published = h.extractOutputValues().get(1);
      assertThat(published.verdict.getNearDuplicateOf()).isNull();
      assertThat(published.verdict.getFlags()).containsExactly("re-rendered 1 time as a near-duplicate");
    }
  }

  @Test
  void requestsThatDidNotAskAreOnlyMarked() throws Exception {
    try (var h = harness(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1), 2))) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(judged("b1", "r2-0", A_NEAR, Decision.APPROVED), 0);

      assertThat(rerenders(h)).isEmpty();
      assertThat(h.extractOutputValues().get(1).verdict.getFlags()).containsExactly("near-duplicate:r1-0 (distance 1)");
    }
  }

  @Test
  void zeroRerendersOnlyMarksEvenWhenAsked() throws Exception {
    try (var h = harness(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1), 0))) {
      h.processElement(judged("b1", "r1-0", A, Decision.APPROVED), 0);
      h.processElement(rerenderable("r2-0", A_NEAR, 0), 0);

      assertThat(rerenders(h)).isEmpty();
      assertThat(h.extractOutputValues().get(1).verdict.getNearDuplicateOf()).isEqualTo("r1-0");
    }
  }

  @Test
  void rejectsANegativeLimit() {
    assertThatThrownBy(() -> new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kiln.safety.max-rerenders")
        .hasMessageContaining("got -1");
  }
}
