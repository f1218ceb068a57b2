package dev.kiln.provenance.watermark.internal;

import java.util.Arrays;
import java.util.Optional;

/**
 * The binary BCH(127, 64) code, which corrects any 10 bit errors in a 127-bit word: systematic
 * encoding (the 64 message bits are bits 63..126 of the codeword, the 63 parity bits are 0..62),
 * and decoding by syndromes, Berlekamp-Massey and a Chien search over GF(2^7).
 *
 * <p>Written by hand because no library that Maven Central serves here does binary BCH (ZXing and
 * Backblaze's coder are Reed-Solomon over byte symbols, which corrects fewer scattered bit errors
 * at the same rate, and neither is in the served list); the code is the textbook algorithm, kept
 * small, and tested by flipping bits.
 */
public final class Bch {
  /** Codeword length in bits. */
  public static final int N = 127;
  /** Message length in bits. */
  public static final int K = 64;
  /** Bit errors the code corrects. */
  public static final int T = 10;

  private static final int M = 7;
  /** x^7 + x^3 + 1, a primitive polynomial of GF(2^7). */
  private static final int PRIMITIVE = 0b1000_1001;

  private static final int[] EXP = new int[2 * N];
  private static final int[] LOG = new int[N + 1];
  /** Generator polynomial, coefficient of x^i at index i (degree N - K). */
  private static final int[] GENERATOR;

  static {
    int x = 1;
    for (int i = 0; i < N; i++) {
      EXP[i] = x;
      EXP[i + N] = x;
      LOG[x] = i;
      x <<= 1;
      if ((x & (1 << M)) != 0) {
        x ^= PRIMITIVE;
      }
    }
    // The product of the minimal polynomials of alpha^1 .. alpha^2T, each conjugacy class once.
    boolean[] used = new boolean[N];
    int[] g = {1};
    for (int i = 1; i <= 2 * T; i++) {
      if (used[i % N]) {
        continue;
      }
      int[] minimal = {1};
      int c = i % N;
      do {
        used[c] = true;
        minimal = multiplyByRoot(minimal, EXP[c]);
        c = (c * 2) % N;
      } while (c != i % N);
      g = multiplyGf2(g, minimal);
    }
    if (g.length - 1 != N - K) {
      throw new IllegalStateException("BCH generator degree " + (g.length - 1) + ", expected " + (N - K));
    }
    GENERATOR = g;
  }

  private Bch() {}

  /** The 127-bit codeword of a 64-bit message; bit i of the message is codeword bit N - K + i. */
  public static boolean[] encode(boolean[] message) {
    if (message.length != K) {
      throw new IllegalArgumentException("BCH message must be " + K + " bits, got " + message.length);
    }
    // Remainder of message(x) * x^(N-K) divided by g(x): the parity bits.
    int parity = N - K;
    boolean[] remainder = new boolean[N];
    System.arraycopy(message, 0, remainder, parity, K);
    for (int i = N - 1; i >= parity; i--) {
      if (remainder[i]) {
        for (int j = 0; j <= parity; j++) {
          remainder[i - parity + j] ^= GENERATOR[j] != 0;
        }
      }
    }
    boolean[] codeword = new boolean[N];
    System.arraycopy(remainder, 0, codeword, 0, parity);
    System.arraycopy(message, 0, codeword, parity, K);
    return codeword;
  }

  /** The message bits of a codeword, without any correction. */
  public static boolean[] message(boolean[] codeword) {
    return Arrays.copyOfRange(codeword, N - K, N);
  }

  /** A decoded word: the corrected codeword and how many bits were flipped to reach it. */
  public record Decoded(boolean[] codeword, int corrected) {
    public boolean[] message() {
      return Bch.message(codeword);
    }
  }

  /**
   * The codeword within {@link #T} bit flips of {@code received}, or empty when there is none
   * (more than T errors were detected).
   */
  public static Optional<Decoded> decode(boolean[] received) {
    if (received.length != N) {
      throw new IllegalArgumentException("BCH word must be " + N + " bits, got " + received.length);
    }
    int[] syndromes = new int[2 * T + 1];
    boolean clean = true;
    for (int j = 1; j <= 2 * T; j++) {
      int s = 0;
      for (int i = 0; i < N; i++) {
        if (received[i]) {
          s ^= EXP[(i * j) % N];
        }
      }
      syndromes[j] = s;
      clean &= s == 0;
    }
    if (clean) {
      return Optional.of(new Decoded(received.clone(), 0));
    }
    // Berlekamp-Massey: the error locator sigma(x) of least degree.
    int[] sigma = new int[2 * T + 2];
    int[] previous = new int[2 * T + 2];
    sigma[0] = 1;
    previous[0] = 1;
    int length = 0;
    int shift = 1;
    int previousDiscrepancy = 1;
    for (int n = 0; n < 2 * T; n++) {
      int d = syndromes[n + 1];
      for (int i = 1; i <= length; i++) {
        d ^= mul(sigma[i], syndromes[n + 1 - i]);
      }
      if (d == 0) {
        shift++;
        continue;
      }
      int[] before = sigma.clone();
      int factor = div(d, previousDiscrepancy);
      for (int i = 0; i + shift < sigma.length; i++) {
        sigma[i + shift] ^= mul(factor, previous[i]);
      }
      if (2 * length <= n) {
        length = n + 1 - length;
        previous = before;
        previousDiscrepancy = d;
        shift = 1;
      } else {
        shift++;
      }
    }
    if (length > T) {
      return Optional.empty();
    }
    // Chien search: bit i is in error when sigma(alpha^-i) = 0.
    boolean[] corrected = received.clone();
    int found = 0;
    for (int i = 0; i < N; i++) {
      int sum = 0;
      for (int k = 0; k <= length; k++) {
        if (sigma[k] != 0) {
          sum ^= EXP[(LOG[sigma[k]] + (N - i) * k % N) % N];
        }
      }
      if (sum == 0) {
        corrected[i] = !corrected[i];
        found++;
      }
    }
    // Fewer roots than the locator's degree: more errors than the code can place.
    return found == length ? Optional.of(new Decoded(corrected, found)) : Optional.empty();
  }

  private static int mul(int a, int b) {
    return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
  }

  private static int div(int a, int b) {
    return a == 0 ? 0 : EXP[(LOG[a] - LOG[b] + N) % N];
  }

  /** poly * (x + root) over GF(2^7). */
  private static int[] multiplyByRoot(int[] poly, int root) {
    int[] out = new int[poly.length + 1];
    for (int i = 0; i < poly.length; i++) {
      out[i + 1] ^= poly[i];
      out[i] ^= mul(poly[i], root);
    }
    return out;
  }

  /** a * b for polynomials whose coefficients are 0 or 1. */
  private static int[] multiplyGf2(int[] a, int[] b) {
    int[] out = new int[a.length + b.length - 1];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b.length; j++) {
        out[i + j] ^= a[i] & b[j];
      }
    }
    return out;
  }
}
