package dev.kiln.provenance.c2pa.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.junit.jupiter.api.Test;

class CoseTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void protectedHeaderHoldsEs256AndTheCertificateAsOneByteString() {
    byte[] header = Cose.protectedHeader(List.of(new byte[] {0x30, 0x00}));
    // {1: -7, 33: h'3000'}
    assertThat(HEX.formatHex(header)).isEqualTo("a2" + "0126" + "1821" + "423000");
  }

  @Test
  void protectedHeaderHoldsSeveralCertificatesAsAnArray() {
    byte[] header = Cose.protectedHeader(List.of(new byte[] {1}, new byte[] {2}));
    assertThat(HEX.formatHex(header)).isEqualTo("a2" + "0126" + "1821" + "82" + "4101" + "4102");
  }

  @Test
  void sign1IsTaggedWithAnEmptyUnprotectedHeaderAndADetachedPayload() {
    byte[] sign1 = Cose.sign1(new byte[] {(byte) 0xa0}, new byte[] {9});
    // 18([h'a0', {}, nil, h'09'])
    assertThat(HEX.formatHex(sign1)).isEqualTo("d2" + "84" + "41a0" + "a0" + "f6" + "4109");
  }

  @Test
  void toBeSignedIsTheSignature1Structure() {
    byte[] tbs = Cose.toBeSigned(new byte[] {(byte) 0xa0}, new byte[] {7});
    // ["Signature1", h'a0', h'', h'07']
    assertThat(HEX.formatHex(tbs)).isEqualTo("84" + "6a" + HEX.formatHex("Signature1".getBytes()) + "41a0" + "40" + "4107");
  }

  @Test
  void parseReadsBackWhatSignWrote() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    var keys = generator.generateKeyPair();
    ECPrivateKeyParameters priv = Ecdsa.privateKey(keys.getPrivate());
    ECPublicKeyParameters pub = Ecdsa.publicKey(keys.getPublic());
    byte[] header = Cose.protectedHeader(List.of(new byte[] {0x30, 0x01, 0x05}));
    byte[] claim = {1, 2, 3};
    byte[] signature = Ecdsa.sign(priv, Cose.toBeSigned(header, claim));
    assertThat(signature).hasSize(64).isEqualTo(Ecdsa.sign(priv, Cose.toBeSigned(header, claim)));

    Cose.Sign1 parsed = Cose.parse(Cose.sign1(header, signature));
    assertThat(parsed.alg()).isEqualTo(Cose.ES256);
    assertThat(parsed.x5chain()).singleElement().isEqualTo(new byte[] {0x30, 0x01, 0x05});
    assertThat(parsed.protectedHeader()).isEqualTo(header);
    assertThat(Ecdsa.verify(pub, Cose.toBeSigned(parsed.protectedHeader(), claim), parsed.signature())).isTrue();
    assertThat(Ecdsa.verify(pub, Cose.toBeSigned(parsed.protectedHeader(), new byte[] {1, 2, 4}), parsed.signature()))
        .isFalse();
  }
}
