package dev.kiln.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.schemas.KafkaEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaWireTest {
  @TempDir Path dir;

  @Test
  void aJobTakesItsKafkaSecurityFromTheFileItsConfigurationNames() throws IOException {
    Path file = Files.writeString(dir.resolve("kafka.properties"), "security.protocol=SSL\n"
        + "ssl.truststore.location=/etc/kiln/truststore.p12\n");
    Configuration config = new Configuration();
    config.set(KilnOptions.BOOTSTRAP_SERVERS, "broker:9093");
    config.set(KilnOptions.KAFKA_CLIENT_CONFIG, file.toString());

    KafkaEndpoint kafka = KafkaWire.endpoint(config);

    assertThat(kafka.bootstrapServers()).isEqualTo("broker:9093");
    assertThat(kafka.security()).containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/etc/kiln/truststore.p12");
  }

  @Test
  void withoutAFileTheJobTalksPlaintext() {
    assertThat(KafkaWire.endpoint(new Configuration()).security()).isEmpty();
  }

  @Test
  void aBadFileFailsTheJobSubmissionNamingTheSetting() throws IOException {
    Path file = Files.writeString(dir.resolve("kafka.properties"), "acks=0\n");
    Configuration config = new Configuration();
    config.set(KilnOptions.KAFKA_CLIENT_CONFIG, file.toString());

    assertThatThrownBy(() -> KafkaWire.endpoint(config))
        .hasMessageStartingWith("kiln.kafka.client-config: " + file)
        .hasMessageContaining("key 'acks' is not a security setting");
  }
}
