/**
 * C2PA Content Credentials for Kiln's PNGs. {@link dev.kiln.provenance.c2pa.ContentCredentials}
 * signs a manifest into a PNG's {@code caBX} chunk (JUMBF boxes, CBOR assertions, a COSE_Sign1 ES256
 * claim signature with the X.509 chain) and verifies one; {@link
 * dev.kiln.provenance.c2pa.SigningIdentity} is the key and certificates that sign, read from a
 * PKCS#12 keystore; {@link dev.kiln.provenance.c2pa.LocalCa} makes a local CA for {@code kiln
 * local}. See docs/provenance.md.
 */
package dev.kiln.provenance.c2pa;
