package dev.kiln.policy.internal;

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
 * same runs, each at least as long: "nuuude" matches "nude", but "as" does not match "ass".
 *
 * <p>A match is fed fragment by fragment. Between fragments the caller says whether the boundary
 * may join a word ({@link #crossBoundary(boolean[], boolean) joinable}); a boundary that may not
 * is only crossed where the term itself has a word break.
 *
 * <p>Immutable and thread-safe; the state arrays belong to the caller.
 */
public final class TermPattern implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int INITIAL = 0;

  private final String category;
  private final String term;
  private final char[] runChar;
  private final int[] runMin;
  private final boolean[] wordEnd;
  private final int[] stateRun;
  private final int[] stateCount;
  private final int[] runBase;

  private TermPattern(String category, String term, List<String> words) {
    this.category = category;
    this.term = term;
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
    runMin = new int[runs];
    wordEnd = new boolean[runs];
    runBase = new int[runs];
    int states = 1;
    for (int r = 0; r < runs; r++) {
      runChar[r] = chars.get(r);
      runMin[r] = mins.get(r);
      wordEnd[r] = ends.get(r);
      runBase[r] = states;
      states += runMin[r];
    }
    stateRun = new int[states];
    stateCount = new int[states];
    for (int r = 0; r < runs; r++) {
      for (int count = 1; count <= runMin[r]; count++) {
        stateRun[runBase[r] + count - 1] = r;
        stateCount[runBase[r] + count - 1] = count;
      }
    }
  }

  /**
   * Compiles {@code term} into its patterns: the term itself and its plurals with "s" and "es"
   * on the last word.
   *
   * @throws IllegalArgumentException when the term has fewer than two letters or digits
   */
  public static List<TermPattern> compile(String category, String term) {
    List<String> words = words(term);
    int letters = words.stream().mapToInt(String::length).sum();
    if (letters < 2) {
      throw new IllegalArgumentException("expected a term with at least 2 letters or digits");
    }
    List<TermPattern> patterns = new ArrayList<>(3);
    patterns.add(new TermPattern(category, term, words));
    for (String suffix : List.of("s", "es")) {
      List<String> plural = new ArrayList<>(words);
      plural.set(plural.size() - 1, plural.get(plural.size() - 1) + suffix);
      patterns.add(new TermPattern(category, term, plural));
    }
    return patterns;
  }

  /** The folded words of a term, e.g. ["self", "harm"] for "Self-Harm". */
  static List<String> words(String term) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    term.codePoints().forEach(cp -> {
      String folded = PromptFragments.fold(cp);
      for (int i = 0; i < folded.length(); i++) {
        char c = folded.charAt(i);
        if (Character.isLetterOrDigit(c)) {
          word.append(c);
        } else if (word.length() > 0) {
          words.add(word.toString());
          word.setLength(0);
        }
      }
    });
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }

  public String category() {
    return category;
  }

  /** The term as written in the policy. */
  public String term() {
    return term;
  }

  /** A fresh state set, before the first position. */
  public boolean[] start() {
    boolean[] states = new boolean[stateRun.length];
    states[INITIAL] = true;
    return states;
  }

  /** The states after reading {@code position}; {@code null} when no state is left. */
  public boolean[] feed(boolean[] states, Position position) {
    boolean[] next = new boolean[states.length];
    boolean any = false;
    int last = runChar.length - 1;
    for (int s = 0; s < states.length; s++) {
      if (!states[s]) {
        continue;
      }
      if (position.optional()) {
        next[s] = true;
        any = true;
      }
      if (s == INITIAL) {
        if (position.canBe(runChar[0])) {
          next[runBase[0]] = true;
          any = true;
        }
        continue;
      }
      int r = stateRun[s];
      int count = stateCount[s];
      if (position.canBe(runChar[r])) {
        next[runBase[r] + Math.min(count + 1, runMin[r]) - 1] = true;
        any = true;
      }
      if (count == runMin[r] && r < last && position.canBe(runChar[r + 1])) {
        next[runBase[r + 1]] = true;
        any = true;
      }
    }
    return any ? next : null;
  }

  /**
   * The states after a boundary between two fragments; {@code null} when no state is left. A match
   * must start with the first fragment it covers, so the initial state never survives a boundary.
   *
   * @param joinable whether the boundary may fall inside a word of the term
   */
  public boolean[] crossBoundary(boolean[] states, boolean joinable) {
    boolean[] next = new boolean[states.length];
    boolean any = false;
    for (int s = 1; s < states.length; s++) {
      if (states[s] && (joinable || isWordBreak(s))) {
        next[s] = true;
        any = true;
      }
    }
    return any ? next : null;
  }

  /** Whether the states include a complete reading of the term. */
  public boolean accepts(boolean[] states) {
    int last = runChar.length - 1;
    return states[runBase[last] + runMin[last] - 1];
  }

  private boolean isWordBreak(int state) {
    int r = stateRun[state];
    return stateCount[state] == runMin[r] && wordEnd[r] && r < runChar.length - 1;
  }
}
