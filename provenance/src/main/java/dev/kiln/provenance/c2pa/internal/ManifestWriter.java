package dev.kiln.provenance.c2pa.internal;

import dev.kiln.provenance.c2pa.KilnAssertion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;

/**
 * Builds a C2PA manifest store (one manifest, claim v2) and embeds it in a PNG, as c2pa-rs lays it
 * out: store {@code c2pa} > manifest {@code urn:c2pa:<uuid>} > assertion store, claim, signature.
 *
 * <p>The data hash excludes the whole {@code caBX} chunk, inserted right after IHDR, so it equals the
 * SHA-256 of the PNG without that chunk and is known before the manifest is. Only the exclusion's
 * length refers to the manifest's own size; the ES256 signature always has 64 bytes, so the size is
 * found by building with a placeholder signature until the length stops changing (twice, or three
 * times when the length's CBOR width changes), and then signing once. The data hash's {@code pad}
 * therefore stays empty.
 *
 * <p>Instances hold the parsed key and the encoded certificate chain, so signing parses nothing.
 */
public final class ManifestWriter {
  public static final String ACTIONS_LABEL = "c2pa.actions.v2";
  public static final String DATA_HASH_LABEL = "c2pa.hash.data";
  public static final String CLAIM_LABEL = "c2pa.claim.v2";
  public static final String TRAINED_ALGORITHMIC_MEDIA =
      "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
  static final String GENERATOR_NAME = "Kiln";

  private static final byte[] PLACEHOLDER_SIGNATURE = new byte[Ecdsa.SIGNATURE_LENGTH];
  private static final byte[] ACTIONS = actions();

  private final ECPrivateKeyParameters key;
  private final byte[] protectedHeader;
  private final String generatorVersion;

  public ManifestWriter(ECPrivateKeyParameters key, List<X509Certificate> chain, String generatorVersion) {
    this.key = key;
    List<byte[]> der = new ArrayList<>();
    for (X509Certificate cert : chain) {
      try {
        der.add(cert.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
      }
    }
    this.protectedHeader = Cose.protectedHeader(der);
    this.generatorVersion = generatorVersion;
  }

  /** {@code png} with any {@code caBX} chunk replaced by a signed manifest for {@code assertion}. */
  public byte[] sign(byte[] png, KilnAssertion assertion) {
    byte[] base = Png.withoutC2pa(png);
    int at = Png.afterIhdr(base);
    byte[] dataHash = Ecdsa.sha256(base);
    String manifestLabel = "urn:c2pa:" + uuid("manifest", assertion.imageId(), dataHash);
    String instanceId = "xmp:iid:" + uuid("instance", assertion.imageId(), dataHash);
    byte[] kiln = KilnCbor.encode(assertion);

    long chunkLength = 0;
    Parts parts;
    while (true) {
      parts = parts(manifestLabel, instanceId, kiln, dataHash, at, chunkLength);
      long size = store(manifestLabel, parts, PLACEHOLDER_SIGNATURE).length + Png.CHUNK_OVERHEAD;
      if (size == chunkLength) {
        break;
      }
      chunkLength = size;
    }
    byte[] signature = Ecdsa.sign(key, Cose.toBeSigned(protectedHeader, parts.claim()));
    byte[] store = store(manifestLabel, parts, signature);
    return Png.insertChunk(base, at, Png.C2PA_CHUNK, store);
  }

  private record Parts(byte[][] assertionBoxes, byte[] claim) {}

  private Parts parts(String manifestLabel, String instanceId, byte[] kiln, byte[] dataHash, int at, long length) {
    byte[] hashData = Cbor.writer()
        .map(5)
        .key("exclusions").array(1).map(2).key("start").integer(at).key("length").integer(length).endMap().endArray()
        .key("name").text("jumbf manifest")
        .key("alg").text("sha256")
        .key("hash").bytes(dataHash)
        .key("pad").bytes(new byte[0])
        .endMap()
        .toBytes();
    String[] labels = {ACTIONS_LABEL, DATA_HASH_LABEL, KilnAssertion.LABEL};
    byte[][] contents = {ACTIONS, hashData, kiln};
    byte[][] boxes = new byte[labels.length][];
    Cbor claim = Cbor.writer()
        .map(5)
        .key("instanceID").text(instanceId)
        .key("claim_generator_info");
    if (generatorVersion != null) {
      claim.map(2).key("name").text(GENERATOR_NAME).key("version").text(generatorVersion).endMap();
    } else {
      claim.map(1).key("name").text(GENERATOR_NAME).endMap();
    }
    claim.key("signature").text("self#jumbf=/c2pa/" + manifestLabel + "/c2pa.signature");
    claim.key("created_assertions").array(labels.length);
    for (int i = 0; i < labels.length; i++) {
      // An assertion's hash covers its superbox without the 8-byte box header (c2pa-rs calc_assertion_box_hash).
      byte[] payload = Jumbf.superBoxPayload(Jumbf.CBOR_UUID, labels[i], Jumbf.cborBox(contents[i]));
      boxes[i] = Jumbf.box("jumb", payload);
      claim.map(2).key("url").text("self#jumbf=c2pa.assertions/" + labels[i]).key("hash").bytes(Ecdsa.sha256(payload))
          .endMap();
    }
    claim.endArray().key("alg").text("sha256").endMap();
    return new Parts(boxes, claim.toBytes());
  }

  private byte[] store(String manifestLabel, Parts parts, byte[] signature) {
    return Jumbf.superBox(
        Jumbf.MANIFEST_STORE_UUID,
        "c2pa",
        Jumbf.superBox(
            Jumbf.MANIFEST_UUID,
            manifestLabel,
            Jumbf.superBox(Jumbf.ASSERTION_STORE_UUID, "c2pa.assertions", parts.assertionBoxes()),
            Jumbf.superBox(Jumbf.CLAIM_UUID, CLAIM_LABEL, Jumbf.cborBox(parts.claim())),
            Jumbf.superBox(Jumbf.SIGNATURE_UUID, "c2pa.signature",
                Jumbf.cborBox(Cose.sign1(protectedHeader, signature)))));
  }

  private static byte[] actions() {
    return Cbor.writer()
        .map(1)
        .key("actions").array(1)
        .map(2).key("action").text("c2pa.created").key("digitalSourceType").text(TRAINED_ALGORITHMIC_MEDIA).endMap()
        .endArray()
        .endMap()
        .toBytes();
  }

  /**
   * A UUID derived from the image id and the image's bytes, so that signing reads neither a clock
   * nor a random source.
   */
  private static UUID uuid(String purpose, String imageId, byte[] dataHash) {
    MessageDigest digest = Ecdsa.sha256();
    digest.update(("kiln:" + purpose + ":" + imageId + ":").getBytes(StandardCharsets.UTF_8));
    digest.update(dataHash);
    ByteBuffer b = ByteBuffer.wrap(digest.digest());
    long msb = (b.getLong() & ~0xF000L) | 0x8000L; // version 8: custom, name-based
    long lsb = (b.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // RFC 4122 variant
    return new UUID(msb, lsb);
  }
}
