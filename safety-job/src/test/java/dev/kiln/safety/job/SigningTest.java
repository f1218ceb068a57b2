package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.provenance.c2pa.LocalCa;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningTest {
  @TempDir
  Path dir;

  @Test
  void aJobWithoutASigningKeyFailsNamingTheSettingsAndTheWayOut() {
    assertThatThrownBy(() -> Signing.identity(new Configuration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kiln.provenance.keystore and kiln.provenance.keystore-password-file must both be set")
        .hasMessageContaining("kiln.provenance.sign=false");
  }

  @Test
  void signingCanBeTurnedOffExplicitly() {
    Configuration config = new Configuration();
    config.set(SafetyJobOptions.PROVENANCE_SIGN, false);
    assertThat(Signing.identity(config)).isEmpty();
  }

  @Test
  void theLocalCasKeystoreLoadsAndAWrongPasswordNamesTheKeystore() throws Exception {
    LocalCa.Material ca = LocalCa.createIfAbsent(dir.resolve("ca"));
    Configuration config = new Configuration();
    config.set(SafetyJobOptions.PROVENANCE_KEYSTORE, ca.keystore().toString());
    config.set(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE, ca.passwordFile().toString());
    assertThat(Signing.identity(config)).get().satisfies(id ->
        assertThat(id.chain().get(0).getSubjectX500Principal().getName()).contains("Kiln Local Signer"));

    Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-it\n");
    config.set(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE, wrong.toString());
    assertThatThrownBy(() -> Signing.identity(config)).hasMessageContaining(ca.keystore().toString());
  }
}
