package dev.kiln.safety.pdq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashBlockListTest {
  private static final String BRIDGE =
      "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
  private static final String ROTATED =
      "b0a10efd71cc3f429413d48d0ffffe12e34e0e17ada952a9d29684210aa9e5af";

  private static final HashBlockList LIST = HashBlockList.fromLines(List.of(
      "# known images",
      "",
      BRIDGE + "  bridge original",
      "   " + ROTATED.toUpperCase() + "\tbridge rotated 90",
      "0".repeat(64)));

  /** Returns {@code hex} with its last {@code bits} bits inverted. */
  private static PdqHash flipLowBits(String hex, int bits) {
    long[] words = PdqHash.fromHex(hex).words();
    words[3] ^= (1L << bits) - 1;
    return PdqHash.fromWords(words);
  }

  @Test
  void listedHashMatchesWithItsLabelAtDistanceZero() {
    assertThat(LIST.match(PdqHash.fromHex(BRIDGE), HashBlockList.DEFAULT_MATCH_DISTANCE))
        .contains(new HashBlockList.Match(PdqHash.fromHex(BRIDGE), "bridge original", 0));
  }

  @Test
  void nearbyHashMatchesReportingItsDistance() {
    assertThat(LIST.match(flipLowBits(ROTATED, 31)))
        .hasValueSatisfying(match -> {
          assertThat(match.label()).isEqualTo("bridge rotated 90");
          assertThat(match.distance()).isEqualTo(31);
        });
  }

  @Test
  void hashJustBeyondTheDistanceDoesNotMatch() {
    assertThat(LIST.match(flipLowBits(ROTATED, 32))).isEmpty();
    assertThat(LIST.match(flipLowBits(ROTATED, 5), 4)).isEmpty();
  }

  @Test
  void unlistedHashDoesNotMatch() {
    // About half the bits differ from every entry, as for an unrelated image.
    PdqHash unrelated =
        PdqHash.fromHex("5555aaaa5555aaaa3333cccc3333cccc0f0f0f0ff0f0f0f0ff00ff0000ff00ff");

    assertThat(LIST.match(unrelated)).isEmpty();
  }

  @Test
  void closestEntryWinsOverEarlierOnes() {
    HashBlockList list = HashBlockList.fromLines(List.of(
        flipLowBits(BRIDGE, 20).toHex() + " far",
        flipLowBits(BRIDGE, 2).toHex() + " near"));

    assertThat(list.match(PdqHash.fromHex(BRIDGE)).map(HashBlockList.Match::label))
        .contains("near");
  }

  @Test
  void skipsCommentsAndBlankLinesAndAllowsMissingLabel() {
    assertThat(LIST.size()).isEqualTo(3);
    assertThat(LIST.match(PdqHash.fromHex("0".repeat(64)), 0).map(HashBlockList.Match::label))
        .contains("");
  }

  @Test
  void badLineErrorNamesTheLineAndTheExpectedFormat() {
    List<String> lines = List.of("# header", BRIDGE, "f8f8f0cce0f4 truncated hash");

    assertThatThrownBy(() -> HashBlockList.fromLines(lines))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 3: expected 64 hex characters, optionally followed by"
            + " whitespace and a label, got 'f8f8f0cce0f4 truncated hash'");
  }

  @Test
  void fileErrorNamesTheFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("blocked.txt");
    Files.writeString(file, BRIDGE + " ok\n" + BRIDGE + "x not hex\n");

    assertThatThrownBy(() -> HashBlockList.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ":2: expected 64 hex characters");
  }

  @Test
  void loadsFromFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("blocked.txt");
    Files.writeString(file, "# one entry\n" + BRIDGE + " bridge\n");

    assertThat(HashBlockList.fromFile(file).match(PdqHash.fromHex(BRIDGE)))
        .map(HashBlockList.Match::label)
        .contains("bridge");
  }

  @Test
  void loadsFromClasspathResource() {
    HashBlockList list = HashBlockList.fromResource("pdq/bridge-blocklist.txt");

    assertThat(list.size()).isEqualTo(8);
    assertThat(list.match(PdqHash.fromHex(ROTATED)).map(HashBlockList.Match::label))
        .contains("bridge-2-rotate-90.jpg");
  }

  @Test
  void missingResourceIsReportedByName() {
    assertThatThrownBy(() -> HashBlockList.fromResource("pdq/no-such-list.txt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'pdq/no-such-list.txt'");
  }

  @Test
  void rejectsDistanceOutsideTheHashLength() {
    assertThatThrownBy(() -> LIST.match(PdqHash.fromHex(BRIDGE), 257))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDistance must be in 0..256, got 257");
  }
}
