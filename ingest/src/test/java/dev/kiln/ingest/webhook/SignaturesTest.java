package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SignaturesTest {
  static final String SECRET = "acme-webhook-secret-0123456789";
  static final byte[] BODY = "{\"imageId\":\"r1-0\",\"status\":\"PUBLISHED\"}".getBytes(StandardCharsets.UTF_8);
  static final long SENT = 1795306542L;
  static final Instant NOW = Instant.ofEpochSecond(SENT);

  static String hmac(String data, String key) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theHmacIsSha256InHex() {
    // Independent check: RFC 4231 test case 2 (key "Jefe").
    assertThat(Signatures.hmacHex("what do ya want for nothing?".getBytes(StandardCharsets.UTF_8), "Jefe"))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void signsTheTimestampADotAndTheBody() throws Exception {
    assertThat(Signatures.sign(SENT, BODY, SECRET))
        .isEqualTo("v1=" + hmac(SENT + "." + new String(BODY, StandardCharsets.UTF_8), SECRET))
        .matches("v1=[0-9a-f]{64}");
  }

  @Test
  void verifiesAFreshDeliveryWithinTheWindowEitherWay() {
    String signature = Signatures.sign(SENT, BODY, SECRET);

    assertThat(Signatures.verify(BODY, SECRET, signature, Long.toString(SENT), NOW)).isTrue();
    assertThat(Signatures.verify(BODY, SECRET, signature, Long.toString(SENT), NOW.plusSeconds(300))).isTrue();
    assertThat(Signatures.verify(BODY, SECRET, signature, Long.toString(SENT), NOW.minusSeconds(300))).isTrue();
    // Unknown versions are ignored, so a later scheme can be sent next to v1.
    assertThat(Signatures.verify(BODY, SECRET, "v2=abc, " + signature, Long.toString(SENT), NOW)).isTrue();
  }

  @Test
  void aCapturedDeliveryCannotBeReplayedLaterNorWithANewTimestamp() {
    String captured = Signatures.sign(SENT, BODY, SECRET);
    Instant later = NOW.plusSeconds(3600);

    // As captured, an hour later: stale.
    assertThat(Signatures.verify(BODY, SECRET, captured, Long.toString(SENT), later)).isFalse();
    // With the timestamp rewritten to look fresh: the signature no longer matches.
    assertThat(Signatures.verify(BODY, SECRET, captured, Long.toString(later.getEpochSecond()), later)).isFalse();
    assertThat(Signatures.verify(BODY, SECRET, captured, Long.toString(SENT), NOW.plusSeconds(301))).isFalse();
  }

  @Test
  void theOldBodyOnlySignatureNoLongerVerifies() throws Exception {
    String body = new String(BODY, StandardCharsets.UTF_8);

    assertThat(Signatures.verify(BODY, SECRET, "sha256=" + hmac(body, SECRET), Long.toString(SENT), NOW)).isFalse();
    assertThat(Signatures.verify(BODY, SECRET, "v1=" + hmac(body, SECRET), Long.toString(SENT), NOW)).isFalse();
  }

  @Test
  void rejectsAnotherSecretAnAlteredBodyAndMissingOrMalformedHeaders() {
    String signature = Signatures.sign(SENT, BODY, SECRET);
    byte[] altered = "{\"imageId\":\"r1-0\",\"status\":\"REJECTED\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(Signatures.verify(BODY, "another-secret-0123456789", signature, Long.toString(SENT), NOW)).isFalse();
    assertThat(Signatures.verify(altered, SECRET, signature, Long.toString(SENT), NOW)).isFalse();
    assertThat(Signatures.verify(BODY, SECRET, null, Long.toString(SENT), NOW)).isFalse();
    assertThat(Signatures.verify(BODY, SECRET, signature, null, NOW)).isFalse();
    assertThat(Signatures.verify(BODY, SECRET, signature, "yesterday", NOW)).isFalse();
    assertThat(Signatures.verify(BODY, SECRET, signature, "0" + SENT, NOW)).isFalse();
  }
}
