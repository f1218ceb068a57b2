package dev.kiln.policy.internal;

import com.ibm.icu.lang.UScript;
import dev.kiln.policy.internal.PromptFragments.Position;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One policy term compiled into a small automaton over {@link Position}s.
 *
 * <p>The term is folded like a prompt and cut into words on anything that is not a letter or a
 * digit ("self-harm" and "self harm" are the same two words). Each word becomes runs of one
 * letter with a minimum count: "kill" is k×1 i×1 l×2. A candidate matches when it reads as the
 * same runs, each at least as long: "nuuude" matches "nude", but "as" does not match "ass". A
 * letter of the term outside ASCII also matches its ASCII look-alike, so a Cyrillic term typed
 * with Latin "o" and "a" still matches.
 *
 * <p>Where a match may begin and end:
 * <ul>
 *   <li>by default on fragment boundaries (whole words);
 *   <li>{@code nude*}: may end inside a fragment ("nudebeach", "nude2");
 *   <li>{@code *gore}: may begin inside a fragment;
 *   <li>{@code *nsfw*}, and every term written in a script without spaces between words (Han,
 *       Hiragana, Katakana, Hangul, Thai, Lao, Khmer, Myanmar): anywhere.
 * </ul>
 *
 * <p>A match is fed fragment by fragment. Between fragments the caller says whether the boundary
 * may join a word ({@link #crossBoundary(long, boolean) joinable}); a boundary that may not is only
 * crossed where the term itself has a word break.
 *
 * <p>The set of live states is one {@code long} (bit 0 is the state before the first letter, bit
 * n+1 the state after n letters), so matching allocates nothing; hence the limit of
 * {@value #MAX_LETTERS} letters a term. Immutable and thread-safe.
 */
public final class TermPattern implements Serializable {
  private static final long serialVersionUID = 2L;
  /** Longest term, in folded letters and digits; leaves room for a plural "es" in 64 states. */
  public static final int MAX_LETTERS = 60;
  private static final int[] UNSPACED_SCRIPTS = {UScript.HAN, UScript.HIRAGANA, UScript.KATAKANA,
      UScript.HANGUL, UScript.THAI, UScript.LAO, UScript.KHMER, UScript.MYANMAR};

  private final String category;
  private final String term;
  private final boolean startsInToken;
  private final boolean endsInToken;
  private final char[] runChar;
  private final char[] runAlike;
  private final int[] runMin;
  private final int[] runBase;
  private final int[] stateRun;
  private final int[] stateCount;
  private final long wordBreaks;
  private final long accepting;

  private TermPattern(String category, String term, List<String> words, boolean startsInToken,
      boolean endsInToken) {
    this.category = category;
    this.term = term;
    this.startsInToken = startsInToken;
    this.endsInToken = endsInToken;
    List<Character> chars = new ArrayList<>();
    List<Integer> mins = new ArrayList<>();
    List<Boolean> ends = new ArrayList<>();
    for (String word : words) {
      for (int i = 0; i < word.length(); i++) {
        char c = word.charAt(i);
        // Runs never span a word break, so "kill lots" keeps l×2 and l×1 apart.
        if (i > 0 && word.charAt(i - 1) == c) {
          mins.set(mins.size() - 1, mins.get(mins.size() - 1) + 1);
        } else {
          chars.add(c);
          mins.add(1);
          ends.add(false);
        }
      }
      ends.set(ends.size() - 1, true);
    }
    int runs = chars.size();
    runChar = new char[runs];
    runAlike = new char[runs];
    runMin = new int[runs];
    runBase = new int[runs];
    int states = 1;
    for (int r = 0; r < runs; r++) {
      runChar[r] = chars.get(r);
      runAlike[r] = runChar[r] < 128 || !Character.isLetter(runChar[r]) ? 0
          : PromptFragments.lookAlike(runChar[r]);
      runMin[r] = mins.get(r);
      runBase[r] = states;
      states += runMin[r];
    }
    stateRun = new int[states];
    stateCount = new int[states];
    long breaks = 0;
    for (int r = 0; r < runs; r++) {
      for (int count = 1; count <= runMin[r]; count++) {
        stateRun[runBase[r] + count - 1] = r;
        stateCount[runBase[r] + count - 1] = count;
      }
      if (ends.get(r) && r < runs - 1) {
        breaks |= 1L << (runBase[r] + runMin[r] - 1);
      }
    }
    wordBreaks = breaks;
    accepting = 1L << (runBase[runs - 1] + runMin[runs - 1] - 1);
  }

  /**
   * Compiles {@code term} into its patterns: the term itself and, unless it is written in a script
   * without spaces, its plurals with "s" and "es" on the last word.
   *
   * @throws IllegalArgumentException when the term has fewer than 2 or more than
   *     {@value #MAX_LETTERS} letters or digits, or a misplaced {@code *}
   */
  public static List<TermPattern> compile(String category, String term) {
    boolean startsInToken = term.startsWith("*");
    boolean endsInToken = term.length() > 1 && term.endsWith("*");
    String body = term.substring(startsInToken ? 1 : 0, term.length() - (endsInToken ? 1 : 0));
    if (body.indexOf('*') >= 0 || (!body.isEmpty()
        && ((startsInToken && !isWordChar(body.codePointAt(0)))
            || (endsInToken && !isWordChar(body.codePointBefore(body.length())))))) {
      throw new IllegalArgumentException("expected a term with '*' only directly before its first"
          + " or after its last letter");
    }
    List<String> words = words(body);
    int letters = words.stream().mapToInt(String::length).sum();
    if (letters < 2) {
      throw new IllegalArgumentException("expected a term with at least 2 letters or digits");
    }
    if (letters > MAX_LETTERS) {
      throw new IllegalArgumentException("expected a term with at most " + MAX_LETTERS
          + " letters or digits");
    }
    boolean unspaced = isUnspaced(body);
    List<TermPattern> patterns = new ArrayList<>(3);
    patterns.add(new TermPattern(category, body, words, startsInToken || unspaced,
        endsInToken || unspaced));
    // Also for "nude*": the plural ends on the word boundary, so "nudes" reports all of "nudes".
    if (!unspaced) {
      for (String suffix : List.of("s", "es")) {
        List<String> plural = new ArrayList<>(words);
        plural.set(plural.size() - 1, plural.get(plural.size() - 1) + suffix);
        patterns.add(new TermPattern(category, body, plural, startsInToken, false));
      }
    }
    return patterns;
  }

  /** The folded words of a term, e.g. ["self", "harm"] for "Self-Harm". */
  static List<String> words(String term) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    String folded = PromptFragments.fold(term);
    for (int i = 0; i < folded.length(); i++) {
      char c = folded.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        word.append(c);
      } else if (word.length() > 0) {
        words.add(word.toString());
        word.setLength(0);
      }
    }
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }

  private static boolean isWordChar(int codePoint) {
    return Character.isLetterOrDigit(codePoint);
  }

  private static boolean isUnspaced(String text) {
    return text.codePoints().anyMatch(cp -> {
      int script = UScript.getScript(cp);
      for (int unspaced : UNSPACED_SCRIPTS) {
        if (script == unspaced) {
          return true;
        }
      }
      return false;
    });
  }

  public String category() {
    return category;
  }

  /** The term as written in the policy, without its {@code *} markers. */
  public String term() {
    return term;
  }

  /** Whether a match may begin inside a fragment. */
  public boolean startsInToken() {
    return startsInToken;
  }

  /** Whether a match may end inside a fragment. */
  public boolean endsInToken() {
    return endsInToken;
  }

  /** The characters a match's first position may stand for (besides leetspeak that stands for none). */
  public char[] firstChars() {
    return runAlike[0] == 0 ? new char[] {runChar[0]} : new char[] {runChar[0], runAlike[0]};
  }

  /** The state set before the first position. */
  public long start() {
    return 1L;
  }

  /** The states after reading {@code position}; 0 when no state is left. */
  public long feed(long states, Position position) {
    long next = position.optional() ? states : 0L;
    int last = runChar.length - 1;
    for (long rest = states; rest != 0; rest &= rest - 1) {
      int s = Long.numberOfTrailingZeros(rest);
      if (s == 0) {
        if (canBe(position, 0)) {
          next |= 1L << runBase[0];
        }
        continue;
      }
      int r = stateRun[s];
      int count = stateCount[s];
      if (canBe(position, r)) {
        next |= 1L << (runBase[r] + Math.min(count + 1, runMin[r]) - 1);
      }
      if (count == runMin[r] && r < last && canBe(position, r + 1)) {
        next |= 1L << runBase[r + 1];
      }
    }
    return next;
  }

  /**
   * The states after a boundary between two fragments; 0 when no state is left. A match must start
   * within the first fragment it covers, so the initial state never survives a boundary.
   *
   * @param joinable whether the boundary may fall inside a word of the term
   */
  public long crossBoundary(long states, boolean joinable) {
    return states & (joinable ? ~1L : wordBreaks);
  }

  /** Whether the states include a complete reading of the term. */
  public boolean accepts(long states) {
    return (states & accepting) != 0;
  }

  private boolean canBe(Position position, int run) {
    return position.canBe(runChar[run]) || (runAlike[run] != 0 && position.canBe(runAlike[run]));
  }
}
