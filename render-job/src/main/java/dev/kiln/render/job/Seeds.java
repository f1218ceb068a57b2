package dev.kiln.render.job;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Deterministic identity (DESIGN.md decision 2): the image id fixes the seed when none is given. */
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
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(imageId.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
