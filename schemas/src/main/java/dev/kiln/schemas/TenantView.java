package dev.kiln.schemas;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a tenant may learn about a result. The full {@link Verdict} (classifier scores and
 * thresholds, the prompt term that matched, the block-list label and distance, the image's PDQ
 * hash) is an oracle: a tenant who sees it can probe the classifier's threshold or find which of
 * their images sit near a listed hash. So everything a tenant reads (the HTTP API, webhooks, the
 * gallery) goes through {@link #of(RenderResult)}, which keeps the decision, a category in plain
 * words and the policy's name and version, and drops the rest.
 *
 * <p>The full verdict stays where operators read it: on kiln.results (the audit trail {@code kiln
 * audit} and {@code kiln watch} read) and in the image's sidecar, published or quarantined.
 */
public final class TenantView {
  /** The message of a FLAGGED image: published, with a remark only operators see. */
  public static final String FLAGGED = "published; flagged for review";

  private static final Map<String, String> PROMPT_CATEGORIES = Map.of(
      "sexual", "adult content",
      "violence", "graphic violence",
      "hate", "hateful content",
      "self-harm", "self-harm");

  /** Every category {@link #category(String)} gives. */
  private static final Set<String> TENANT_CATEGORIES = Set.of("adult content", "graphic violence", "hateful content",
      "self-harm", "prompt policy", "block list", "integrity", "policy");

  private TenantView() {}

  /**
   * A copy of {@code result} with the tenant-facing verdict of {@link #verdict(Verdict)}, and, for
   * a REJECTED result, the tenant-facing message as its reason. Applying it to its own output
   * changes nothing. FAILED results keep their reason:
   * it says what broke, not what moderation looked at.
   */
  public static RenderResult of(RenderResult result) {
    RenderResult.Builder copy = RenderResult.newBuilder(result);
    if (result.getVerdict() != null) {
      Verdict v = verdict(result.getVerdict());
      copy.setVerdict(v);
      if (result.getStatus() == ResultStatus.REJECTED) {
        copy.setReason(v.getReason());
      }
    } else if (result.getStatus() == ResultStatus.REJECTED) {
      copy.setReason("blocked by policy");
    }
    return copy.build();
  }

  /**
   * The verdict a tenant sees: decision, {@link #category(String) category in plain words}, a
   * reason made only from that category, policy name and version, and the near-duplicate's image
   * id (an image of the tenant's own batch). Scores, classifier digest, checks, flags, PDQ hash,
   * block-list label and distance are empty.
   */
  public static Verdict verdict(Verdict full) {
    String category = full.getDecision() == Decision.REJECTED ? category(full.getCategory()) : null;
    String reason = switch (full.getDecision()) {
      case APPROVED -> "";
      case FLAGGED -> FLAGGED;
      case REJECTED -> message(full.getCategory());
    };
    return Verdict.newBuilder()
        .setDecision(full.getDecision())
        .setReason(reason)
        .setCategory(category)
        .setPolicyName(full.getPolicyName())
        .setPolicyVersion(full.getPolicyVersion())
        .setScores(Map.of())
        .setClassifierSha256(null)
        .setChecks(List.of())
        .setFlags(List.of())
        .setPdqHash(null)
        .setPdqQuality(null)
        .setBlockListMatch(null)
        .setNearDuplicateOf(full.getNearDuplicateOf())
        .setNearDuplicateDistance(null)
        .build();
  }

  /**
   * A verdict category in words a tenant may read: {@code prompt:sexual} and {@code
   * classifier:Porn} are both "adult content", {@code block-list} is "block list". Never a term, a
   * class name with its score, or a label.
   */
  public static String category(String internal) {
    if (internal == null || internal.isBlank()) {
      return "policy";
    }
    if (TENANT_CATEGORIES.contains(internal)) {
      // Already a tenant's category: a view of a view is the same view.
      return internal;
    }
    String c = internal.toLowerCase(Locale.ROOT);
    if (c.equals("block-list")) {
      return "block list";
    }
    if (c.equals("integrity")) {
      return "integrity";
    }
    if (c.startsWith("classifier:")) {
      return "adult content";
    }
    if (c.startsWith("prompt:")) {
      return PROMPT_CATEGORIES.getOrDefault(c.substring("prompt:".length()), "prompt policy");
    }
    return "policy";
  }

  /** The reason a tenant reads for a rejection in {@code internal}'s category. */
  public static String message(String internal) {
    String category = category(internal);
    return switch (category) {
      case "block list" -> "matched a block list";
      case "integrity" -> "failed an integrity check";
      case "policy" -> "blocked by policy";
      default -> "blocked by policy: " + category;
    };
  }
}
