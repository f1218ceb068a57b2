package dev.kiln.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic identity (DESIGN.md decision 2): image ids, and the seed an image id fixes when the
 * request gives none. The render job and {@link Rerenders} (both jobs) derive seeds here.
 */
public final class Seeds {
  private Seeds() {}

  public static String imageId(String requestId, int index) {
    return requestId + "-" + index;
  }

  /** The requested seed plus the image index, or a seed derived from the image id. Never negative. */
  public static long seedFor(Long requestedSeed, String imageId, int index) {
    if (requestedSeed != null) {
      return (requestedSeed + index) & Long.MAX_VALUE;
    }
    return derived(imageId);
  }

  /** The first 8 bytes of sha256({@code text}), never negative: a seed fixed by a name. */
  static long derived(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
