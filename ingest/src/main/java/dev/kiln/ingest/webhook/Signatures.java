package dev.kiln.ingest.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures (scheme {@code v1}). Every attempt carries
 *
 * <pre>
 * X-Kiln-Timestamp: 1795306542                 (Unix seconds when this attempt was signed)
 * X-Kiln-Signature: v1=&lt;64 lower-case hex&gt;     (HMAC-SHA256, keyed with the tenant's secret, of
 *                                                the timestamp's ASCII digits, ".", then the exact body bytes)
 * </pre>
 *
 * <p>A receiver recomputes the signature over the raw body before parsing it, compares in constant
 * time, and rejects a timestamp more than {@link #TOLERANCE} away from its own clock: a captured
 * delivery then cannot be replayed later, and its timestamp cannot be changed without breaking the
 * signature. {@link #verify} does all three and uses only the JDK, so receivers in Java can copy it.
 *
 * <p>The signature header is a comma-separated list of {@code version=value} entries; receivers
 * ignore versions they do not know and accept when any {@code v1} entry matches. The previous
 * scheme ({@code sha256=<HMAC of the body alone>}) is no longer sent or accepted.
 */
public final class Signatures {
  public static final String SIGNATURE_HEADER = "X-Kiln-Signature";
  public static final String TIMESTAMP_HEADER = "X-Kiln-Timestamp";
  /** The freshness window receivers must enforce, both ways (clock skew). */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);
  private static final String V1 = "v1=";

  private Signatures() {}

  /** {@code v1=} followed by 64 lower-case hex digits: the HMAC of {@code timestamp + "." + body}. */
  public static String sign(long timestamp, byte[] body, String secret) {
    return V1 + hmacHex(signedContent(timestamp, body), secret);
  }

  /**
   * Whether a delivery is authentic and fresh: {@code timestampHeader} is a Unix time at most
   * {@link #TOLERANCE} from {@code now}, and {@code signatureHeader} has a {@code v1} entry equal
   * to the HMAC of {@code timestampHeader + "." + body} (compared in constant time).
   *
   * @param body the raw body bytes, before any parsing
   * @param signatureHeader the {@value #SIGNATURE_HEADER} header, or null when absent
   * @param timestampHeader the {@value #TIMESTAMP_HEADER} header, or null when absent
   * @param now the receiver's clock
   */
  public static boolean verify(byte[] body, String secret, String signatureHeader, String timestampHeader,
      Instant now) {
    if (signatureHeader == null || timestampHeader == null) {
      return false;
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampHeader.strip());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - timestamp) > TOLERANCE.toSeconds()) {
      return false;
    }
    // Signed over the digits as sent, so "0123" cannot stand in for "123".
    byte[] expected = (V1 + hmacHex(signedContent(timestampHeader.strip(), body), secret))
        .getBytes(StandardCharsets.US_ASCII);
    boolean match = false;
    for (String entry : signatureHeader.split(",")) {
      // No early exit: the time taken does not tell which entry matched.
      match |= MessageDigest.isEqual(expected, entry.strip().getBytes(StandardCharsets.US_ASCII));
    }
    return match;
  }

  /** Lower-case hex HMAC-SHA256 of {@code data}. */
  static String hmacHex(byte[] data, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
    }
  }

  private static byte[] signedContent(long timestamp, byte[] body) {
    return signedContent(Long.toString(timestamp), body);
  }

  private static byte[] signedContent(String timestamp, byte[] body) {
    byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
    byte[] content = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, content, 0, prefix.length);
    System.arraycopy(body, 0, content, prefix.length, body.length);
    return content;
  }
}
