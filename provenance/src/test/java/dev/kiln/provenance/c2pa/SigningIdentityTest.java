package dev.kiln.provenance.c2pa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningIdentityTest {
  private static final char[] PASSWORD = "secret".toCharArray();

  @TempDir Path dir;

  @Test
  void readsTheLocalCasKeystoreWithoutTheRoot() {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir);
    SigningIdentity identity = ca.signingIdentity();
    assertThat(identity.chain()).hasSize(1);
    assertThat(identity.chain().get(0).getIssuerX500Principal())
        .isEqualTo(ca.caCertificateX509().getSubjectX500Principal());
  }

  @Test
  void wrongPasswordNamesTheFile() {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir);
    assertThatThrownBy(() -> SigningIdentity.fromPkcs12(ca.keystore(), "nope".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password")
        .hasMessageContaining(ca.keystore().toString());
  }

  @Test
  void keystoreWithoutPrivateKeyNamesTheFile() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("root", LocalCa.createIfAbsent(dir.resolve("ca")).caCertificateX509());
    Path file = save(store, "certs-only.p12");
    assertThatThrownBy(() -> SigningIdentity.fromPkcs12(file, PASSWORD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no private-key entry")
        .hasMessageContaining(file.toString());
  }

  @Test
  void keyOtherThanP256IsRejectedNamingTheFile() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name("CN=P-384");
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new java.io.ByteArrayInputStream(new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(),
            new Date(System.currentTimeMillis() + 86_400_000L), name, keys.getPublic())
            .build(new JcaContentSignerBuilder("SHA384withECDSA").build(keys.getPrivate())).getEncoded()));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("p384", keys.getPrivate(), PASSWORD, new X509Certificate[] {cert});
    Path file = save(store, "p384.p12");
    assertThatThrownBy(() -> SigningIdentity.fromPkcs12(file, PASSWORD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P-256")
        .hasMessageContaining(file.toString());
  }

  @Test
  void certificateOfAnotherKeyIsRejected() {
    SigningIdentity a = LocalCa.createIfAbsent(dir.resolve("a")).signingIdentity();
    SigningIdentity b = LocalCa.createIfAbsent(dir.resolve("b")).signingIdentity();
    assertThatThrownBy(() -> new SigningIdentity(a.key(), b.chain()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the signing key's");
  }

  @Test
  void missingFileSaysSo() {
    Path file = dir.resolve("absent.p12");
    assertThatThrownBy(() -> SigningIdentity.fromPkcs12(file, PASSWORD)).hasMessageContaining(file.toString());
  }

  private Path save(KeyStore store, String name) throws Exception {
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD);
    }
    return file;
  }
}
