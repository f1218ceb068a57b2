package dev.kiln.provenance.c2pa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.provenance.c2pa.internal.Png;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentCredentialsTest {
  @TempDir static Path dir;

  private static SigningIdentity identity;
  private static X509Certificate root;
  private static byte[] png;

  @BeforeAll
  static void localCa() {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir.resolve("ca"));
    identity = ca.signingIdentity();
    root = ca.caCertificateX509();
    png = Fixtures.png(64, 48, 1);
  }

  @Test
  void signingTwiceGivesTheSameBytes() {
    KilnAssertion a = Fixtures.assertion("img-1", 64, 48, "a red kite");
    byte[] first = ContentCredentials.sign(png, a, identity);
    byte[] second = ContentCredentials.sign(png.clone(), a, identity);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void unsignedGivesBackExactlyTheBytesThatWereSigned() {
    byte[] signed = ContentCredentials.sign(png, Fixtures.assertion("img-1", 64, 48, null), identity);
    assertThat(signed).isNotEqualTo(png);
    assertThat(ContentCredentials.unsigned(signed)).isEqualTo(png);
    assertThat(ContentCredentials.unsigned(png)).isEqualTo(png);
  }

  @Test
  void signedPngStillDecodesAndCarriesTheManifestRightAfterIhdr() throws IOException {
    byte[] signed = ContentCredentials.sign(png, Fixtures.assertion("img-1", 64, 48, null), identity);
    List<Png.Chunk> chunks = Png.chunks(signed);
    assertThat(chunks.get(1).type()).isEqualTo("caBX");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(signed));
    assertThat(image.getWidth()).isEqualTo(64);
    assertThat(image.getHeight()).isEqualTo(48);
  }

  @Test
  void verifyReadsBackTheKilnAssertionSignerAndGenerator() {
    KilnAssertion a = Fixtures.assertion("img-2", 64, 48, "a red kite");
    Verification v = ContentCredentials.verify(ContentCredentials.sign(png, a, identity), List.of(root));
    assertThat(v.present()).isTrue();
    assertThat(v.valid()).isTrue();
    assertThat(v.trusted()).isTrue();
    assertThat(v.failures()).isEmpty();
    assertThat(v.kiln()).contains(a);
    assertThat(v.signer()).isEqualTo("O=Kiln,CN=Kiln Local Signer");
    assertThat(v.issuer()).isEqualTo("O=Kiln,CN=Kiln Local CA");
    assertThat(v.claimGenerator()).startsWith("Kiln");
  }

  @Test
  void promptIsLeftOutWhenNull() {
    KilnAssertion a = Fixtures.assertion("img-3", 64, 48, null);
    byte[] signed = ContentCredentials.sign(png, a, identity);
    assertThat(new String(signed, StandardCharsets.ISO_8859_1)).doesNotContain("prompt");
    assertThat(ContentCredentials.verify(signed, List.of()).kiln().orElseThrow().prompt()).isNull();
  }

  @Test
  void resigningReplacesTheOldManifest() {
    byte[] once = ContentCredentials.sign(png, Fixtures.assertion("img-4", 64, 48, "first"), identity);
    KilnAssertion second = Fixtures.assertion("img-4", 64, 48, "second");
    byte[] twice = ContentCredentials.sign(once, second, identity);
    assertThat(Png.chunks(twice).stream().filter(c -> c.type().equals("caBX"))).hasSize(1);
    assertThat(twice).isEqualTo(ContentCredentials.sign(png, second, identity));
    assertThat(ContentCredentials.verify(twice, List.of(root)).kiln()).contains(second);
  }

  @Test
  void signingKeyNeverAppearsInTheOutput() {
    byte[] signed = ContentCredentials.sign(png, Fixtures.assertion("img-5", 64, 48, "x"), identity);
    BigInteger d = ((ECPrivateKey) identity.key()).getS();
    byte[] scalar = BigIntegers.asUnsignedByteArray(32, d);
    assertThat(indexOf(signed, scalar)).as("private scalar in the PNG").isEqualTo(-1);
    assertThat(indexOf(signed, identity.key().getEncoded())).as("PKCS#8 key in the PNG").isEqualTo(-1);
    assertThat(identity.toString()).doesNotContain(d.toString()).doesNotContain(d.toString(16));
  }

  @Test
  void aFlippedSignatureByteIsAClaimSignatureMismatch() {
    byte[] signed = ContentCredentials.sign(png, Fixtures.assertion("img-6", 64, 48, null), identity);
    Png.Chunk c2pa = Png.c2paChunk(signed).orElseThrow();
    // The signature box is the store's last box and the raw r||s signature its last 64 bytes.
    signed[c2pa.dataOffset() + c2pa.length() - 10] ^= 0x01;
    Verification v = ContentCredentials.verify(signed, List.of(root));
    assertThat(v.valid()).isFalse();
    assertThat(v.failures()).containsExactly("claimSignature.mismatch");
  }

  @Test
  void anEditedAssertionIsAHashedUriMismatch() {
    byte[] signed = ContentCredentials.sign(png, Fixtures.assertion("img-7", 64, 48, null), identity);
    int at = indexOf(signed, "kiln-tiny".getBytes(StandardCharsets.US_ASCII));
    signed[at] = 'K';
    Verification v = ContentCredentials.verify(signed, List.of(root));
    assertThat(v.valid()).isFalse();
    assertThat(v.failures()).contains("assertion.hashedURI.mismatch");
  }

  @Test
  void anotherCasRootDoesNotTrustTheSigner() {
    X509Certificate otherRoot = LocalCa.createIfAbsent(dir.resolve("other-ca")).caCertificateX509();
    Verification v = ContentCredentials.verify(
        ContentCredentials.sign(png, Fixtures.assertion("img-8", 64, 48, null), identity), List.of(otherRoot));
    assertThat(v.valid()).isTrue();
    assertThat(v.trusted()).isFalse();
    assertThat(v.failures()).containsExactly("signingCredential.untrusted");
  }

  @Test
  void aPngWithoutManifestIsNotPresent() {
    Verification v = ContentCredentials.verify(png, List.of(root));
    assertThat(v.present()).isFalse();
    assertThat(v.valid()).isFalse();
    assertThat(v.kiln()).isEmpty();
  }

  @Test
  void rejectsBytesThatAreNotAPng() {
    assertThatThrownBy(() -> ContentCredentials.sign(new byte[] {1, 2, 3}, Fixtures.assertion("x", 1, 1, null), identity))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PNG");
  }

  @Test
  void printsTheMedianSigningTimeAt512() {
    byte[] big = Fixtures.png(512, 512, 2);
    KilnAssertion a = Fixtures.assertion("img-512", 512, 512, "a lighthouse");
    int warmUp = 50;
    int runs = 100;
    byte[] out = null;
    for (int i = 0; i < warmUp; i++) {
      out = ContentCredentials.sign(big, a, identity);
    }
    long[] nanos = new long[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      out = ContentCredentials.sign(big, a, identity);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    System.out.printf("ContentCredentials.sign 512x512 (%d KB PNG): median %.2f ms, p90 %.2f ms over %d runs after %d"
        + " warm-up runs%n", big.length / 1024, nanos[runs / 2] / 1e6, nanos[runs * 9 / 10] / 1e6, runs, warmUp);
    assertThat(ContentCredentials.verify(out, List.of(root)).trusted()).isTrue();
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
