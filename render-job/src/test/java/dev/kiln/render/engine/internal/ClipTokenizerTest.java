package dev.kiln.render.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the Java tokenizer against models/kiln-tiny/train/tokenizer.py on kiln-tiny's vocabulary
 * (a copy in src/test/resources/tokenizer/kiln-tiny, so retraining the model cannot move the
 * fixtures). Expected ids were printed by
 * {@code cd models/kiln-tiny/train && /usr/bin/python3 ../../../render-job/src/test/resources/reference/tokenizer_reference.py ../tokenizer}.
 */
class ClipTokenizerTest {
  private static Path dir;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException, URISyntaxException {
    dir = Path.of(ClipTokenizerTest.class.getResource("/tokenizer/kiln-tiny/vocab.json").toURI()).getParent();
    tokenizer = ClipTokenizer.load(dir);
  }

  /** The ids up to and including eos, after checking the length and the padding behind them. */
  private static int[] encoded(String text) {
    int[] ids = tokenizer.encode(text);
    assertThat(ids).hasSize(77);
    int end = 0;
    while (ids[end] != tokenizer.eosId()) {
      end++;
    }
    for (int i = end + 1; i < ids.length; i++) {
      assertThat(ids[i]).as("pad at %d", i).isEqualTo(tokenizer.padId());
    }
    return Arrays.copyOf(ids, end + 1);
  }

  @Test
  void matchesPythonOnATrainingCaption() {
    assertThat(encoded("a large red circle on a blue background"))
        .containsExactly(644, 320, 535, 564, 549, 512, 320, 572, 521, 645);
  }

  @Test
  void matchesPythonOnCaseApostrophesDigitsAndPunctuation() {
    assertThat(encoded("A  Photo of Kiln's 2 REDDISH squares!")).containsExactly(
        644, 320, 594, 595, 74, 72, 75, 333, 6, 338, 273, 552, 67, 67, 72, 82, 327, 544, 68, 338, 256, 645);
    assertThat(encoded("it's they're we've i'm you'll he'd don't 42x")).containsExactly(
        644, 72, 339, 6, 338, 523, 68, 344, 6, 81, 324, 86, 324, 6, 85, 324, 328, 6, 332, 88, 78, 340, 6, 75, 331, 71,
        324, 6, 323, 67, 512, 6, 339, 275, 273, 343, 645);
  }

  @Test
  void matchesPythonOnEmptyPrompt() {
    assertThat(encoded("")).containsExactly(644, 645);
  }

  @Test
  void treatsPythonWhitespaceIncludingSeparatorControlsAsSpace() {
    // U+3000 (ideographic space) and U+001C (file separator) are whitespace to Python, U+001C not to Java's \s.
    assertThat(encoded("  multiple\t\nwhitespace\u3000and\u001cseps  ")).containsExactly(
        644, 76, 84, 75, 83, 72, 79, 522, 559, 68, 82, 79, 514, 324, 643, 82, 68, 79, 338, 645);
  }

  @Test
  void matchesPythonOnNonAsciiTextByteByByte() {
    // accents, long s and dotless i (letters to Python's case-insensitive [a-z]), Kelvin sign, CJK, an emoji
    assertThat(encoded("unicode: caf\u00e9 na\u00efve \u017ftra\u00dfe \u0131i \u212a \u65e5\u672c \ud83c\udfa8"))
        .containsExactly(644, 515, 72, 66, 78, 67, 324, 281, 66, 64, 325, 127, 358, 77, 320, 127, 363, 85, 324, 129, 123,
            83, 81, 320, 127, 509, 324, 128, 109, 328, 330, 162, 245, 98, 162, 250, 361, 172, 253, 236, 357, 645);
  }

  @Test
  void encodesSpecialTokenTextAsPlainText() {
    assertThat(encoded("<|startoftext|>hello<|endoftext|>")).containsExactly(644, 27, 91, 82, 83, 525, 542, 69, 83, 68,
        87, 83, 91, 285, 71, 68, 75, 75, 334, 27, 91, 68, 77, 67, 78, 69, 83, 68, 87, 83, 91, 285, 645);
  }

  @Test
  void truncatesLongPromptKeepingEosLast() {
    int[] ids = tokenizer.encode("red ".repeat(100));
    assertThat(ids).hasSize(77);
    assertThat(ids[0]).isEqualTo(644);
    assertThat(Arrays.copyOfRange(ids, 1, 76)).containsOnly(564);
    assertThat(ids[76]).isEqualTo(645);
  }

  @Test
  void appliesKnownMergesOfKilnTiny() {
    // merges.txt starts "o n</w>", ..., "kgr ound</w>": whole caption words become one symbol.
    assertThat(tokenizer.bpe("on")).containsExactly("on</w>");
    assertThat(tokenizer.bpe("background")).containsExactly("background</w>");
    assertThat(tokenizer.bpe("zq")).containsExactly("z", "q</w>");
  }

  @Test
  void mergesLowestRankFirstAndEveryOccurrenceOfThePair() {
    Map<String, Integer> vocab = new HashMap<>();
    for (String s : List.of("a", "b", "c", "a</w>", "b</w>", "c</w>", "ab", "bc</w>", "abab", "<s>", "</s>")) {
      vocab.put(s, vocab.size());
    }
    // "b c</w>" has rank 0, so "abc" merges b+c</w> before a+b; "abab" merges both "a b" pairs, then "ab ab".
    List<String[]> merges = List.of(new String[] {"b", "c</w>"}, new String[] {"a", "b"}, new String[] {"ab", "ab"});
    ClipTokenizer t = new ClipTokenizer(vocab, merges, new ClipTokenizer.SpecialTokens("<s>", "</s>", "</s>", null), 8);
    assertThat(t.bpe("abc")).containsExactly("a", "bc</w>");
    assertThat(t.bpe("ababa")).containsExactly("abab", "a</w>");
    assertThat(t.encode("abc")).containsExactly(9, 0, 7, 10, 10, 10, 10, 10);
  }

  @Test
  void padsWithThePadTokenOfTheConfigLikeStableDiffusionTwo(@TempDir Path tmp) throws IOException {
    for (String f : List.of("vocab.json", "merges.txt", "special_tokens_map.json")) {
      Files.copy(dir.resolve(f), tmp.resolve(f));
    }
    Files.writeString(tmp.resolve("tokenizer_config.json"),
        "{\"model_max_length\": 77, \"pad_token\": {\"content\": \"!\", \"lstrip\": false}}");
    Files.writeString(tmp.resolve("special_tokens_map.json"),
        "{\"bos_token\": \"<|startoftext|>\", \"eos_token\": \"<|endoftext|>\", \"pad_token\": \"!\"}");
    ClipTokenizer sd2 = ClipTokenizer.load(tmp);
    int[] ids = sd2.encode("a red circle");
    assertThat(ids[4]).isEqualTo(645);
    assertThat(Arrays.copyOfRange(ids, 5, 77)).containsOnly(0);
  }

  @Test
  void rejectsSpecialTokenMissingFromVocabularyNamingIt() {
    assertThatThrownBy(() -> new ClipTokenizer(Map.of("a", 0), List.of(),
        new ClipTokenizer.SpecialTokens("<s>", "a", "a", null), 77))
        .hasMessage("bos_token '<s>' is not in vocab.json");
  }
}
