package dev.kiln.provenance.c2pa;

import java.util.List;
import java.util.Optional;

/**
 * What {@link ContentCredentials#verify} found in a PNG.
 *
 * @param present whether the file has a C2PA manifest store ({@code caBX} chunk)
 * @param valid whether the active manifest is well formed, its claim signature verifies, every
 *     assertion matches its hash in the claim, and the data hash matches the file
 * @param trusted whether it is valid and its signer chains to one of the trust anchors given
 * @param failures C2PA validation status codes, e.g. {@code assertion.dataHash.mismatch}, {@code
 *     claimSignature.mismatch}, {@code signingCredential.untrusted}; empty when valid and trusted
 * @param signer the signing certificate's subject DN (RFC 2253), null when there is none
 * @param issuer the signing certificate's issuer DN (RFC 2253), null when there is none
 * @param kiln Kiln's own assertion, when the manifest has a readable one
 * @param claimGenerator the claim generator's name and version, null when there is none
 */
public record Verification(
    boolean present,
    boolean valid,
    boolean trusted,
    List<String> failures,
    String signer,
    String issuer,
    Optional<KilnAssertion> kiln,
    String claimGenerator) {
  public Verification {
    failures = List.copyOf(failures);
  }

  /** The result for a file without a manifest. */
  public static Verification absent() {
    return new Verification(false, false, false, List.of(), null, null, Optional.empty(), null);
  }
}
