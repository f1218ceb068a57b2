package dev.kiln.provenance.c2pa.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.provenance.c2pa.KilnAssertion;
import dev.kiln.provenance.c2pa.Verification;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Reads and checks the active (last) manifest of a PNG's C2PA manifest store: the claim signature,
 * each assertion's hash in the claim, the data hash over the file, the certificate's validity now,
 * and, given trust anchors, its chain. Failures are C2PA validation status codes.
 */
public final class ManifestReader {
  static final String CLAIM_MALFORMED = "claim.malformed";
  static final String CLAIM_SIGNATURE_MISSING = "claimSignature.missing";
  static final String CLAIM_SIGNATURE_MISMATCH = "claimSignature.mismatch";
  static final String ALGORITHM_UNSUPPORTED = "algorithm.unsupported";
  static final String ASSERTION_MISSING = "assertion.missing";
  static final String HASHED_URI_MISMATCH = "assertion.hashedURI.mismatch";
  static final String DATA_HASH_MISSING = "claim.hardBindings.missing";
  static final String DATA_HASH_MALFORMED = "assertion.dataHash.malformed";
  static final String DATA_HASH_MISMATCH = "assertion.dataHash.mismatch";
  static final String CREDENTIAL_INVALID = "signingCredential.invalid";
  static final String CREDENTIAL_EXPIRED = "signingCredential.expired";
  static final String CREDENTIAL_UNTRUSTED = "signingCredential.untrusted";

  private ManifestReader() {}

  /** Verifies {@code png}'s manifest; {@code trustAnchors} empty means trust is not checked. */
  public static Verification verify(byte[] png, Collection<X509Certificate> trustAnchors) {
    Optional<Png.Chunk> chunk = Png.c2paChunk(png);
    if (chunk.isEmpty()) {
      return Verification.absent();
    }
    Checker checker = new Checker(png, chunk.get());
    try {
      checker.check(trustAnchors);
    } catch (IllegalArgumentException e) {
      // A store that cannot be parsed: whatever was read so far stays in the result.
      checker.failures.add(CLAIM_MALFORMED);
    }
    Set<String> failures = checker.failures;
    boolean valid = failures.stream().allMatch(CREDENTIAL_UNTRUSTED::equals);
    boolean trusted = valid && !trustAnchors.isEmpty() && !failures.contains(CREDENTIAL_UNTRUSTED);
    return new Verification(true, valid, trusted, List.copyOf(failures), checker.signer, checker.issuer,
        Optional.ofNullable(checker.kiln), checker.generator);
  }

  private static final class Checker {
    private final byte[] png;
    private final Png.Chunk chunk;
    private final Set<String> failures = new LinkedHashSet<>();
    private String signer;
    private String issuer;
    private KilnAssertion kiln;
    private String generator;

    Checker(byte[] png, Png.Chunk chunk) {
      this.png = png;
      this.chunk = chunk;
    }

