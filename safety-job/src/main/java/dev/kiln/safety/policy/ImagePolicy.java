package dev.kiln.safety.policy;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one tenant allows in an image: per classifier class, a score threshold and what to do
 * when a score reaches it; what to do with a block-list match; and how close two images of a
 * batch may be before they count as near-duplicates.
 *
 * @param name the policy's name as recorded in every verdict: {@code default} or {@code tenant:<id>}
 * @param version the policy file's version, recorded in every verdict
 * @param promptInCredentials whether the prompt text goes into the image's signed C2PA manifest,
 *     where anyone who has the file can read it; off by default, since prompts can hold a
 *     campaign's unreleased product names
 */
public record ImagePolicy(String name, String version, Map<String, ClassRule> classes, Action blockList,
    int nearDuplicateDistance, boolean promptInCredentials) implements Serializable {

  /** What happens when a rule fires. */
  public enum Action {
    /** Quarantine the image: it is never published. */
    REJECT,
    /** Publish the image with a flag in its verdict. */
    FLAG
  }

  /** Fires when the class's score is at least {@code threshold}. */
  public record ClassRule(double threshold, Action action) implements Serializable {}

  public ImagePolicy {
    classes = Collections.unmodifiableMap(new LinkedHashMap<>(classes));
  }
}
