package dev.kiln.provenance.c2pa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCaTest {
  private static final String DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36";

  @TempDir Path dir;

  @Test
  void createsOnceAndReusesAfterwards() throws Exception {
    LocalCa.Material first = LocalCa.createIfAbsent(dir);
    byte[] ca = Files.readAllBytes(first.caCertificate());
    byte[] p12 = Files.readAllBytes(first.keystore());
    LocalCa.Material second = LocalCa.createIfAbsent(dir);
    assertThat(second).isEqualTo(first);
    assertThat(Files.readAllBytes(second.caCertificate())).isEqualTo(ca);
    assertThat(Files.readAllBytes(second.keystore())).isEqualTo(p12);
  }

  @Test
  void secretsAreReadableByTheOwnerOnly() throws Exception {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.passwordFile()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.keystore()))).isEqualTo("rw-------");
  }

  @Test
  void anIncompleteCaIsAnErrorNotSilentlyReplaced() throws Exception {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir);
    Files.delete(ca.keystore());
    assertThatThrownBy(() -> LocalCa.createIfAbsent(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("incomplete");
  }

  @Test
  void certificatesHaveTheProfileC2paRsChecks() throws Exception {
    LocalCa.Material material = LocalCa.createIfAbsent(dir);
    X509Certificate ca = material.caCertificateX509();
    X509Certificate signer = material.signingIdentity().chain().get(0);

    assertThat(signer.getVersion()).isEqualTo(3);
    assertThat(signer.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(signer.getKeyUsage()[5]).as("keyCertSign").isFalse();
    assertThat(signer.getCriticalExtensionOIDs()).contains(Extension.keyUsage.getId());
    assertThat(signer.getExtendedKeyUsage()).contains(DOCUMENT_SIGNING);
    assertThat(signer.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(signer.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
    assertThat(signer.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();
    assertThat(signer.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(signer.getIssuerX500Principal()).isNotEqualTo(signer.getSubjectX500Principal());
    signer.verify(ca.getPublicKey());
    assertThat(signer.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3600)));

    assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }
}
