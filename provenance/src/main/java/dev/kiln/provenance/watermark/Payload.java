package dev.kiln.provenance.watermark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The 64 bits a watermark carries: a 16-bit key id (which deployment or signing key marked the
 * image) and the first 48 bits of the SHA-256 of the image id. 48 bits tell apart the ids of about
 * 16 million images with a chance of one collision in a thousand, and nothing of the id itself can
 * be read back from them.
 *
 * @param keyId 0 to 65535
 * @param imageIdHash 0 to 2^48 - 1; see {@link #hashImageId(String)}
 */
public record Payload(int keyId, long imageIdHash) {
  /** Bits in a payload. */
  public static final int BITS = 64;

  /** What {@link #toText()} starts with: the payload's text form, version 1. */
  public static final String TEXT_PREFIX = "kiln-wm1:";

  private static final long HASH_MASK = (1L << 48) - 1;
  private static final Pattern TEXT = Pattern.compile("kiln-wm1:([0-9a-f]{4}):([0-9a-f]{12})");

  public Payload {
    if (keyId < 0 || keyId > 0xFFFF) {
      throw new IllegalArgumentException("keyId must be 0..65535, got " + keyId);
    }
    if ((imageIdHash & ~HASH_MASK) != 0) {
      throw new IllegalArgumentException("imageIdHash must fit in 48 bits, got " + imageIdHash);
    }
  }

  /** The payload of image {@code imageId} marked under key {@code keyId}. */
  public static Payload of(int keyId, String imageId) {
    return new Payload(keyId, hashImageId(imageId));
  }

  /** The first 48 bits of the SHA-256 of the UTF-8 image id, big-endian. */
  public static long hashImageId(String imageId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(imageId.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 6; i++) {
        h = (h << 8) | (digest[i] & 0xFF);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Whether this payload names image {@code imageId} (its hash matches; the key id is not checked). */
  public boolean matchesImageId(String imageId) {
    return imageIdHash == hashImageId(imageId);
  }

  /** The 64 bits, key id first, most significant bit first. */
  public boolean[] toBits() {
    long v = ((long) keyId << 48) | imageIdHash;
    boolean[] bits = new boolean[BITS];
    for (int i = 0; i < BITS; i++) {
      bits[i] = ((v >>> (BITS - 1 - i)) & 1) != 0;
    }
    return bits;
  }

  /** The payload of 64 bits in the order of {@link #toBits()}. */
  public static Payload fromBits(boolean[] bits) {
    if (bits.length != BITS) {
      throw new IllegalArgumentException("a payload is " + BITS + " bits, got " + bits.length);
    }
    long v = 0;
    for (boolean b : bits) {
      v = (v << 1) | (b ? 1 : 0);
    }
    return new Payload((int) (v >>> 48), v & HASH_MASK);
  }

  /**
   * The payload's stable text form, as results, sidecars and XMP record it: {@value #TEXT_PREFIX},
   * the key id as 4 lower-case hex digits, a colon, the image id hash as 12, e.g.
   * {@code kiln-wm1:0001:3fa2c1d4e5f6}. {@link #fromText} reads it back.
   */
  public String toText() {
    return String.format("%s%04x:%012x", TEXT_PREFIX, keyId, imageIdHash);
  }

  /**
   * The payload {@link #toText()} wrote.
   *
   * @throws IllegalArgumentException when {@code text} is not in that form
   */
  public static Payload fromText(String text) {
    Matcher m = TEXT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a watermark payload: \"" + text
          + "\" (expected kiln-wm1:KKKK:HHHHHHHHHHHH, a 4-digit key id and a 12-digit image hash in lower-case hex)");
    }
    return new Payload(Integer.parseInt(m.group(1), 16), Long.parseLong(m.group(2), 16));
  }

  @Override
  public String toString() {
    return String.format("key %d, image hash %012x", keyId, imageIdHash);
  }
}
