package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.deploy.KilnCli;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.deploy.stack.SharedStack;
import dev.kiln.ingest.sweep.ConsumerLag;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.StagingSweep;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
    assertThat(ConsumerLag.of(KafkaEndpoint.plaintext(stack.bootstrapServers()), group, topic,
        Duration.ofSeconds(30))).isEqualTo(2);
    String[] args = {"sweep", "--bootstrap-servers", stack.bootstrapServers(), "--safety-group", group,
        "--images-topic", topic, "--s3-bucket", stack.bucket(), "--s3-endpoint",
        stack.s3Settings().endpoint().orElseThrow().toString(), "--s3-access-key", stack.s3Settings().accessKey()
            .orElseThrow(), "--s3-secret-key-file", secretKeyFile(stack.s3Settings().secretKey().orElseThrow()), "--dry-run"};
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

  @Test
  void aGroupThatReadEveryRecordOfATransactionalTopicIsNotBehindForItsCommitMarkers() throws Exception {
    LocalStack stack = SharedStack.get();
    String topic = "sweep-it-tx-" + UUID.randomUUID().toString().substring(0, 8);
    String group = "sweep-it-tx-safety";
    stack.kafka().createTopics(Map.of(topic, 1));
    Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sweep-it-" + topic);
    try (var producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      for (int t = 0; t < 2; t++) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, new byte[] {(byte) t}));
        producer.commitTransaction();
      }
    }
    KafkaEndpoint kafka = KafkaEndpoint.plaintext(stack.bootstrapServers());
    assertThat(ConsumerLag.of(kafka, group, topic, Duration.ofSeconds(30))).as("nothing consumed").isEqualTo(2);

    // As Flink commits: the offset after the last record read, which is before that transaction's marker.
    commit(stack, group, topic, 1);
    assertThat(ConsumerLag.of(kafka, group, topic, Duration.ofSeconds(30))).as("one record left").isEqualTo(1);
    commit(stack, group, topic, 3);
    assertThat(ConsumerLag.of(kafka, group, topic, Duration.ofSeconds(30))).as("all read, a marker behind")
        .isZero();
  }

  private static void commit(LocalStack stack, String group, String topic, long offset) {
    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        stack.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, group), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)));
    }
  }

  /** A file holding {@code secret}: the commands take secrets from files or the environment only. */
  static String secretKeyFile(String secret) {
    try {
      Path file = Files.createTempFile("kiln-s3-secret", ".txt");
      file.toFile().deleteOnExit();
      return Files.writeString(file, secret).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
