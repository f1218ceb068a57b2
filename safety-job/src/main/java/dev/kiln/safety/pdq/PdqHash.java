package dev.kiln.safety.pdq;

import java.util.Arrays;

/**
 * An immutable 256-bit PDQ hash.
 *
 * <p>The hash is the 256-bit unsigned integer written by {@link #toHex()} as 64 lower-case hex
 * digits, most significant digit first; this is the text form the ThreatExchange reference tools
 * print and read. Bit {@code k} of that integer ({@code k = 16 * row + column} of the 16x16 DCT
 * coefficient it came from) is set when the coefficient is above the median.
 */
public final class PdqHash {
  /** Number of bits in a hash, and the largest possible {@link #distance}. */
  public static final int BITS = 256;

  /** Length of the hex form. */
  public static final int HEX_LENGTH = 64;

  private static final int WORDS = 4;

  private final long[] words;

  private PdqHash(long[] words) {
    this.words = words;
  }

  /**
   * Creates a hash from four 64-bit words in hex order: {@code words[0]} holds the first 16 hex
   * digits (bits 255..192), {@code words[3]} the last 16 (bits 63..0). The array is copied.
   *
   * @throws IllegalArgumentException if {@code words} does not have exactly four elements
   */
  public static PdqHash fromWords(long[] words) {
    if (words.length != WORDS) {
      throw new IllegalArgumentException(
          "a PDQ hash has " + WORDS + " 64-bit words, got " + words.length);
    }
    return new PdqHash(words.clone());
  }

  /**
   * Parses the 64-hex-digit form written by {@link #toHex()} (either case, no prefix, no
   * separators).
   *
   * @throws IllegalArgumentException if {@code hex} is not exactly 64 hex digits; the message
   *     says what was found
   */
  public static PdqHash fromHex(String hex) {
    if (hex.length() != HEX_LENGTH) {
      throw new IllegalArgumentException("expected " + HEX_LENGTH + " hex characters, got "
          + hex.length() + " in '" + abbreviate(hex) + "'");
    }
    long[] words = new long[WORDS];
    for (int i = 0; i < HEX_LENGTH; i++) {
      int digit = Character.digit(hex.charAt(i), 16);
      if (digit < 0) {
        throw new IllegalArgumentException("expected " + HEX_LENGTH + " hex characters, got '"
            + hex.charAt(i) + "' at position " + (i + 1) + " in '" + hex + "'");
      }
      words[i / 16] = (words[i / 16] << 4) | digit;
    }
    return new PdqHash(words);
  }

  /** Returns the four 64-bit words in the order described by {@link #fromWords}, as a copy. */
  public long[] words() {
    return words.clone();
  }

  /** Returns the 64 lower-case hex digits, most significant first. */
  public String toHex() {
    StringBuilder hex = new StringBuilder(HEX_LENGTH);
    for (long word : words) {
      String digits = Long.toHexString(word);
      hex.append("0".repeat(16 - digits.length())).append(digits);
    }
    return hex.toString();
  }

  /** Returns bit {@code k} (0 = least significant) of the 256-bit value. */
  public boolean bit(int k) {
    if (k < 0 || k >= BITS) {
      throw new IndexOutOfBoundsException("bit " + k + " outside 0.." + (BITS - 1));
    }
    return (words[WORDS - 1 - (k >>> 6)] >>> (k & 63) & 1L) != 0;
  }

  /** Returns the Hamming distance (number of differing bits, 0..256) to {@code other}. */
  public int distance(PdqHash other) {
    int distance = 0;
    for (int i = 0; i < WORDS; i++) {
      distance += Long.bitCount(words[i] ^ other.words[i]);
    }
    return distance;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PdqHash other && Arrays.equals(words, other.words);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(words);
  }

  /** Returns {@link #toHex()}. */
  @Override
  public String toString() {
    return toHex();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
