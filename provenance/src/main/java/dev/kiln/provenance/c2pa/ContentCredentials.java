package dev.kiln.provenance.c2pa;

import dev.kiln.provenance.c2pa.internal.Ecdsa;
import dev.kiln.provenance.c2pa.internal.ManifestReader;
import dev.kiln.provenance.c2pa.internal.ManifestWriter;
import dev.kiln.provenance.c2pa.internal.Png;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * Signs C2PA Content Credentials into PNGs and verifies them. A signed PNG carries a manifest store
 * in a {@code caBX} chunk right after IHDR with one manifest (claim v2) of three assertions: {@code
 * c2pa.actions.v2} (one {@code c2pa.created} action, digital source type {@code
 * trainedAlgorithmicMedia}), the hard binding {@code c2pa.hash.data} (SHA-256 over the file without
 * the {@code caBX} chunk) and Kiln's {@code dev.kiln.render}. The claim is signed with ES256 in a
 * COSE_Sign1 that carries the certificate chain. c2pa-rs, the reference implementation, validates
 * the result (see {@code ContentCredentialsConformanceTest}).
 *
 * <p>Thread-safe. The most recently used {@link SigningIdentity} is kept parsed, so a job that signs
 * with one identity pays for key parsing once.
 */
public final class ContentCredentials {
  private static volatile Prepared last;

  private ContentCredentials() {}

  /**
   * The PNG with a C2PA manifest store in a {@code caBX} chunk (any earlier {@code caBX} removed).
   * Deterministic: same inputs give the same bytes (RFC 6979 deterministic ECDSA, ids derived from
   * the image id and the image, no clock reads).
   *
   * @throws IllegalArgumentException when {@code png} is not a PNG
   */
  public static byte[] sign(byte[] png, KilnAssertion assertion, SigningIdentity identity) {
    return writer(identity).sign(png, assertion);
  }

  /**
   * Reads and checks a PNG's manifest: present?, claim signature valid, data hash matches, chain to
   * one of {@code trustAnchors} (empty = not checked).
   *
   * @throws IllegalArgumentException when {@code png} is not a PNG
   */
  public static Verification verify(byte[] png, Collection<X509Certificate> trustAnchors) {
    return ManifestReader.verify(png, trustAnchors);
  }

  /**
   * The PNG without its C2PA manifest store: the bytes {@link #sign} was given, when the file is
   * one it signed (signing only inserts the {@code caBX} chunk). {@code png} as it is when it has none.
   *
   * @throws IllegalArgumentException when {@code png} is not a PNG
   */
  public static byte[] unsigned(byte[] png) {
    return Png.withoutC2pa(png);
  }

  private static ManifestWriter writer(SigningIdentity identity) {
    Prepared p = last;
    if (p == null || p.identity() != identity) {
      p = new Prepared(identity, new ManifestWriter(Ecdsa.privateKey(identity.key()), identity.chain(),
          ContentCredentials.class.getPackage().getImplementationVersion()));
      last = p;
    }
    return p.writer();
  }

  private record Prepared(SigningIdentity identity, ManifestWriter writer) {}
}
