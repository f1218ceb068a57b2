package dev.kiln.safety.pdq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PdqHashTest {
  private static final String BRIDGE =
      "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
  private static final String ZERO = "0".repeat(64);

  @Test
  void hexRoundTripsAndIsLowerCase() {
    assertThat(PdqHash.fromHex(BRIDGE).toHex()).isEqualTo(BRIDGE);
    assertThat(PdqHash.fromHex(BRIDGE.toUpperCase()).toHex()).isEqualTo(BRIDGE);
    assertThat(PdqHash.fromHex(ZERO).toHex()).isEqualTo(ZERO);
    assertThat(PdqHash.fromHex(BRIDGE)).hasToString(BRIDGE);
  }

  @Test
  void wordsRoundTripInHexOrder() {
    PdqHash hash = PdqHash.fromHex(BRIDGE);

    assertThat(hash.words()[0]).isEqualTo(Long.parseUnsignedLong(BRIDGE.substring(0, 16), 16));
    assertThat(PdqHash.fromWords(hash.words())).isEqualTo(hash);
  }

  @Test
  void bitZeroIsTheLastHexDigitsLowBit() {
    PdqHash one = PdqHash.fromHex("0".repeat(63) + "1");
    PdqHash top = PdqHash.fromHex("8" + "0".repeat(63));

    assertThat(one.bit(0)).isTrue();
    assertThat(one.bit(1)).isFalse();
    assertThat(top.bit(255)).isTrue();
    assertThat(top.bit(254)).isFalse();
  }

  @Test
  void distanceCountsDifferingBitsAndIsSymmetric() {
    PdqHash a = PdqHash.fromHex(BRIDGE);
    PdqHash b = PdqHash.fromHex("07" + BRIDGE.substring(2, 62) + "dd"); // 0xf8^0x07, 0x22^0xdd

    assertThat(a.distance(a)).isZero();
    assertThat(a.distance(b)).isEqualTo(b.distance(a)).isEqualTo(8 + 8);
    assertThat(PdqHash.fromHex(ZERO).distance(PdqHash.fromHex("f".repeat(64)))).isEqualTo(256);
  }

  @Test
  void equalHashesAreEqualAndHashAlike() {
    PdqHash a = PdqHash.fromHex(BRIDGE);
    PdqHash b = PdqHash.fromHex(BRIDGE.toUpperCase());

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(PdqHash.fromHex(ZERO));
  }

  @Test
  void wordsCannotBeChangedFromOutside() {
    long[] words = {1, 2, 3, 4};
    PdqHash hash = PdqHash.fromWords(words);
    words[0] = 99;
    hash.words()[1] = 99;

    assertThat(hash.words()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void rejectsHexOfWrongLengthSayingWhatWasExpected() {
    assertThatThrownBy(() -> PdqHash.fromHex("abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 64 hex characters, got 3 in 'abc'");
  }

  @Test
  void rejectsNonHexCharacterNamingItsPosition() {
    assertThatThrownBy(() -> PdqHash.fromHex("g" + BRIDGE.substring(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected 64 hex characters, got 'g' at position 1");
  }
}
