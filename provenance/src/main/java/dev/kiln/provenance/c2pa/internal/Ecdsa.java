package dev.kiln.provenance.c2pa.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256: ECDSA on P-256 with SHA-256, signatures as COSE wants them (r and s, 32 bytes each, no
 * DER). Signing is deterministic (RFC 6979), so the same claim always gets the same signature, and
 * {@code s} is normalised to the lower half of the group order. Uses BouncyCastle's lightweight API
 * only: nothing is registered as a JCA provider, so a shaded jar, which loses BouncyCastle's jar
 * signatures, works.
 */
public final class Ecdsa {
  /** Bytes of a raw r||s signature. */
  public static final int SIGNATURE_LENGTH = 64;

  private static final X9ECParameters P256 = ECNamedCurveTable.getByName("P-256");
  private static final BigInteger HALF_ORDER = P256.getN().shiftRight(1);

  private Ecdsa() {}

  /**
   * BouncyCastle's form of a JCA private key, parsed once so that signing does no key parsing.
   *
   * @throws IllegalArgumentException when the key is not an EC key on P-256
   */
  public static ECPrivateKeyParameters privateKey(PrivateKey key) {
    AsymmetricKeyParameter params;
    try {
      params = PrivateKeyFactory.createKey(key.getEncoded());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an EC P-256 private key (" + key.getAlgorithm() + ")", e);
    }
    if (!(params instanceof ECPrivateKeyParameters ec) || !isP256(ec.getParameters())) {
      throw new IllegalArgumentException("not an EC P-256 private key (" + key.getAlgorithm() + ")");
    }
    return ec;
  }

  /**
   * BouncyCastle's form of a certificate's public key.
   *
   * @throws IllegalArgumentException when the key is not an EC key on P-256
   */
  public static ECPublicKeyParameters publicKey(PublicKey key) {
    AsymmetricKeyParameter params;
    try {
      params = PublicKeyFactory.createKey(key.getEncoded());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an EC P-256 public key (" + key.getAlgorithm() + ")", e);
    }
    if (!(params instanceof ECPublicKeyParameters ec) || !isP256(ec.getParameters())) {
      throw new IllegalArgumentException("not an EC P-256 public key (" + key.getAlgorithm() + ")");
    }
    return ec;
  }

  /** The ES256 signature of {@code message}: r||s, 64 bytes, deterministic. */
  public static byte[] sign(ECPrivateKeyParameters key, byte[] message) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, key);
    BigInteger[] rs = signer.generateSignature(sha256(message));
    BigInteger s = rs[1].compareTo(HALF_ORDER) > 0 ? P256.getN().subtract(rs[1]) : rs[1];
    byte[] out = new byte[SIGNATURE_LENGTH];
    BigIntegers.asUnsignedByteArray(rs[0], out, 0, 32);
    BigIntegers.asUnsignedByteArray(s, out, 32, 32);
    return out;
  }

  /** Whether {@code signature} (r||s) is a valid ES256 signature of {@code message} by {@code key}. */
  public static boolean verify(ECPublicKeyParameters key, byte[] message, byte[] signature) {
    if (signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, key);
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    return verifier.verifySignature(sha256(message), r, s);
  }

  /** SHA-256 of {@code data}. */
  public static byte[] sha256(byte[] data) {
    return sha256(data, 0, data.length);
  }

  /** SHA-256 of a slice of {@code data}. */
  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest digest = sha256();
    digest.update(data, offset, length);
    return digest.digest();
  }

  /**
   * A fresh SHA-256 digest from the JDK, whose intrinsics hash a 512x512 PNG several times faster
   * than BouncyCastle's pure-Java digest.
   */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static boolean isP256(ECDomainParameters params) {
    return params.getCurve().equals(P256.getCurve()) && params.getG().equals(P256.getG());
  }
}