    void check(Collection<X509Certificate> trustAnchors) {
      Jumbf.Box store = Jumbf.parse(Arrays.copyOfRange(png, chunk.dataOffset(), chunk.dataOffset() + chunk.length()));
      List<Jumbf.Box> manifests = store.children().stream()
          .filter(b -> b.isSuperBox() && Arrays.equals(b.uuid(), Jumbf.MANIFEST_UUID)).toList();
      if (!Arrays.equals(store.uuid(), Jumbf.MANIFEST_STORE_UUID) || manifests.isEmpty()) {
        throw new IllegalArgumentException("no C2PA manifest in the store");
      }
      Jumbf.Box manifest = manifests.get(manifests.size() - 1);
      Jumbf.Box assertions = manifest.child("c2pa.assertions")
          .orElseThrow(() -> new IllegalArgumentException("no assertion store"));
      Jumbf.Box claimBox = manifest.children().stream()
          .filter(b -> b.isSuperBox() && Arrays.equals(b.uuid(), Jumbf.CLAIM_UUID)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no claim"));
      byte[] claimBytes = claimBox.content("cbor").orElseThrow(() -> new IllegalArgumentException("claim has no CBOR"));
      JsonNode claim = Cbor.read(claimBytes);
      generator = generator(claim);

      Optional<byte[]> cose = manifest.child("c2pa.signature").flatMap(b -> b.content("cbor"));
      if (cose.isEmpty()) {
        failures.add(CLAIM_SIGNATURE_MISSING);
      } else {
        checkSignature(Cose.parse(cose.get()), claimBytes, trustAnchors);
      }
      checkAssertions(claim, assertions);
    }

    private void checkSignature(Cose.Sign1 sign1, byte[] claimBytes, Collection<X509Certificate> trustAnchors) {
      List<X509Certificate> chain = new ArrayList<>();
      try {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (byte[] der : sign1.x5chain()) {
          chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        }
      } catch (GeneralSecurityException e) {
        failures.add(CREDENTIAL_INVALID);
        return;
      }
      X509Certificate cert = chain.get(0);
      signer = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
      issuer = cert.getIssuerX500Principal().getName(X500Principal.RFC2253);
      if (sign1.alg() != Cose.ES256) {
        failures.add(ALGORITHM_UNSUPPORTED);
        return;
      }
      boolean verified;
      try {
        verified = Ecdsa.verify(Ecdsa.publicKey(cert.getPublicKey()),
            Cose.toBeSigned(sign1.protectedHeader(), claimBytes),
            sign1.signature());
      } catch (IllegalArgumentException e) {
        failures.add(ALGORITHM_UNSUPPORTED);
        return;
      }
      if (!verified) {
        failures.add(CLAIM_SIGNATURE_MISMATCH);
      }
      try {
        cert.checkValidity();
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        failures.add(CREDENTIAL_EXPIRED);
      }
      if (!trustAnchors.isEmpty() && !chainsTo(chain, trustAnchors)) {
        failures.add(CREDENTIAL_UNTRUSTED);
      }
    }

    private void checkAssertions(JsonNode claim, Jumbf.Box assertions) {
      List<JsonNode> refs = new ArrayList<>();
      for (String field : List.of("created_assertions", "gathered_assertions", "assertions")) {
        claim.path(field).forEach(refs::add);
      }
      boolean hardBinding = false;
      for (JsonNode ref : refs) {
        String url = ref.path("url").asText("");
        String label = url.substring(url.lastIndexOf('/') + 1);
        Optional<Jumbf.Box> box = assertions.child(label);
        if (box.isEmpty()) {
          failures.add(ASSERTION_MISSING);
          continue;
        }
        byte[] expected = binary(ref.get("hash"));
        if (!MessageDigest.isEqual(expected, Ecdsa.sha256(box.get().payload()))) {
          failures.add(HASHED_URI_MISMATCH);
          continue;
        }
        byte[] content = box.get().content("cbor").orElse(null);
        if (ManifestWriter.DATA_HASH_LABEL.equals(label)) {
          hardBinding = true;
          checkDataHash(content);
        } else if (KilnAssertion.LABEL.equals(label) && content != null) {
          kiln = kilnOrNull(content);
        }
      }
      if (!hardBinding) {
        failures.add(DATA_HASH_MISSING);
      }
    }

    private void checkDataHash(byte[] content) {
      if (content == null) {
        failures.add(DATA_HASH_MALFORMED);
        return;
      }
      JsonNode dataHash = Cbor.read(content);
      byte[] expected = binary(dataHash.get("hash"));
      if (!"sha256".equals(dataHash.path("alg").asText("sha256")) || expected == null) {
        failures.add(DATA_HASH_MALFORMED);
        return;
      }
      List<long[]> exclusions = new ArrayList<>();
      for (JsonNode e : dataHash.path("exclusions")) {
        long start = e.path("start").asLong(-1);
        long length = e.path("length").asLong(-1);
        if (start < 0 || length < 0 || start + length > png.length) {
          failures.add(DATA_HASH_MALFORMED);
          return;
        }
        exclusions.add(new long[] {start, length});
      }
      exclusions.sort(Comparator.comparingLong(e -> e[0]));
      MessageDigest digest = Ecdsa.sha256();
      long pos = 0;
      for (long[] e : exclusions) {
        if (e[0] > pos) {
          digest.update(png, (int) pos, (int) (e[0] - pos));
        }
        pos = Math.max(pos, e[0] + e[1]);
      }
      digest.update(png, (int) pos, (int) (png.length - pos));
      if (!MessageDigest.isEqual(expected, digest.digest())) {
        failures.add(DATA_HASH_MISMATCH);
      }
    }

    /** Kiln's assertion, or null when it does not have Kiln's fields: that is Kiln's concern, not C2PA validity. */
    private static KilnAssertion kilnOrNull(byte[] content) {
      try {
        return KilnCbor.decode(content);
      } catch (IllegalArgumentException | DateTimeParseException e) {
        return null;
      }
    }

    private static String generator(JsonNode claim) {
      JsonNode info = claim.get("claim_generator_info");
      if (info != null && info.isArray()) {
        info = info.get(0);
      }
      if (info != null && info.hasNonNull("name")) {
        String version = info.path("version").asText(null);
        return info.get("name").asText() + (version != null ? " " + version : "");
      }
      JsonNode legacy = claim.get("claim_generator");
      return legacy != null ? legacy.asText() : null;
    }

    private static byte[] binary(JsonNode node) {
      try {
        return node != null && node.isBinary() ? node.binaryValue() : null;
      } catch (IOException e) {
        return null;
      }
    }

    private static boolean chainsTo(List<X509Certificate> chain, Collection<X509Certificate> anchors) {
      Set<TrustAnchor> trust = new HashSet<>();
      anchors.forEach(a -> trust.add(new TrustAnchor(a, null)));
      try {
        // The x5chain may end with the root itself; PKIX wants the path without the anchor.
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1 && anchors.contains(path.get(path.size() - 1))) {
          path.remove(path.size() - 1);
        }
        PKIXParameters params = new PKIXParameters(trust);
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
            .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        return true;
      } catch (GeneralSecurityException e) {
        return false;
      }
    }
  }
}
