package dev.kiln.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.policy.internal.PromptFragments;
import dev.kiln.policy.internal.PromptFragments.Fragment;
import dev.kiln.policy.internal.PromptFragments.Position;
import dev.kiln.policy.internal.TermPattern;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A word-list prompt policy: categories of terms that a prompt must not contain. render-job checks
 * a request's prompt before spending GPU time on it; safety-job checks the image's prompt again.
 *
 * <h2>Configuration</h2>
 *
 * <pre>{@code
 * {"name": "default", "version": "2026-11-22", "description": "optional",
 *  "categories": {"sexual": ["nude", "naked"], "self-harm": ["self harm", "suicide"]}}
 * }</pre>
 *
 * Category names match {@code [A-Za-z0-9._-]{1,64}}. A term is one or more words; it needs at least
 * two letters or digits. Any other field, or a value of the wrong type, is an
 * {@link IllegalArgumentException} naming the field (e.g. {@code categories.hate[2]}) and what is
 * expected.
 *
 * <h2>Matching</h2>
 *
 * Matching is by whole words, never by substring, so "therapist" does not contain "rapist" and
 * "classic" does not contain "ass".
 * <ol>
 *   <li><b>Fold.</b> Each character is NFKD-decomposed, combining marks and zero-width characters
 *       are dropped and the rest lower-cased: "Ñ" reads as "n", full-width "ｎ" as "n".
 *   <li><b>Fragments.</b> The prompt is cut into fragments of letters, digits and leetspeak
 *       symbols ({@code @ $ ! | + € £ ¢ §}); whitespace and other punctuation separate fragments.
 *   <li><b>Readings.</b> Each fragment character may stand for several letters: {@code 0}=o,
 *       {@code 1}=i or l, {@code 3}=e, {@code 4}=a, {@code 5}=s, {@code 7}=t, {@code 8}=b,
 *       {@code @}=a, {@code $}=s, ... A leetspeak symbol may also stand for nothing ("naked!").
 *       Digits are read as letters only in a fragment that has a letter or is one character long,
 *       so "1920" stays a number. Cyrillic and Greek look-alikes read as Latin letters only next
 *       to Latin letters. Every reading is tried at once, not one reading per guess.
 *   <li><b>Repeated letters.</b> A letter repeated in the prompt matches the same letter in the
 *       term ("nuuude" matches "nude"), but never fewer ("as" does not match "ass").
 *   <li><b>Joins.</b> A match covers whole fragments. Consecutive fragments are joined into one
 *       word when only punctuation separates them ("n.u.d.e", "n-u-d-e", "self-harm") or when one
 *       side of the whitespace is a single character ("n u d e", "n ude"). Two longer fragments
 *       separated by whitespace are joined only where the term itself has a word break
 *       ("kill yourself"), so "nu de" is not read as "nude": that is the price of not reading
 *       "let's go re-paint" as "gore".
 *   <li><b>Plurals.</b> "s" and "es" may follow the last word of a term ("nudes").
 * </ol>
 *
 * <h2>Known limits</h2>
 *
 * A word list cannot see meaning. "nude-coloured lipstick" is flagged, because "nude" is a whole
 * word there; we prefer a rejected lipstick (the user can write "beige") over an allow list that
 * would also let "a nude-coloured woman" through. Derived words that are not plurals
 * ("denude", "nudist") pass unless listed. Masked letters ("n*de") are not guessed.
 *
 * <p>Immutable, thread-safe and {@link Serializable}, so a Flink function may hold one as a field.
 */
