package dev.kiln.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Request ids for requests that do not name their own. */
public final class RequestIds {
  /** Hex characters kept from the digest: 96 bits, so a collision within a batch is not a concern. */
  public static final int LENGTH = 24;

  private RequestIds() {}

  /**
   * The first {@value #LENGTH} hex characters of SHA-256 over batch id, prompt and seed. The same
   * input always gets the same id, so submitting a file twice publishes the same keys; two
   * requests that differ only in size or steps get the same id and must set their own.
   *
   * @param seed {@code null} when the request leaves the seed to the render job
   */
  public static String derive(String batchId, String prompt, Long seed) {
    // NUL cannot occur in a valid batch id or prompt, so the fields cannot run into each other.
    String input = batchId + '\0' + prompt + '\0' + (seed == null ? "" : seed.toString());
    return HexFormat.of().formatHex(sha256(input.getBytes(StandardCharsets.UTF_8))).substring(0, LENGTH);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
