package dev.kiln.ingest.internal;

import dev.kiln.schemas.RenderRequest;
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
   * The first {@value #LENGTH} hex characters of SHA-256 over the batch id and every generation
   * parameter of {@code request}: prompt, negative prompt, model, width, height, steps, guidance
   * scale, seed, image count and near-duplicate re-rendering. The same request always gets the
   * same id, so submitting a file twice publishes the same keys; a request that differs in any
   * parameter gets another id, so it is rendered rather than dropped as a repeat. Tenant, labels,
   * priority and submission time are not part of it: the dedupe key already holds the tenant, and
   * the others do not change the image.
   *
   * @param request every field but the request id set (a missing seed means the render job
   *     derives one)
   */
  public static String derive(RenderRequest.Builder request) {
    MessageDigest sha = sha256();
    // Length-prefixed, so no field value can run into the next whatever characters it holds.
    field(sha, "kiln.request.v2");
    field(sha, request.getBatchId());
    field(sha, request.getPrompt());
    field(sha, request.getNegativePrompt());
    field(sha, request.getModel());
    field(sha, request.getWidth() + "x" + request.getHeight());
    field(sha, Integer.toString(request.getSteps()));
    // Float.toString is exact and locale-free: 3.0 and 3.5 never share a string.
    field(sha, Float.toString(request.getGuidanceScale()));
    field(sha, request.getSeed() == null ? "" : request.getSeed().toString());
    field(sha, Integer.toString(request.getNumImages()));
    field(sha, Boolean.toString(request.getRerenderNearDuplicates()));
    return HexFormat.of().formatHex(sha.digest(), 0, LENGTH / 2);
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
