package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaEndpointTest {
  @TempDir Path dir;

  @Test
  void readsTlsAndSaslSettingsFromAClientPropertiesFile() throws IOException {
    Path file = write("""
        security.protocol=SASL_SSL
        sasl.mechanism=SCRAM-SHA-512
        sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="kiln" password="s3cret";
        ssl.truststore.location=/etc/kiln/truststore.p12
        """);

    KafkaEndpoint kafka = new KafkaEndpoint("broker:9093", KafkaEndpoint.load(file, "--kafka-config"));

    assertThat(kafka.clientConfig(Map.of())).containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/etc/kiln/truststore.p12");
    assertThat(kafka.toString()).contains("broker:9093").contains("sasl.jaas.config").doesNotContain("s3cret");
  }

  @Test
  void refusesSettingsThatAreNotSecuritySettingsNamingTheAllowedOnes() throws IOException {
    Path file = write("security.protocol=SSL\nisolation.level=read_uncommitted\nenable.idempotence=false\n");

    assertThatThrownBy(() -> KafkaEndpoint.load(file, "--kafka-config"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--kafka-config: " + file + ": ")
        .hasMessageContaining("key 'enable.idempotence' is not a security setting")
        .hasMessageContaining("key 'isolation.level' is not a security setting")
        .hasMessageContaining("allowed are security.protocol, ssl.* and sasl.*");
  }

  @Test
  void refusesAnUnknownProtocolListingTheKnownOnes() {
    assertThatThrownBy(() -> new KafkaEndpoint("b:9092", Map.of("security.protocol", "TLS")))
        .hasMessage("security.protocol 'TLS' is not one of PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL");
  }

  @Test
  void aMissingFileIsAnErrorNamingTheSetting() {
    assertThatThrownBy(() -> KafkaEndpoint.load(dir.resolve("absent.properties"), "kiln.kafka.client-config"))
        .hasMessageStartingWith("kiln.kafka.client-config: cannot read Kafka client config");
  }

  @Test
  void kilnsOwnSettingsWinOverTheSecuritySettings() {
    KafkaEndpoint kafka = new KafkaEndpoint("b:9092", Map.of("security.protocol", "SSL"));

    assertThat(kafka.clientConfig(Map.of("security.protocol", "PLAINTEXT", "acks", "all")))
        .containsEntry("security.protocol", "PLAINTEXT").containsEntry("acks", "all")
        .containsEntry("bootstrap.servers", "b:9092");
  }

  @Test
  void aPlaintextEndpointHasOnlyTheBootstrapServers() {
    assertThat(KafkaEndpoint.plaintext("localhost:9092").clientConfig(Map.of()))
        .containsOnlyKeys("bootstrap.servers");
    assertThatThrownBy(() -> KafkaEndpoint.plaintext(" ")).hasMessageContaining("bootstrap servers are empty");
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("client.properties"), text);
  }
}
