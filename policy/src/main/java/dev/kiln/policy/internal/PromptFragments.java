package dev.kiln.policy.internal;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt cut into fragments, the units {@link TermPattern} matches against.
 *
 * <h2>Folding</h2>
 *
 * The prompt is folded one normalisation segment (a character and the marks on it) at a time:
 * <ol>
 *   <li>NFKC_Casefold (ICU): full-width and mathematical letters become plain ones, case is
 *       folded, and default-ignorable code points vanish: zero-width characters, variation
 *       selectors, soft hyphen and the Hangul fillers U+3164, U+115F, U+1160, U+FFA0. A vanished
 *       character neither joins nor splits words.
 *   <li>Combining marks are dropped ("ñ" reads as "n"); Hangul syllables stay whole.
 * </ol>
 *
 * <h2>Fragments and positions</h2>
 *
 * The folded characters are classed as letters and digits (fragment content), leetspeak symbols
 * ({@code @ $ ! | + € £ ¢ §}: content that may stand for a letter or for nothing, so that
 * {@code n@ked} and {@code naked!} both read as {@code naked}), whitespace (a spaced boundary) or
 * anything else (a tight boundary).
 *
 * <p>Each fragment character becomes a {@link Position}: the characters it may stand for. A digit
 * also stands for its leetspeak letters ({@code 1} for i or l, ...) only in a fragment that has a
 * letter or is one character long, so plain numbers such as {@code 1920} never read as words. A
 * letter outside ASCII also stands for its ASCII {@linkplain #lookAlike(char) look-alike}, in any
 * script context: "ηυԁе" reads as "nude", and the Cyrillic "голая" still reads as itself.
 *
 * <p>Folding is hand-written around ICU because a match must report the prompt text as the user
 * wrote it, so every folded character keeps the range of the prompt it came from; ICU's
 * whole-string normalisers and skeletons do not keep that map. Results for single BMP code points
 * are cached in fixed tables, so a prompt of cached characters folds without allocating per
 * character.
 */
public final class PromptFragments {
  private static final String LEET_SYMBOLS = "@$!|+€£¢§";
  private static final Map<Character, Position> LEET_POSITIONS;
  private static final Position[] ASCII = new Position[128];
  private static final Position[] DIGIT_AS_LETTERS = new Position[10];
  private static final Map<Character, String> LEET = Map.ofEntries(
      Map.entry('0', "o"), Map.entry('1', "il"), Map.entry('2', "z"), Map.entry('3', "e"),
      Map.entry('4', "a"), Map.entry('5', "s"), Map.entry('6', "gb"), Map.entry('7', "t"),
      Map.entry('8', "b"), Map.entry('9', "g"),
      Map.entry('@', "a"), Map.entry('$', "s"), Map.entry('!', "i"), Map.entry('|', "il"),
      Map.entry('+', "t"), Map.entry('€', "e"), Map.entry('£', "l"), Map.entry('¢', "c"),
      Map.entry('§', "s"));

  private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
  private static final Normalizer2 NFD = Normalizer2.getNFDInstance();
  private static final Normalizer2 NFC = Normalizer2.getNFCInstance();
  /** Immutable once built, so one instance serves every thread. */
  private static final SpoofChecker SKELETONS = new SpoofChecker.Builder().build();
  private static final Pattern SMALL_CAPITAL = Pattern.compile("LATIN LETTER SMALL CAPITAL ([A-Z])");
  /**
   * UTS #39 prototypes that are Latin letters outside ASCII but read as an ASCII letter in running
   * text: kra is the prototype of Cyrillic "к" and Greek "κ", c-with-bar that of Greek "ε".
   */
  private static final Map<Character, Character> PROTOTYPE_READS_AS = Map.of('ĸ', 'k', 'ꞓ', 'e');
  /** Multi-letter skeletons of ASCII letters ("m" has the skeleton "rn"), back to the letter. */
  private static final Map<String, Character> ASCII_SKELETONS;

  /** Folded form of single BMP code points, filled on first use; a race only repeats the work. */
  private static final String[] FOLDED = new String[0x10000];
  /** Positions of non-ASCII BMP letters, filled on first use. */
  private static final Position[] LETTERS = new Position[0x10000];

  static {
    Map<Character, Position> leet = new HashMap<>();
    for (char c : LEET_SYMBOLS.toCharArray()) {
      leet.put(c, new Position(LEET.get(c), true));
    }
    LEET_POSITIONS = Map.copyOf(leet);
    for (char c = 0; c < 128; c++) {
      ASCII[c] = LEET_POSITIONS.getOrDefault(c, new Position(String.valueOf(c), false));
    }
    for (char c = '0'; c <= '9'; c++) {
      DIGIT_AS_LETTERS[c - '0'] = new Position(c + LEET.get(c), false);
    }
    Map<String, Character> skeletons = new HashMap<>();
    for (char c = 'a'; c <= 'z'; c++) {
      String skeleton = SKELETONS.getSkeleton(String.valueOf(c));
      if (skeleton.length() > 1) {
        skeletons.put(skeleton, c);
      }
    }
    ASCII_SKELETONS = Map.copyOf(skeletons);
  }

  /** One character of a fragment: the characters it may stand for, and whether it may stand for none. */
  public record Position(String choices, boolean optional) {
    public boolean canBe(char c) {
      return choices.indexOf(c) >= 0;
    }
  }

  private final String text;
  private Position[] positions = new Position[32];
  private char[] chars = new char[32];
  private int[] sourceStart = new int[32];
  private int[] sourceEnd = new int[32];
  private int size;
  private int[] fragmentFrom = new int[8];
  private boolean[] spacedBefore = new boolean[8];
  private int fragments;

  private PromptFragments(String text) {
    this.text = text;
  }

  /** The fragments of {@code text}, in order. */
  public static PromptFragments split(String text) {
    PromptFragments split = new PromptFragments(text);
    split.run();
    return split;
  }

  /** Number of fragments. */
  public int fragmentCount() {
    return fragments;
  }

  /** Index of the fragment's first position. */
  public int from(int fragment) {
    return fragmentFrom[fragment];
  }

  /** Index just after the fragment's last position. */
  public int to(int fragment) {
    return fragment + 1 < fragments ? fragmentFrom[fragment + 1] : size;
  }

  /** Whether the boundary before the fragment holds whitespace (not only punctuation). */
  public boolean spacedBefore(int fragment) {
    return spacedBefore[fragment];
  }

  public boolean isSingleCharacter(int fragment) {
    return to(fragment) - from(fragment) == 1;
  }

  public Position position(int index) {
    return positions[index];
  }

  /** Index in the prompt of the first character the position was folded from. */
  public int sourceStart(int index) {
    return sourceStart[index];
  }

  /** Index in the prompt just after the characters the position was folded from. */
  public int sourceEnd(int index) {
    return sourceEnd[index];
  }

  private void run() {
    boolean spaced = false;
    int fragmentStart = -1;
    int length = text.length();
    for (int i = 0; i < length; ) {
      char first = text.charAt(i);
      int next;
      String folded = null;
      char ascii = 0;
      if (first < 0x80 && (i + 1 == length || text.charAt(i + 1) < 0x80)) {
        next = i + 1;
        ascii = first >= 'A' && first <= 'Z' ? (char) (first + ('a' - 'A')) : first;
      } else {
        next = i + Character.charCount(text.codePointAt(i));
        while (next < length && !NFKC_CASEFOLD.hasBoundaryBefore(text.codePointAt(next))) {
          next += Character.charCount(text.codePointAt(next));
        }
        folded = fold(text, i, next);
      }
      int count = folded == null ? 1 : folded.length();
      for (int k = 0; k < count; k++) {
        char c = folded == null ? ascii : folded.charAt(k);
        if (isContent(c)) {
          if (fragmentStart < 0) {
            fragmentStart = size;
            startFragment(spaced);
            spaced = false;
          }
          add(c, i, next);
        } else {
          if (fragmentStart >= 0) {
            closeFragment(fragmentStart);
            fragmentStart = -1;
          }
          spaced |= Character.isWhitespace(c) || Character.isSpaceChar(c);
        }
      }
      i = next;
    }
    if (fragmentStart >= 0) {
      closeFragment(fragmentStart);
    }
  }

  private void startFragment(boolean spaced) {
    if (fragments == fragmentFrom.length) {
      fragmentFrom = Arrays.copyOf(fragmentFrom, fragments * 2);
      spacedBefore = Arrays.copyOf(spacedBefore, fragments * 2);
    }
    fragmentFrom[fragments] = size;
    spacedBefore[fragments] = spaced;
    fragments++;
  }

  /** Adds a character as a provisional position; {@link #closeFragment} settles digits. */
  private void add(char c, int start, int end) {
    if (size == positions.length) {
      positions = Arrays.copyOf(positions, size * 2);
      chars = Arrays.copyOf(chars, size * 2);
      sourceStart = Arrays.copyOf(sourceStart, size * 2);
      sourceEnd = Arrays.copyOf(sourceEnd, size * 2);
    }
    Position position;
    if (c < 128) {
      position = ASCII[c];
    } else if (Character.isLetter(c)) {
      position = letter(c);
    } else {
      position = LEET_POSITIONS.get(c);
      position = position != null ? position : new Position(String.valueOf(c), false);
    }
    chars[size] = c;
    positions[size] = position;
    sourceStart[size] = start;
    sourceEnd[size] = end;
    size++;
  }

  private void closeFragment(int from) {
    boolean leetDigits = size - from == 1;
    for (int i = from; i < size && !leetDigits; i++) {
      leetDigits = Character.isLetter(chars[i]);
    }
    if (!leetDigits) {
      return;
    }
    for (int i = from; i < size; i++) {
      char c = chars[i];
      if (c >= '0' && c <= '9') {
        positions[i] = DIGIT_AS_LETTERS[c - '0'];
      }
    }
  }

  private static Position letter(char c) {
    Position cached = LETTERS[c];
    if (cached == null) {
      char alike = lookAlike(c);
      cached = new Position(alike == 0 ? String.valueOf(c) : "" + c + alike, false);
      LETTERS[c] = cached;
    }
    return cached;
  }

  /** The folded form of {@code text}: NFKC_Casefold, then combining marks dropped. */
  public static String fold(CharSequence text) {
    return fold(text, 0, text.length());
  }

  private static String fold(CharSequence text, int start, int end) {
    if (start == end) {
      return "";
    }
    int codePoint = Character.codePointAt(text, start);
    boolean single = Character.charCount(codePoint) == end - start && codePoint < 0x10000;
    if (single && FOLDED[codePoint] != null) {
      return FOLDED[codePoint];
    }
    String normalized = NFKC_CASEFOLD.normalize(text.subSequence(start, end));
    String decomposed = NFD.normalize(normalized);
    StringBuilder out = new StringBuilder(decomposed.length());
    for (int i = 0; i < decomposed.length(); ) {
      int cp = decomposed.codePointAt(i);
      if (!isMark(cp)) {
        out.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    // Recomposes Hangul syllables; the Latin marks it could recompose with are gone.
    String folded = NFC.normalize(out);
    if (single) {
      FOLDED[codePoint] = folded;
    }
    return folded;
  }

  /**
   * The ASCII letter a folded non-ASCII letter looks like, or 0. From Unicode's confusables data:
   * the letter's UTS #39 skeleton (ICU's {@link SpoofChecker#getSkeleton}), folded, when that is
   * one ASCII letter ("ո" and "η" read as "n") or the skeleton of one ("rn" of "m"). The
   * confusables data maps most small capitals to themselves, so "LATIN LETTER SMALL CAPITAL N"
   * (from the Unicode name) reads as "n"; and two prototypes read as ASCII letters, see
   * {@link #PROTOTYPE_READS_AS}.
   */
  static char lookAlike(char c) {
    String skeleton = fold(SKELETONS.getSkeleton(String.valueOf(c)));
    if (skeleton.length() == 1) {
      char s = skeleton.charAt(0);
      if (s >= 'a' && s <= 'z') {
        return s;
      }
      char named = smallCapital(c);
      if (named == 0) {
        named = smallCapital(s);
      }
      if (named != 0) {
        return named;
      }
      return PROTOTYPE_READS_AS.getOrDefault(s, (char) 0);
    }
    return ASCII_SKELETONS.getOrDefault(skeleton, (char) 0);
  }

  private static char smallCapital(char c) {
    String name = UCharacter.getName(c);
    Matcher m = name == null ? null : SMALL_CAPITAL.matcher(name);
    return m != null && m.matches() ? Character.toLowerCase(m.group(1).charAt(0)) : 0;
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
}