public final class PromptPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Classpath location of the shipped default policy. */
  public static final String DEFAULT_RESOURCE = "policy/prompt-policy.json";

  /** Longest run of fragments one match may cover; bounds the work on hostile prompts. */
  static final int MAX_FRAGMENTS_PER_MATCH = 64;

  private static final Pattern CATEGORY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> FIELDS = Set.of("name", "version", "description", "categories");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final String name;
  private final String version;
  private final Map<String, List<String>> categories;
  private final TermPattern[] patterns;

  private PromptPolicy(String name, String version, Map<String, List<String>> categories) {
    this.name = name;
    this.version = version;
    this.categories = categories;
    List<TermPattern> compiled = new ArrayList<>();
    categories.forEach((category, terms) -> terms.forEach(term ->
        compiled.addAll(TermPattern.compile(category, term))));
    this.patterns = compiled.toArray(TermPattern[]::new);
  }

  /** The policy shipped in this module as {@value #DEFAULT_RESOURCE}. */
  public static PromptPolicy loadDefault() {
    try (InputStream in = PromptPolicy.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + DEFAULT_RESOURCE
            + " is missing: the kiln-safety-job jar is incomplete");
      }
      return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + DEFAULT_RESOURCE, e);
    }
  }

  /**
   * Reads a policy file.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it is not a valid policy; the message starts with the path
   */
  public static PromptPolicy load(Path path) throws IOException {
    String json = Files.readString(path, StandardCharsets.UTF_8);
    try {
      return fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses a policy.
   *
   * @throws IllegalArgumentException naming the offending field and what is expected
   */
  public static PromptPolicy fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      String at = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new IllegalArgumentException("prompt policy is not valid JSON: " + e.getOriginalMessage()
          + at, e);
    }
    if (root == null || !root.isObject()) {
      throw invalid("the top level", "a JSON object with fields name, version, categories", root);
    }
    for (Map.Entry<String, JsonNode> property : root.properties()) {
      String field = property.getKey();
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException("prompt policy: unknown field \"" + field
            + "\": expected only name, version, description, categories");
      }
    }
    String name = requireText(root, "name");
    String version = requireText(root, "version");
    JsonNode description = root.get("description");
    if (description != null && !description.isTextual()) {
      throw invalid("description", "a string", description);
    }
    JsonNode categoriesNode = root.get("categories");
    if (categoriesNode == null || !categoriesNode.isObject() || categoriesNode.isEmpty()) {
      throw invalid("categories", "an object with at least one category name -> array of terms",
          categoriesNode);
    }
    Map<String, List<String>> categories = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : categoriesNode.properties()) {
      String category = entry.getKey();
      String field = "categories." + category;
      if (!CATEGORY.matcher(category).matches()) {
        throw new IllegalArgumentException("prompt policy: field \"" + field
            + "\": category names must match " + CATEGORY.pattern());
      }
      JsonNode terms = entry.getValue();
      if (!terms.isArray() || terms.isEmpty()) {
        throw invalid(field, "a non-empty array of term strings", terms);
      }
      Set<String> list = new LinkedHashSet<>();
      for (int i = 0; i < terms.size(); i++) {
        JsonNode term = terms.get(i);
        String termField = field + "[" + i + "]";
        if (!term.isTextual()) {
          throw invalid(termField, "a term string", term);
        }
        try {
          TermPattern.compile(category, term.textValue());
        } catch (IllegalArgumentException e) {
          throw invalid(termField, e.getMessage().replaceFirst("^expected ", ""), term);
        }
        list.add(term.textValue());
      }
      categories.put(category, List.copyOf(list));
    }
    return new PromptPolicy(name, version, Collections.unmodifiableMap(categories));
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** Category name to terms, in policy order. */
  public Map<String, List<String>> categories() {
    return categories;
  }

  /**
   * Checks a prompt against the policy.
   *
   * @return the first match in prompt order (for matches at the same place, the first category
   *     and term in policy order), or empty when the prompt passes
   */
  public Optional<PolicyMatch> check(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    List<Fragment> fragments = PromptFragments.split(prompt);
    for (int start = 0; start < fragments.size(); start++) {
      boolean[][] states = new boolean[patterns.length][];
      for (int p = 0; p < patterns.length; p++) {
        states[p] = patterns[p].start();
      }
      int alive = patterns.length;
      int limit = Math.min(fragments.size(), start + MAX_FRAGMENTS_PER_MATCH);
      for (int end = start; end < limit && alive > 0; end++) {
        Fragment fragment = fragments.get(end);
        boolean joinable = end > start && (!fragment.spacedBefore()
            || fragment.isSingleCharacter() || fragments.get(end - 1).isSingleCharacter());
        for (int p = 0; p < patterns.length; p++) {
          if (states[p] == null) {
            continue;
          }
          if (end > start) {
            states[p] = patterns[p].crossBoundary(states[p], joinable);
          }
          for (int i = 0; i < fragment.positions().size() && states[p] != null; i++) {
            Position position = fragment.positions().get(i);
            states[p] = patterns[p].feed(states[p], position);
          }
          if (states[p] == null) {
            alive--;
          } else if (patterns[p].accepts(states[p])) {
            String text = prompt.substring(fragments.get(start).start(), fragment.end());
            return Optional.of(new PolicyMatch(patterns[p].category(), patterns[p].term(), text));
          }
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "PromptPolicy[" + name + " " + version + ", categories " + categories.keySet() + "]";
  }

  private static String requireText(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual() || node.textValue().isBlank()) {
      throw invalid(field, "a non-empty string", node);
    }
    return node.textValue();
  }

  private static IllegalArgumentException invalid(String field, String expected, JsonNode got) {
    String where = field.equals("the top level") ? field : "field \"" + field + "\"";
    String shown = got == null || got.isMissingNode() ? "nothing" : got.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "...";
    }
    return new IllegalArgumentException("prompt policy: " + where + ": expected " + expected
        + ", got " + shown);
  }
}
