package dev.kiln.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Request ids for requests that do not name their own, derived so that a repeat gets the same id. */
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

  /**
   * The id of one variant of one catalogue row: the first {@value #LENGTH} hex characters of
   * SHA-256 over tenant, batch id, row key, seed and size. The same catalogue submitted again with
   * the same batch id gets the same ids, so the render job can drop the repeat; a new batch id
   * gets new ones. The prompt is deliberately not part of it: the id names a slot in the batch,
   * and a changed template within one batch id is a repeat, not a new image. The tenant is, so
   * two tenants using the same batch id and row keys never collide.
   *
   * @param seed {@code null} when the request leaves the seed to the render job
   */
  public static String forCatalogueRow(
      String tenant, String batchId, String rowKey, Long seed, int width, int height) {
    MessageDigest sha = sha256();
    // Length-prefixed, so no field value can run into the next whatever characters it holds.
    field(sha, "kiln.catalogue.v1");
    field(sha, tenant);
    field(sha, batchId);
    field(sha, rowKey);
    field(sha, seed == null ? "" : seed.toString());
    field(sha, width + "x" + height);
    return HexFormat.of().formatHex(sha.digest(), 0, LENGTH / 2);
  }

  private static void field(MessageDigest sha, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    sha.update(bytes);
  }

  private static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
