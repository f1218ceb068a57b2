package dev.kiln.ingest.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures: {@code X-Kiln-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes,
 * keyed with the tenant's secret>}. A receiver recomputes it over the raw body before parsing and
 * compares with {@link #verify}.
 */
public final class Signatures {
  public static final String SIGNATURE_HEADER = "X-Kiln-Signature";
  public static final String TIMESTAMP_HEADER = "X-Kiln-Timestamp";
  private static final String PREFIX = "sha256=";

  private Signatures() {}

  /** {@code sha256=} followed by 64 lower-case hex digits. */
  public static String sign(byte[] body, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
    }
  }

  /** Whether {@code header} is the signature of {@code body}; compares in constant time. */
  public static boolean verify(byte[] body, String secret, String header) {
    if (header == null) {
      return false;
    }
    return MessageDigest.isEqual(sign(body, secret).getBytes(StandardCharsets.US_ASCII),
        header.strip().getBytes(StandardCharsets.US_ASCII));
  }
}
