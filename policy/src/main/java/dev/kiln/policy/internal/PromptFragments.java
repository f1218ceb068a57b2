package dev.kiln.policy.internal;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cuts a prompt into fragments, the units {@link TermPattern} matches against.
 *
 * <p>Every code point is folded first: NFKD, combining marks dropped, lower-cased
 * ({@link Locale#ROOT}). Format characters (zero-width space, soft hyphen) are dropped too, so
 * they neither join nor split words. The folded characters are then classed as
 * <ul>
 *   <li>letters and digits: fragment content;
 *   <li>leetspeak symbols ({@code @ $ ! | + € £ ¢ §}): fragment content that may stand for a letter
 *       or for nothing, so that {@code n@ked} and {@code naked!} both read as {@code naked};
 *   <li>whitespace: a spaced boundary between fragments;
 *   <li>anything else (punctuation, {@code * - _ . '}): a tight boundary between fragments.
 * </ul>
 *
 * <p>Each fragment character becomes a {@link Position}: the characters it may stand for. A digit
 * also stands for its leetspeak letters ({@code 1} for i or l, {@code 0} for o, ...) only in a
 * fragment that has a letter or is one character long, so plain numbers such as {@code 1920}
 * never read as words. A Cyrillic or Greek look-alike also stands for its Latin letter only in a
 * fragment that has a Latin letter, so mixed-script spoofing is caught and Russian text is not
 * re-read as English.
 */
public final class PromptFragments {
  private static final String LEET_SYMBOLS = "@$!|+€£¢§";
  private static final Map<Character, String> LEET = Map.ofEntries(
      Map.entry('0', "o"), Map.entry('1', "il"), Map.entry('2', "z"), Map.entry('3', "e"),
      Map.entry('4', "a"), Map.entry('5', "s"), Map.entry('6', "gb"), Map.entry('7', "t"),
      Map.entry('8', "b"), Map.entry('9', "g"),
      Map.entry('@', "a"), Map.entry('$', "s"), Map.entry('!', "i"), Map.entry('|', "il"),
      Map.entry('+', "t"), Map.entry('€', "e"), Map.entry('£', "l"), Map.entry('¢', "c"),
      Map.entry('§', "s"));
  private static final Map<Character, Character> CONFUSABLE = Map.ofEntries(
      // Cyrillic
      Map.entry('а', 'a'), Map.entry('в', 'b'), Map.entry('е', 'e'), Map.entry('і', 'i'),
      Map.entry('ј', 'j'), Map.entry('к', 'k'), Map.entry('о', 'o'), Map.entry('р', 'p'),
      Map.entry('с', 'c'), Map.entry('у', 'y'), Map.entry('х', 'x'), Map.entry('ѕ', 's'),
      Map.entry('ԁ', 'd'), Map.entry('һ', 'h'), Map.entry('ӏ', 'l'), Map.entry('ɡ', 'g'),
      // Greek
      Map.entry('α', 'a'), Map.entry('ε', 'e'), Map.entry('ι', 'i'), Map.entry('κ', 'k'),
      Map.entry('ν', 'v'), Map.entry('ο', 'o'), Map.entry('ρ', 'p'), Map.entry('τ', 't'),
      Map.entry('υ', 'u'), Map.entry('χ', 'x'));

  private PromptFragments() {}

  /** One character of a fragment: the characters it may stand for, and whether it may stand for none. */
  public record Position(String choices, boolean optional) implements Serializable {
    public boolean canBe(char c) {
      return choices.indexOf(c) >= 0;
    }
  }

  /**
   * A run of letters, digits and leetspeak symbols.
   *
   * @param start index in the original prompt of the fragment's first character
   * @param end index in the original prompt just after its last character
   * @param spacedBefore whether the boundary before it holds whitespace (not only punctuation)
   */
  public record Fragment(List<Position> positions, int start, int end, boolean spacedBefore) {
    public boolean isSingleCharacter() {
      return positions.size() == 1;
    }
  }

  /** The fragments of {@code text}, in order. */
  public static List<Fragment> split(String text) {
    List<Fragment> fragments = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int start = -1;
    int end = -1;
    boolean spaced = false;
    boolean spacedBeforeCurrent = false;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      int next = i + Character.charCount(codePoint);
      String folded = fold(codePoint);
      for (int k = 0; k < folded.length(); k++) {
        char c = folded.charAt(k);
        if (isContent(c)) {
          if (current.length() == 0) {
            start = i;
            spacedBeforeCurrent = spaced;
            spaced = false;
          }
          current.append(c);
          end = next;
        } else {
          if (current.length() > 0) {
            fragments.add(fragment(current, start, end, spacedBeforeCurrent));
            current.setLength(0);
          }
          spaced |= Character.isWhitespace(c) || Character.isSpaceChar(c);
        }
      }
      i = next;
    }
    if (current.length() > 0) {
      fragments.add(fragment(current, start, end, spacedBeforeCurrent));
    }
    return fragments;
  }

  /**
   * The folded form of one code point: NFKD, combining marks and format characters dropped,
   * lower-cased. Often one character, sometimes none ("\u0301") or several ("ﬁ").
   */
  public static String fold(int codePoint) {
    if (codePoint < 0x80) {
      return String.valueOf(Character.toLowerCase((char) codePoint));
    }
    String decomposed = Normalizer.normalize(Character.toString(codePoint), Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(decomposed.length());
    decomposed.codePoints()
        .filter(cp -> !isMark(cp) && Character.getType(cp) != Character.FORMAT)
        .forEach(out::appendCodePoint);
    return out.toString().toLowerCase(Locale.ROOT);
  }

  /** Whether a folded character is part of a word: a letter, a digit or a leetspeak symbol. */
  public static boolean isContent(char c) {
    return Character.isLetterOrDigit(c) || LEET_SYMBOLS.indexOf(c) >= 0;
  }

  private static boolean isMark(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  private static Fragment fragment(CharSequence chars, int start, int end, boolean spacedBefore) {
    boolean hasLetter = false;
    boolean hasLatin = false;
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      hasLetter |= Character.isLetter(c);
      hasLatin |= c >= 'a' && c <= 'z';
    }
    boolean leetDigits = hasLetter || chars.length() == 1;
    List<Position> positions = new ArrayList<>(chars.length());
    for (int i = 0; i < chars.length(); i++) {
      positions.add(position(chars.charAt(i), leetDigits, hasLatin));
    }
    return new Fragment(List.copyOf(positions), start, end, spacedBefore);
  }

  private static Position position(char c, boolean leetDigits, boolean confusables) {
    if (Character.isLetter(c)) {
      Character latin = confusables ? CONFUSABLE.get(c) : null;
      return new Position(latin == null ? String.valueOf(c) : "" + c + latin, false);
    }
    if (Character.isDigit(c)) {
      String letters = leetDigits ? LEET.get(c) : null;
      return new Position(letters == null ? String.valueOf(c) : c + letters, false);
    }
    return new Position(LEET.get(c), true);
  }
}
