package dev.kiln.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.policy.internal.PromptFragments;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
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
 * {"name": "default", "version": "2026-12-05", "description": "optional",
 *  "categories": {"sexual": ["nude*", "naked", "*nsfw*", "裸体"], "self-harm": ["self harm"]}}
 * }</pre>
 *
 * Category names match {@code [A-Za-z0-9._-]{1,64}}. A term is one or more words; it needs 2 to
 * 60 letters or digits. A {@code *} may only mark its start or end
 * (see Matching). Any other field, or a value of the wrong type, is an
 * {@link IllegalArgumentException} naming the field (e.g. {@code categories.hate[2]}) and what is
 * expected.
 *
 * <h2>Matching</h2>
 *
 * Matching is by whole words unless a term says otherwise, so "therapist" does not contain
 * "rapist" and "classic" does not contain "ass".
 * <ol>
 *   <li><b>Fold.</b> NFKC_Casefold, which also removes default-ignorable code points (zero-width
 *       characters, variation selectors, the Hangul fillers U+3164, U+115F, U+1160, U+FFA0);
 *       combining marks are dropped. "Ñ" reads as "n", full-width "ｎ" and bold "𝐧" as "n".
 *   <li><b>Look-alikes.</b> A letter outside ASCII also reads as the ASCII letter of its UTS #39
 *       skeleton (Unicode's confusables data, via ICU): "ո", "η", Lisu "ꓠ" read as "n", in any
 *       script context, so "ηυԁе" reads as "nude"; small capitals read as their letter. The
 *       letter also keeps its own reading, so Russian and Greek terms still match.
 *   <li><b>Fragments.</b> The prompt is cut into fragments of letters, digits and leetspeak
 *       symbols ({@code @ $ ! | + € £ ¢ §}); whitespace and other punctuation separate fragments.
 *   <li><b>Leetspeak.</b> {@code 0}=o, {@code 1}=i or l, {@code 3}=e, {@code 4}=a, {@code 5}=s,
 *       {@code 7}=t, {@code 8}=b, {@code @}=a, {@code $}=s, ... A leetspeak symbol may also stand
 *       for nothing ("naked!"). Digits are read as letters only in a fragment that has a letter or
 *       is one character long, so "1920" stays a number. Every reading is tried at once.
 *   <li><b>Repeated letters.</b> A letter repeated in the prompt matches the same letter in the
 *       term ("nuuude" matches "nude"), but never fewer ("as" does not match "ass").
 *   <li><b>Joins.</b> Consecutive fragments are joined into one word when only punctuation
 *       separates them ("n.u.d.e", "self-harm") or when one side of the whitespace is a single
 *       character ("n u d e", "n ude"). Two longer fragments separated by whitespace are joined
 *       only where the term itself has a word break ("kill yourself"), so "nu de" is not read as
 *       "nude": that is the price of not reading "let's go re-paint" as "gore".
 *   <li><b>Inside words.</b> {@code nude*} may end inside a fragment ("nudebeach", "nude2"),
 *       {@code *gore} may begin inside one, {@code *nsfw*} both ("#nsfwart"). A term in a script
 *       written without spaces (Chinese, Japanese, Korean, Thai, ...) matches anywhere. Only short
 *       stems that no harmless word contains should be marked: "denude" contains "nude", "Sussex"
 *       contains "sex".
 *   <li><b>Plurals.</b> "s" and "es" may follow the last word of a term ("nudes").
 * </ol>
 *
 * <h2>Known limits</h2>
 *
 * A word list cannot see meaning. "nude-coloured lipstick" is flagged, because "nude" is a whole
 * word there; we prefer a rejected lipstick (the user can write "beige") over an allow list that
 * would also let "a nude-coloured woman" through. Derived words that are not plurals ("nudist")
 * pass unless listed. Masked letters ("n*de") are not guessed. Look-alikes map one character to
 * one letter, so a look-alike of two letters in one glyph is not read.
 *
 * <h2>Cost</h2>
 *
 * A check allocates a few arrays per prompt, not per character or per term: folding results are
 * cached per code point, and each term's automaton keeps its states in one {@code long}. On the
 * shipped policy a typical prompt costs about 10 µs ({@code PromptPolicyCost} in the tests).
 *
 * <p>Immutable, thread-safe and {@link Serializable}, so a Flink function may hold one as a field.
 */
public final class PromptPolicy implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Classpath location of the shipped default policy. */
  public static final String DEFAULT_RESOURCE = "policy/prompt-policy.json";

  /** Longest run of fragments one match may cover; bounds the work on hostile prompts. */
  static final int MAX_FRAGMENTS_PER_MATCH = 64;
  /**
   * Longest run of folded characters one match may cover. Matches may start inside a fragment, so
   * without it a long run of one letter would cost its length squared.
   */
  static final int MAX_POSITIONS_PER_MATCH = 256;

  private static final Pattern CATEGORY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> FIELDS = Set.of("name", "version", "description", "categories");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final String name;
  private final String version;
  private final Map<String, List<String>> categories;
  private final TermPattern[] patterns;
  /** Bit p set: pattern p. Every pattern, and the patterns that may start inside a fragment. */
  private final long[] allPatterns;
  private final long[] inTokenPatterns;
  /** The patterns whose first position may be a character. */
  private final HashMap<Character, long[]> byFirstChar = new HashMap<>();

  private PromptPolicy(String name, String version, Map<String, List<String>> categories) {
    this.name = name;
    this.version = version;
    this.categories = categories;
    List<TermPattern> compiled = new ArrayList<>();
    categories.forEach((category, terms) -> terms.forEach(term ->
        compiled.addAll(TermPattern.compile(category, term))));
    this.patterns = compiled.toArray(TermPattern[]::new);
    int words = (patterns.length + 63) / 64;
    allPatterns = new long[words];
    inTokenPatterns = new long[words];
    for (int p = 0; p < patterns.length; p++) {
      long bit = 1L << (p % 64);
      allPatterns[p / 64] |= bit;
      if (patterns[p].startsInToken()) {
        inTokenPatterns[p / 64] |= bit;
      }
      for (char c : patterns[p].firstChars()) {
        byFirstChar.computeIfAbsent(c, k -> new long[words])[p / 64] |= bit;
      }
    }
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
   * @return the match that starts first in the prompt (of matches starting at the same place, the
   *     longest; of those, the first category and term in policy order), or empty when the prompt
   *     passes
   */
  public Optional<PolicyMatch> check(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    PromptFragments text = PromptFragments.split(prompt);
    long[] candidates = new long[allPatterns.length];
    for (int f = 0; f < text.fragmentCount(); f++) {
      for (int i = text.from(f); i < text.to(f); i++) {
        candidates(text.position(i), i == text.from(f) ? allPatterns : inTokenPatterns, candidates);
        int best = -1;
        int bestEnd = -1;
        for (int word = 0; word < candidates.length; word++) {
          for (long bits = candidates[word]; bits != 0; bits &= bits - 1) {
            int p = word * 64 + Long.numberOfTrailingZeros(bits);
            int end = longestMatch(patterns[p], text, f, i);
            if (end > bestEnd) {
              best = p;
              bestEnd = end;
            }
          }
        }
        if (best >= 0) {
          String matched = prompt.substring(text.sourceStart(i), text.sourceEnd(bestEnd));
          return Optional.of(new PolicyMatch(patterns[best].category(), patterns[best].term(), matched));
        }
      }
    }
    return Optional.empty();
  }

  /** Sets {@code out} to the patterns of {@code allowed} that may start at {@code position}. */
  private void candidates(Position position, long[] allowed, long[] out) {
    if (position.optional()) {
      System.arraycopy(allowed, 0, out, 0, out.length);
      return;
    }
    Arrays.fill(out, 0L);
    String choices = position.choices();
    for (int k = 0; k < choices.length(); k++) {
      long[] starting = byFirstChar.get(choices.charAt(k));
      if (starting != null) {
        for (int w = 0; w < out.length; w++) {
          out[w] |= starting[w] & allowed[w];
        }
      }
    }
  }

  /**
   * The index of the last position of the longest match of {@code pattern} that starts at position
   * {@code start} of fragment {@code fragment}, or -1.
   */
  private static int longestMatch(TermPattern pattern, PromptFragments text, int fragment, int start) {
    long states = pattern.start();
    int last = -1;
    int positionLimit = start + MAX_POSITIONS_PER_MATCH;
    int fragmentLimit = Math.min(text.fragmentCount(), fragment + MAX_FRAGMENTS_PER_MATCH);
    for (int f = fragment; f < fragmentLimit; f++) {
      if (f > fragment) {
        boolean joinable = !text.spacedBefore(f) || text.isSingleCharacter(f)
            || text.isSingleCharacter(f - 1);
        states = pattern.crossBoundary(states, joinable);
        if (states == 0) {
          return last;
        }
      }
      int to = text.to(f);
      for (int i = f == fragment ? start : text.from(f); i < to; i++) {
        if (i >= positionLimit) {
          return last;
        }
        states = pattern.feed(states, text.position(i));
        if (states == 0) {
          return last;
        }
        if (pattern.endsInToken() && pattern.accepts(states)) {
          last = i;
        }
      }
      if (pattern.accepts(states)) {
        last = to - 1;
      }
    }
    return last;
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
