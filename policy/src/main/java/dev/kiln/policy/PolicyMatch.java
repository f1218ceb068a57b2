package dev.kiln.policy;

/**
 * Why a prompt breaks a {@link PromptPolicy}.
 *
 * @param category the policy category, e.g. "sexual"
 * @param term the policy term as written in the policy, without its {@code *} markers, e.g. "nude"
 * @param matchedText the part of the prompt that matched, exactly as the user wrote it, e.g. "N.U.D.E"
 */
public record PolicyMatch(String category, String term, String matchedText) {
  /** A one-line reason for logs, verdicts and dead letters. */
  @Override
  public String toString() {
    return "category \"" + category + "\" (term \"" + term + "\", prompt text \"" + matchedText + "\")";
  }
}
