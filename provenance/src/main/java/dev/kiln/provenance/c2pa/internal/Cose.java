package dev.kiln.provenance.c2pa.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * COSE_Sign1 (RFC 9052) as C2PA uses it for the claim signature: tagged (18), algorithm and
 * {@code x5chain} (label 33, one byte string for a single certificate, else an array, signer first)
 * in the protected header, an empty unprotected header, a detached (nil) payload, and a raw r||s
 * signature. This is the layout c2pa-rs's {@code cose::sign} writes when there is no time stamp.
 * Hand-written because no maintained Java COSE library is smaller than these few lines, and the
 * bytes must match exactly.
 */
public final class Cose {
  /** COSE algorithm id of ES256. */
  public static final int ES256 = -7;

  private static final int TAG_SIGN1 = 18;
  private static final int HEADER_ALG = 1;
  private static final int HEADER_X5CHAIN = 33;

  private Cose() {}

  /** A parsed COSE_Sign1. */
  public record Sign1(byte[] protectedHeader, int alg, List<byte[]> x5chain, byte[] signature) {}

  /** The serialised protected header: alg ES256 and the DER certificates, signer first. */
  public static byte[] protectedHeader(List<byte[]> chainDer) {
    Cbor cbor = Cbor.writer().map(2).key(HEADER_ALG).integer(ES256).key(HEADER_X5CHAIN);
    if (chainDer.size() == 1) {
      cbor.bytes(chainDer.get(0));
    } else {
      cbor.array(chainDer.size());
      chainDer.forEach(cbor::bytes);
      cbor.endArray();
    }
    return cbor.endMap().toBytes();
  }

  /** The bytes that are signed: Sig_structure ["Signature1", protected, external_aad = h'', payload]. */
  public static byte[] toBeSigned(byte[] protectedHeader, byte[] payload) {
    return Cbor.writer()
        .array(4)
        .text("Signature1")
        .bytes(protectedHeader)
        .bytes(new byte[0])
        .bytes(payload)
        .endArray()
        .toBytes();
  }

  /** The tagged COSE_Sign1 with a detached payload. */
  public static byte[] sign1(byte[] protectedHeader, byte[] signature) {
    return Cbor.writer()
        .tag(TAG_SIGN1)
        .array(4)
        .bytes(protectedHeader)
        .map(0)
        .endMap()
        .nil()
        .bytes(signature)
        .endArray()
        .toBytes();
  }

  /**
   * Parses a tagged or untagged COSE_Sign1.
   *
   * @throws IllegalArgumentException when it is not one, or its protected header has no algorithm
   *     or {@code x5chain}
   */
  public static Sign1 parse(byte[] cose) {
    JsonNode sign1 = Cbor.read(cose);
    if (!sign1.isArray() || sign1.size() != 4 || !sign1.get(0).isBinary() || !sign1.get(3).isBinary()) {
      throw new IllegalArgumentException("not a COSE_Sign1 array");
    }
    try {
      byte[] protectedBytes = sign1.get(0).binaryValue();
      JsonNode header = Cbor.read(protectedBytes);
      JsonNode alg = header.get(String.valueOf(HEADER_ALG));
      JsonNode x5chain = header.get(String.valueOf(HEADER_X5CHAIN));
      if (alg == null || !alg.canConvertToInt() || x5chain == null) {
        throw new IllegalArgumentException("COSE protected header lacks alg or x5chain");
      }
      List<byte[]> certs = new ArrayList<>();
      if (x5chain.isBinary()) {
        certs.add(x5chain.binaryValue());
      } else if (x5chain.isArray()) {
        for (JsonNode cert : x5chain) {
          certs.add(cert.binaryValue());
        }
      }
      if (certs.isEmpty() || certs.contains(null)) {
        throw new IllegalArgumentException("COSE x5chain holds no certificate");
      }
      return new Sign1(protectedBytes, alg.intValue(), certs, sign1.get(3).binaryValue());
    } catch (IOException e) {
      throw new IllegalArgumentException("COSE_Sign1 is malformed: " + e.getMessage(), e);
    }
  }
}
