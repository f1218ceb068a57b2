package dev.kiln.provenance.c2pa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.provenance.c2pa.internal.Png;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent check: c2pa-rs, the C2PA reference implementation (via {@code @contentauth/c2pa-wasm}
 * in Node), validates what {@link ContentCredentials#sign} writes, and agrees with {@link
 * ContentCredentials#verify} on valid, trusted and tampered files. Needs Node and npm (see {@link
 * C2paCheck}); takes a few seconds.
 */
class ContentCredentialsConformanceTest {
  @TempDir static Path dir;

  private static LocalCa.Material ca;
  private static SigningIdentity identity;
  private static X509Certificate root;
  private static C2paCheck c2pa;
  private static List<Path> signed;

  @BeforeAll
  static void signSamples() throws IOException, InterruptedException {
    c2pa = C2paCheck.prepare();
    ca = LocalCa.createIfAbsent(dir.resolve("ca"));
    identity = ca.signingIdentity();
    root = ca.caCertificateX509();
    signed = new ArrayList<>();
    int i = 0;
    for (int size : new int[] {64, 512}) {
      for (String prompt : new String[] {"a lighthouse at dawn, oil on canvas", null}) {
        String id = "img-" + size + "-" + (prompt == null ? "noprompt" : "prompt");
        byte[] png = ContentCredentials.sign(Fixtures.png(size, size, i++), Fixtures.assertion(id, size, size, prompt),
            identity);
        Path file = dir.resolve(id + ".png");
        Files.write(file, png);
        signed.add(file);
      }
    }
  }

  @Test
  void referenceImplementationFindsSignedPngsValidWithoutTrustAnchors() throws IOException, InterruptedException {
    List<C2paCheck.Result> results = c2pa.check(signed, Optional.empty());
    System.out.println("c2pa-wasm, no trust anchors: " + results.get(0).line());
    for (C2paCheck.Result r : results) {
      assertThat(r.validationState()).as(r.line()).isEqualTo("Valid");
      assertThat(r.failure()).as(r.line()).isEmpty();
      assertThat(r.success()).as(r.line()).contains("claimSignature.validated", "assertion.dataHash.match");
      Verification ours = ContentCredentials.verify(Files.readAllBytes(Path.of(r.file())), List.of());
      assertThat(ours.valid()).as(ours.toString()).isTrue();
      assertThat(ours.trusted()).isFalse();
    }
  }

  @Test
  void referenceImplementationTrustsSignedPngsWithTheLocalCaAsAnchor() throws IOException, InterruptedException {
    List<C2paCheck.Result> results = c2pa.check(signed, Optional.of(ca.caCertificate()));
    System.out.println("c2pa-wasm, ca.pem as trust anchor: " + results.get(0).line());
    for (C2paCheck.Result r : results) {
      assertThat(r.validationState()).as(r.line()).isEqualTo("Trusted");
      assertThat(r.success()).as(r.line()).contains("signingCredential.trusted");
      Verification ours = ContentCredentials.verify(Files.readAllBytes(Path.of(r.file())), List.of(root));
      assertThat(ours.trusted()).as(ours.toString()).isTrue();
      assertThat(ours.failures()).isEmpty();
    }
  }

  @Test
  void referenceImplementationReportsAHashMismatchAfterOneIdatByteFlips() throws IOException, InterruptedException {
    List<Path> tampered = new ArrayList<>();
    for (Path file : signed) {
      Path out = dir.resolve("tampered-" + file.getFileName());
      Files.write(out, flipIdatByte(Files.readAllBytes(file)));
      tampered.add(out);
    }
    List<C2paCheck.Result> results = c2pa.check(tampered, Optional.of(ca.caCertificate()));
    System.out.println("c2pa-wasm, one IDAT byte flipped: " + results.get(0).line());
    for (C2paCheck.Result r : results) {
      assertThat(r.validationState()).as(r.line()).isEqualTo("Invalid");
      assertThat(r.failure()).as(r.line()).contains("assertion.dataHash.mismatch");
      Verification ours = ContentCredentials.verify(Files.readAllBytes(Path.of(r.file())), List.of(root));
      assertThat(ours.valid()).isFalse();
      assertThat(ours.trusted()).isFalse();
      assertThat(ours.failures()).containsExactly("assertion.dataHash.mismatch");
    }
  }

  /** Flips one bit in the middle of the first IDAT chunk and fixes its CRC, so the PNG stays well formed. */
  static byte[] flipIdatByte(byte[] png) {
    byte[] out = png.clone();
    Png.Chunk idat = Png.chunks(out).stream().filter(c -> "IDAT".equals(c.type())).findFirst().orElseThrow();
    out[idat.dataOffset() + idat.length() / 2] ^= 0x01;
    CRC32 crc = new CRC32();
    crc.update(out, idat.offset() + 4, 4 + idat.length());
    ByteBuffer.wrap(out).putInt(idat.dataOffset() + idat.length(), (int) crc.getValue());
    return out;
  }
}
