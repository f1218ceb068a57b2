package dev.kiln.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PromptPolicyTest {
  private static final PromptPolicy DEFAULT = PromptPolicy.loadDefault();

  private static PromptPolicy policy(String categoriesJson) {
    return PromptPolicy.fromJson("{\"name\": \"test\", \"version\": \"1\", \"categories\": "
        + categoriesJson + "}");
  }

  @Test
  void defaultPolicyHasNameVersionAndTheFourCategories() {
    assertThat(DEFAULT.name()).isEqualTo("default");
    assertThat(DEFAULT.version()).isEqualTo("2026-12-05");
    assertThat(DEFAULT.categories()).containsOnlyKeys("sexual", "violence", "hate", "self-harm");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "n u d e", "nud3", "ñude", "N.U.D.E", "nuuude", "n-u-d-e", "n_u_d_e", "NÚDE",
      "ｎｕｄｅ", "nudе" /* Cyrillic е */, "nu\u200Bde" /* zero-width space */, "n\u0301ude",
      "nudes", "nude!", "N U D 3", "n. u. d. e"})
  void catchesObfuscatedNudeAsSexual(String obfuscated) {
    assertThat(DEFAULT.check("a portrait, " + obfuscated + ", studio light"))
        .hasValueSatisfying(match -> {
          assertThat(match.category()).isEqualTo("sexual");
          assertThat(match.term()).isEqualTo("nude");
          assertThat(match.matchedText()).isEqualTo(obfuscated);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a n@ked man on a beach       | sexual    | naked         | n@ked",
      "a p0rn0 poster               | sexual    | porno         | p0rn0",
      "a g0ry scene                 | violence  | gory          | g0ry",
      "a be-head-ing                | violence  | beheading     | be-head-ing",
      "blood  and   gore            | violence  | blood and gore | blood  and   gore",
      "how to s e l f - h a r m     | self-harm | self harm     | s e l f - h a r m",
      "a note saying k1ll y0urself  | self-harm | kill yourself | k1ll y0urself",
      "selfharm                     | self-harm | self harm     | selfharm",
      "a crowd doing a nazi salute  | hate      | nazi salute   | nazi salute",
      "K K K rally                  | hate      | kkk           | K K K"})
  void catchesTermsInTheirCategoryAndReportsTheTextAsWritten(
      String prompt, String category, String term, String matchedText) {
    assertThat(DEFAULT.check(prompt)).contains(new PolicyMatch(category, term, matchedText));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a large red circle on a blue background",
      "nudge the red ball",
      "a snake on a blue background",
      "classic car",
      "the therapist's office",
      "denude the hillside of trees",
      "a waterproof Gore-Tex jacket, 1080 x 1920, 4k",
      "Essex countryside at dawn, Sussex downs",
      "a bass guitar in a glass case",
      "5 x 3 grid of tiles",
      "a selfie in a hall of mirrors",
      "Шкатулка на столе"})
  void letsHarmlessPromptsPass(String prompt) {
    assertThat(DEFAULT.check(prompt)).isEmpty();
  }

  /** Issue 14, finding 13: each of these passed the policy of 2026-11-22. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nudebeach          | sexual",
      "#nsfwart           | sexual",
      "nude2              | sexual",
      "n\u3164ude         | sexual",
      "n \u3164ude        | sexual",
      "n\uFFA0u\u115Fd\u1160e | sexual",
      "nu\uFE0Fde         | sexual",
      "\u0274\u1D1C\u1D05\u1D07 | sexual",
      "\u0578ude          | sexual",
      "\u03B7\u03C5\u0501\u0435 | sexual",
      "desnuda            | sexual",
      "nackt              | sexual",
      "\u0433\u043E\u043B\u0430\u044F | sexual",
      "\u88F8\u4F53       | sexual"})
  void catchesTheBypassesOfIssue14(String bypass, String category) {
    assertThat(DEFAULT.check("a portrait, " + bypass + ", studio light"))
        .map(PolicyMatch::category).contains(category);
  }

  @Test
  void catchesAWordInsideChineseTextWithoutSpaces() {
    assertThat(DEFAULT.check("\u4E00\u4E2A\u88F8\u4F53\u7684\u5973\u4EBA"))
        .contains(new PolicyMatch("sexual", "\u88F8\u4F53", "\u88F8\u4F53"));
  }

  /**
   * Lisu, Armenian and Cherokee letters are in no hand-written list and NFKC leaves them alone; only
   * Unicode's confusables data (UTS #39 skeletons, from ICU) reads them as "nude". (Mathematical bold
   * is NFKC's job; it is here so that the two steps are tested together.)
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "\uA4E0\uA4F4\uA4D3\uA4F0" /* Lisu */, "\u0578\u057D\u13A0\u13AC" /* Armenian, Cherokee */,
      "\uD835\uDC27\uD835\uDC2E\uD835\uDC1D\uD835\uDC1E" /* mathematical bold */})
  void readsLookAlikesWithUnicodesConfusablesData(String lookAlike) {
    assertThat(DEFAULT.check("a " + lookAlike + " figure"))
        .contains(new PolicyMatch("sexual", "nude", lookAlike));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "una mujer desnuda en la playa           | sexual    | desnuda",
      "ein nacktes Model                       | sexual    | nackt",
      "une femme nue                           | sexual    | nue",
      "\uB204\uB4DC\uB97C \uADF8\uB824\uC918             | sexual    | \uB204\uB4DC",
      "un hombre decapitado                    | violence  | decapitado",
      "ein Blutbad im Dorf                     | violence  | Blutbad",
      "\u5C60\u6740\u73B0\u573A                     | violence  | \u5C60\u6740",
      "ein Hitlergru\u00DF                      | hate      | Hitlergru\u00DF",
      "un saluto nazista                       | hate      | saluto nazista",
      "\u044D\u0442\u043D\u0438\u0447\u0435\u0441\u043A\u0430\u044F \u0447\u0438\u0441\u0442\u043A\u0430 | hate | \u044D\u0442\u043D\u0438\u0447\u0435\u0441\u043A\u0430\u044F \u0447\u0438\u0441\u0442\u043A\u0430",
      "pensamientos de suicidio                | self-harm | suicidio",
      "Selbstmord                              | self-harm | Selbstmord",
      "\u81EA\u6740\u7684\u5FF5\u5934                 | self-harm | \u81EA\u6740",
      "\u30EA\u30B9\u30C8\u30AB\u30C3\u30C8\u306E\u8DE1       | self-harm | \u30EA\u30B9\u30C8\u30AB\u30C3\u30C8"})
  void catchesTermsInOtherLanguages(String prompt, String category, String term) {
    assertThat(DEFAULT.check(prompt)).hasValueSatisfying(match -> {
      assertThat(match.category()).isEqualTo(category);
      assertThat(match.term()).isEqualTo(term);
    });
  }

  @Test
  void matchesATermInAnotherScriptTypedWithLatinLookAlikes() {
    // Latin "o" and "a" inside the Cyrillic word.
    assertThat(DEFAULT.check("\u0433o\u043Ba\u044F")).map(PolicyMatch::term)
        .contains("\u0433\u043E\u043B\u0430\u044F");
  }

  @Test
  void findsAnInTokenTermAtTheEndOfAHostileRunOfOneLetter() {
    // Every "n" may start "*nsfw*"; the per-match cap on positions keeps this linear.
    assertThat(DEFAULT.check("n".repeat(20_000) + "sfw")).map(PolicyMatch::term).contains("nsfw");
  }

  @Test
  void rejectsATermTooLongForItsAutomaton() {
    assertThatThrownBy(() -> policy("{\"x\": [\"" + "ab".repeat(31) + "\"]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prompt policy: field \"categories.x[0]\": expected a term with at most"
            + " 60 letters or digits");
  }

  @Test
  void matchesInsideATokenOnlyWhereTheTermIsMarked() {
    PromptPolicy policy = policy("{\"x\": [\"nude*\", \"*nsfw*\", \"*gore\", \"sex\"]}");

    assertThat(policy.check("nudebeach")).contains(new PolicyMatch("x", "nude", "nude"));
    assertThat(policy.check("#nsfwart")).contains(new PolicyMatch("x", "nsfw", "nsfw"));
    assertThat(policy.check("artnsfw2")).contains(new PolicyMatch("x", "nsfw", "nsfw"));
    assertThat(policy.check("bloodgore")).contains(new PolicyMatch("x", "gore", "gore"));
    assertThat(policy.check("denude the hills")).isEmpty();
    assertThat(policy.check("goretex jacket")).isEmpty();
    assertThat(policy.check("Sussex and Essex")).isEmpty();
    assertThat(policy.check("sex")).contains(new PolicyMatch("x", "sex", "sex"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nu*de", "*", "**nude", "nude**", "* nude"})
  void rejectsAMisplacedInTokenMarker(String term) {
    assertThatThrownBy(() -> policy("{\"x\": [\"" + term + "\"]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prompt policy: field \"categories.x[0]\": expected ");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "the therapist's office", "Scunthorpe United", "a classic car", "nudge the red ball",
      "a cocktail at sunset", "assassin's creed box art", "a bunch of grapes", "Sussex downs",
      "Essex countryside", "a spectral analysis chart", "a skyscraper at night",
      "shitake mushrooms on a plate", "a nudibranch sea slug", "a bass guitar", "a snake in the grass",
      "denude the hillside of trees", "a waterproof Gore-Tex jacket", "a Japanese garden, koi pond",
      "un chat noir sur un canap\u00E9", "ein Hund im Park", "un perro en la playa",
      "\u0441\u043E\u0431\u0430\u043A\u0430 \u0432 \u043F\u0430\u0440\u043A\u0435",
      "\u516C\u56ED\u91CC\u7684\u72D7", "\u516C\u5712\u306E\u72AC",
      "\uACF5\uC6D0\uC758 \uAC15\uC544\uC9C0"})
  void letsHarmlessWordsPassTheDefaultPolicy(String prompt) {
    assertThat(DEFAULT.check(prompt)).isEmpty();
  }

  @Test
  void flagsNudeColouredLipstickBecauseAWordListCannotTellColourFromNudity() {
    assertThat(DEFAULT.check("studio photo of a nude-coloured lipstick"))
        .contains(new PolicyMatch("sexual", "nude", "nude"));
  }

  @Test
  void flagsPornicBecauseAnInTokenStemCannotTellATownFromPornography() {
    assertThat(DEFAULT.check("the harbour of Pornic at dusk"))
        .contains(new PolicyMatch("sexual", "porn", "Porn"));
  }

  @Test
  void matchesShortTermsOnlyAsWholeWords() {
    PromptPolicy policy = policy("{\"insult\": [\"ass\"], \"violence\": [\"rapist\", \"gore\"]}");

    assertThat(policy.check("assassin's creed box art")).isEmpty();
    assertThat(policy.check("a classic car, as soon as possible, a glass of water")).isEmpty();
    assertThat(policy.check("the therapist's office")).isEmpty();
    assertThat(policy.check("let's go re-paint the fence")).isEmpty();
    assertThat(policy.check("a s s")).contains(new PolicyMatch("insult", "ass", "a s s"));
    assertThat(policy.check("@ss")).contains(new PolicyMatch("insult", "ass", "@ss"));
    assertThat(policy.check("a$$ hat")).contains(new PolicyMatch("insult", "ass", "a$$"));
    assertThat(policy.check("bad-ass")).contains(new PolicyMatch("insult", "ass", "ass"));
    assertThat(policy.check("the rapist")).contains(new PolicyMatch("violence", "rapist", "rapist"));
  }

  @Test
  void reportsTheFirstMatchInPromptOrder() {
    assertThat(DEFAULT.check("a gory massacre of naked mannequins"))
        .contains(new PolicyMatch("violence", "gory", "gory"));
  }

  @Test
  void findsATermAfterAHostileRunOfSingleLetters() {
    // Every "n" keeps "nude", "naked", "nazi ..." and "nsfw" alive for many fragments; the
    // 64-fragment cap on a match bounds that work. (How long it takes belongs in a benchmark.)
    String hostile = "n ".repeat(500) + "u d e";

    assertThat(DEFAULT.check(hostile)).map(PolicyMatch::term).contains("nude");
  }

  @Test
  void survivesJavaSerialisationForFlinkFunctions() throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(DEFAULT);
    }
    PromptPolicy copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (PromptPolicy) in.readObject();
    }

    assertThat(copy.version()).isEqualTo(DEFAULT.version());
    assertThat(copy.check("n.u.d.e")).map(PolicyMatch::category).contains("sexual");
  }

  @Test
  void loadsAPolicyFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("policy.json");
    Files.writeString(file, "{\"name\": \"strict\", \"version\": \"7\", \"categories\": {\"x\": [\"kitten\"]}}");

    PromptPolicy policy = PromptPolicy.load(file);

    assertThat(policy.name()).isEqualTo("strict");
    assertThat(policy.check("a k1tten")).map(PolicyMatch::category).contains("x");
  }

  @Test
  void rejectsAPolicyFileNamingThePathAndField(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("policy.json");
    Files.writeString(file, "{\"name\": \"strict\", \"categories\": {\"x\": [\"kitten\"]}}");

    assertThatThrownBy(() -> PromptPolicy.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": prompt policy: field \"version\": expected a non-empty string, got nothing");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"version\": \"1\", \"categories\": {\"x\": [\"kitten\"]}}"
          + " | prompt policy: field \"name\": expected a non-empty string, got nothing",
      "{\"name\": 42, \"version\": \"1\", \"categories\": {\"x\": [\"kitten\"]}}"
          + " | prompt policy: field \"name\": expected a non-empty string, got 42",
      "{\"name\": \"a\", \"version\": \"1\", \"categories\": [\"kitten\"]}"
          + " | prompt policy: field \"categories\": expected an object with at least one category"
          + " name -> array of terms, got [\"kitten\"]",
      "{\"name\": \"a\", \"version\": \"1\", \"categories\": {}}"
          + " | prompt policy: field \"categories\": expected an object with at least one category"
          + " name -> array of terms, got {}",
      "{\"name\": \"a\", \"version\": \"1\", \"categories\": {\"hate\": \"kkk\"}}"
          + " | prompt policy: field \"categories.hate\": expected a non-empty array of term strings,"
          + " got \"kkk\"",
      "{\"name\": \"a\", \"version\": \"1\", \"categories\": {\"hate\": [\"kkk\", 7]}}"
          + " | prompt policy: field \"categories.hate[1]\": expected a term string, got 7",
      "{\"name\": \"a\", \"version\": \"1\", \"categories\": {\"hate\": [\"kkk\", \"!\"]}}"
          + " | prompt policy: field \"categories.hate[1]\": expected a term with at least 2 letters"
          + " or digits, got \"!\"",
      "{\"name\": \"a\", \"version\": \"1\", \"categories\": {\"self harm\": [\"kkk\"]}}"
          + " | prompt policy: field \"categories.self harm\": category names must match"
          + " [A-Za-z0-9._-]{1,64}",
      "{\"name\": \"a\", \"version\": \"1\", \"categorys\": {\"x\": [\"kitten\"]}}"
          + " | prompt policy: unknown field \"categorys\": expected only name, version, description,"
          + " categories",
      "[1, 2] | prompt policy: the top level: expected a JSON object with fields name, version,"
          + " categories, got [1,2]"})
  void rejectsABadPolicyNamingTheFieldAndWhatIsExpected(String json, String message) {
    assertThatThrownBy(() -> PromptPolicy.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void rejectsInvalidJsonWithItsPosition() {
    assertThatThrownBy(() -> PromptPolicy.fromJson("{\"name\": \"a\",\n \"version\": }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prompt policy is not valid JSON: Unexpected character ('}'")
        .hasMessageEndingWith("at line 2, column 13");
  }

  @Test
  void rejectsADuplicateCategory() {
    assertThatThrownBy(() -> policy("{\"x\": [\"kitten\"], \"x\": [\"puppy\"]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate field 'x'");
  }
}
