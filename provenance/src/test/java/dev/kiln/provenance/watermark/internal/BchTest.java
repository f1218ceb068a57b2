package dev.kiln.provenance.watermark.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BchTest {
  private static boolean[] randomMessage(Random rnd) {
    boolean[] m = new boolean[Bch.K];
    for (int i = 0; i < m.length; i++) {
      m[i] = rnd.nextBoolean();
    }
    return m;
  }

  private static boolean[] flip(boolean[] word, int count, Random rnd) {
    boolean[] out = word.clone();
    int flipped = 0;
    while (flipped < count) {
      int i = rnd.nextInt(out.length);
      boolean[] before = out.clone();
      out[i] = !out[i];
      // Flip distinct positions only.
      if (before[i] == word[i]) {
        flipped++;
      } else {
        out[i] = !out[i];
      }
    }
    return out;
  }

  @Test
  void encodingIsSystematicAndDecodesCleanly() {
    boolean[] message = randomMessage(new Random(1));
    boolean[] codeword = Bch.encode(message);
    assertArrayEquals(message, Bch.message(codeword));
    Bch.Decoded decoded = Bch.decode(codeword).orElseThrow();
    assertEquals(0, decoded.corrected());
    assertArrayEquals(message, decoded.message());
  }

  @Test
  void everyNonZeroCodewordOfOneMessageBitHasWeightAtLeast21() {
    // The BCH bound for 2T = 20 consecutive roots: minimum distance 21. A wrong generator
    // polynomial gives some low-weight codewords.
    for (int i = 0; i < Bch.K; i++) {
      boolean[] message = new boolean[Bch.K];
      message[i] = true;
      int weight = 0;
      for (boolean b : Bch.encode(message)) {
        weight += b ? 1 : 0;
      }
      assertTrue(weight >= 2 * Bch.T + 1, "message bit " + i + " gives weight " + weight);
    }
  }

  @Test
  void correctsUpToTenFlippedBits() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      boolean[] message = randomMessage(rnd);
      int errors = trial % (Bch.T + 1);
      Optional<Bch.Decoded> decoded = Bch.decode(flip(Bch.encode(message), errors, rnd));
      assertTrue(decoded.isPresent(), "trial " + trial + " with " + errors + " errors");
      assertArrayEquals(message, decoded.get().message(), "trial " + trial);
      assertEquals(errors, decoded.get().corrected());
    }
  }

  @Test
  void refusesWordsWithTooManyErrorsRatherThanReturningTheOriginal() {
    Random rnd = new Random(11);
    int refused = 0;
    for (int trial = 0; trial < 200; trial++) {
      boolean[] message = randomMessage(rnd);
      Optional<Bch.Decoded> decoded = Bch.decode(flip(Bch.encode(message), 14, rnd));
      if (decoded.isEmpty()) {
        refused++;
      } else {
        // Within 10 of some codeword, then not of this one, 14 flips away.
        assertTrue(decoded.get().corrected() <= Bch.T);
      }
    }
    // A miscorrection needs the word to land within 10 of another codeword: about 1 in 40,000.
    assertEquals(200, refused);
  }
}
