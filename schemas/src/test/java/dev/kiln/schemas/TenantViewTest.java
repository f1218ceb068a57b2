package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantViewTest {
  @Test
  void aClassifierRejectionSaysAdultContentAndNothingOfScoresOrThresholds() {
    Verdict full = verdict(Decision.REJECTED, "classifier:Porn", "classifier:Porn=0.912>=0.80")
        .setScores(Map.of("Porn", 0.912, "Neutral", 0.05)).setClassifierSha256("ab".repeat(32))
        .setChecks(List.of("integrity:sha256", "classifier")).setPdqHash("f".repeat(64)).setPdqQuality(90).build();

    RenderResult seen = TenantView.of(result(ResultStatus.REJECTED, full.getReason(), full));

    assertThat(seen.getReason()).isEqualTo("blocked by policy: adult content");
    Verdict v = seen.getVerdict();
    assertThat(v.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(v.getCategory()).isEqualTo("adult content");
    assertThat(v.getScores()).isEmpty();
    assertThat(v.getClassifierSha256()).isNull();
    assertThat(v.getChecks()).isEmpty();
    assertThat(v.getPdqHash()).isNull();
    assertThat(v.getPdqQuality()).isNull();
    assertThat(seen.toString()).doesNotContain("0.912").doesNotContain("0.80").doesNotContain("Porn");
  }

  @Test
  void aBlockListMatchNamesNeitherTheLabelNorTheDistance() {
    Verdict full = verdict(Decision.REJECTED, "block-list", "block-list:csam-ref-7 (distance 12)")
        .setBlockListMatch("csam-ref-7").setPdqHash("0".repeat(64)).build();

    RenderResult seen = TenantView.of(result(ResultStatus.REJECTED, full.getReason(), full));

    assertThat(seen.getReason()).isEqualTo("matched a block list");
    assertThat(seen.getVerdict().getBlockListMatch()).isNull();
    assertThat(seen.toString()).doesNotContain("csam-ref-7").doesNotContain("distance");
  }

  @Test
  void aPromptRejectionNamesTheCategoryButNotTheTerm() {
    Verdict full = verdict(Decision.REJECTED, "prompt:sexual", "prompt matches policy category \"sexual\" (term \"nude\")")
        .build();

    RenderResult seen = TenantView.of(result(ResultStatus.REJECTED, full.getReason(), full));

    assertThat(seen.getReason()).isEqualTo("blocked by policy: adult content");
    assertThat(seen.toString()).doesNotContain("nude");
  }

  @Test
  void aFlaggedImageIsPublishedWithoutItsFlags() {
    Verdict full = verdict(Decision.FLAGGED, null, "classifier:Sexy=0.850>=0.80; near-duplicate of r1-0 (distance 4)")
        .setFlags(List.of("classifier:Sexy=0.850>=0.80", "near-duplicate")).setNearDuplicateOf("r1-0")
        .setNearDuplicateDistance(4).build();

    RenderResult seen = TenantView.of(result(ResultStatus.PUBLISHED, null, full));

    assertThat(seen.getVerdict().getReason()).isEqualTo(TenantView.FLAGGED);
    assertThat(seen.getVerdict().getFlags()).isEmpty();
    assertThat(seen.getVerdict().getNearDuplicateOf()).isEqualTo("r1-0");
    assertThat(seen.getVerdict().getNearDuplicateDistance()).isNull();
    assertThat(seen.getReason()).isNull();
  }

  @Test
  void aFailureKeepsItsReasonAndTheInputIsNotChanged() {
    RenderResult failed = result(ResultStatus.FAILED, "render failed: out of memory", null);
    Verdict full = verdict(Decision.REJECTED, "classifier:Hentai", "classifier:Hentai=0.990>=0.80").build();
    RenderResult rejected = result(ResultStatus.REJECTED, full.getReason(), full);

    assertThat(TenantView.of(failed).getReason()).isEqualTo("render failed: out of memory");
    TenantView.of(rejected);
    assertThat(rejected.getVerdict().getReason()).isEqualTo("classifier:Hentai=0.990>=0.80");
  }

  @Test
  void unknownCategoriesFallBackToPlainWords() {
    assertThat(TenantView.message(null)).isEqualTo("blocked by policy");
    assertThat(TenantView.message("prompt:weapons")).isEqualTo("blocked by policy: prompt policy");
    assertThat(TenantView.message("integrity")).isEqualTo("failed an integrity check");
    assertThat(TenantView.message("something-new")).isEqualTo("blocked by policy");
  }

  private static Verdict.Builder verdict(Decision decision, String category, String reason) {
    return Verdict.newBuilder().setDecision(decision).setCategory(category).setReason(reason)
        .setPolicyName("default").setPolicyVersion("1/prompt:2026-11-22");
  }

  private static RenderResult result(ResultStatus status, String reason, Verdict verdict) {
    return RenderResult.newBuilder()
        .setRequestId("r1").setImageId("r1-1").setTenant("acme").setBatchId("b1")
        .setImageIndex(1).setImageCount(2).setStatus(status).setReason(reason).setVerdict(verdict)
        .setSubmittedAt(Instant.EPOCH).setCompletedAt(Instant.EPOCH).build();
  }

  @Test
  void aViewOfAViewIsTheSameView() {
    for (String category : new String[] {"classifier:Porn", "block-list", "integrity", "prompt:violence",
        "prompt:weapons", null}) {
      Verdict full = verdict(Decision.REJECTED, category, "internal detail").build();
      RenderResult once = TenantView.of(result(ResultStatus.REJECTED, "internal detail", full));

      assertThat(TenantView.of(once)).as(String.valueOf(category)).isEqualTo(once);
    }
  }
}
