package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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

  static KeyedOneInputStreamOperatorTestHarness<String, Inspection, Inspection> harness() throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new MarkNearDuplicates(ModeratorTest.POLICIES, Duration.ofDays(1))),
        Inspection::batchKey, Types.STRING);
    h.open();
    return h;
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
}
