package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.deploy.KilnCli;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.deploy.stack.SharedStack;
import dev.kiln.ingest.sweep.ConsumerLag;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.StagingSweep;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;

/** The staging sweep on a real S3 server and broker: the age rule, and no sweep while the safety job has a backlog. */
class SweepIT {
  @Test
  void sweepsOnlyObjectsOlderThanTheCutoffAndNeverYoungerThanATransaction() {
    LocalStack stack = SharedStack.get();
    String prefix = "staging/sweep-" + UUID.randomUUID().toString().substring(0, 8) + "/b/";
    try (S3Client s3 = S3Clients.create(stack.s3Settings())) {
      ObjectStore store = new ObjectStore(s3, stack.bucket());
      store.putBytes(prefix + "x-0.png", new byte[] {1}, "image/png", Map.of());
      StagingSweep sweep = new StagingSweep(s3, stack.bucket());
      Instant now = Instant.now();
      assertThat(sweep.find(Duration.ofHours(1), now)).extracting(StagingSweep.Orphan::key)
          .as("just written: kept").doesNotContain(prefix + "x-0.png");
      List<StagingSweep.Orphan> old = sweep.find(Duration.ofHours(1), now.plus(Duration.ofHours(2)));
      assertThat(old).extracting(StagingSweep.Orphan::key).contains(prefix + "x-0.png");
      sweep.delete(old.stream().filter(o -> o.key().startsWith(prefix)).toList());
      assertThat(store.exists(prefix + "x-0.png")).isFalse();
      assertThatThrownBy(() -> sweep.find(Duration.ofMinutes(5), now))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too young");
    }
  }

  @Test
  void refusesWhileTheSafetyGroupHasABacklogAndRunsOnceItHasCaughtUp() throws Exception {
    LocalStack stack = SharedStack.get();
    String topic = "sweep-it-" + UUID.randomUUID().toString().substring(0, 8);
    String group = "sweep-it-safety";
    stack.kafka().createTopics(Map.of(topic, 1));
    Kafka.send(stack.bootstrapServers(), topic, List.of(Map.entry("a", new byte[] {1}), Map.entry("b", new byte[] {2})));
    assertThat(ConsumerLag.of(dev.kiln.schemas.KafkaEndpoint.plaintext(stack.bootstrapServers()), group, topic, Duration.ofSeconds(30))).isEqualTo(2);
    String[] args = {"sweep", "--bootstrap-servers", stack.bootstrapServers(), "--safety-group", group,
        "--images-topic", topic, "--s3-bucket", stack.bucket(), "--s3-endpoint",
        stack.s3Settings().endpoint().orElseThrow().toString(), "--s3-access-key", stack.s3Settings().accessKey()
            .orElseThrow(), "--s3-secret-key", stack.s3Settings().secretKey().orElseThrow(), "--dry-run"};
    StringWriter err = new StringWriter();
    CommandLine cli = KilnCli.commandLine().setErr(new PrintWriter(err));
    assertThat(cli.execute(args)).isEqualTo(1);
    assertThat(err.toString()).contains("refused: the safety job (group " + group + ") is 2 records behind");

    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        stack.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, group), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2)));
    }
    StringWriter out = new StringWriter();
    cli = KilnCli.commandLine().setOut(new PrintWriter(out));
    assertThat(cli.execute(args)).isZero();
    assertThat(out.toString()).contains("dry run: ").contains("would be deleted from bucket " + stack.bucket());
  }
}
