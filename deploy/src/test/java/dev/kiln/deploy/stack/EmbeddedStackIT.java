package dev.kiln.deploy.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kiln.deploy.local.LocalStack;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Proves the shared local stack runs a real transactional Kafka broker and a real S3 server on disk. */
class EmbeddedStackIT {

    private static LocalStack stack;
    private static S3Client s3;
    private static ObjectStore store;

    @BeforeAll
    static void startStack() {
        stack = SharedStack.get();
        s3 = S3Clients.create(stack.s3Settings());
        store = new ObjectStore(s3, stack.bucket());
    }

    @AfterAll
    static void closeClient() {
        s3.close();
    }

    @Test
    void createsKilnTopicsWithConfiguredPartitions() throws Exception {
        try (Admin admin = Admin.create(stack.kafka().adminConfig())) {
            Map<String, TopicDescription> topics = admin.describeTopics(LocalStack.TOPICS).allTopicNames().get();

            assertThat(topics).containsOnlyKeys(LocalStack.TOPICS);
            assertThat(topics.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(stack.partitions()));
        }
    }

    @Test
    void readCommittedConsumerSeesCommittedRecordAndNotAbortedOne() {
        String topic = "it.embedded-stack." + UUID.randomUUID();
        stack.kafka().createTopics(Map.of(topic, 1));

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "req-1", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "req-1", "committed"));
            producer.commitTransaction();
        }

        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            // Drain once more: an aborted record would have been returned with the committed one.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        assertThat(values).containsExactly("committed");
    }

    @Test
    void objectStoreRoundTripsThroughS3AndLandsOnDisk() throws Exception {
        String batch = "b-" + UUID.randomUUID();
        String staging = ObjectKeys.staging("acme", batch, ObjectKeys.imageId("req-1", 0));
        String asset = ObjectKeys.asset("acme", batch, ObjectKeys.imageId("req-1", 0));
        byte[] png = "\u0089PNG fake image bytes".getBytes(StandardCharsets.ISO_8859_1);

        String eTag = store.putBytes(staging, png, "image/png", Map.of("sha256", "abc123"));

        assertThat(eTag).isNotBlank().doesNotContain("\"");
        assertThat(store.exists(staging)).isTrue();
        assertThat(store.getBytes(staging)).hasValueSatisfying(b -> assertThat(b).isEqualTo(png));
        assertThat(Files.readAllBytes(stack.objectPath(staging))).isEqualTo(png);
        assertThat(stack.objectPath(staging))
                .isEqualTo(stack.s3DataDirectory().resolve("kiln/staging/acme/" + batch + "/req-1-0.png"));
        assertThat(s3.headObject(b -> b.bucket(stack.bucket()).key(staging)).metadata())
                .containsEntry("sha256", "abc123");

        store.copy(staging, asset);
        store.delete(staging);

        assertThat(store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "acme", batch))).isEmpty();
        assertThat(store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "acme", batch))).containsExactly(asset);
        assertThat(Files.exists(stack.objectPath(staging))).isFalse();
        assertThat(Files.readAllBytes(stack.objectPath(asset))).isEqualTo(png);
    }

    @Test
    void listFollowsPagesBeyondOneThousandKeys() {
        String prefix = "it/list-" + UUID.randomUUID() + "/";
        for (int i = 0; i < 1005; i++) {
            store.putBytes(prefix + String.format("%04d", i), new byte[] {(byte) i}, "application/octet-stream", Map.of());
        }

        List<String> keys = store.list(prefix);

        assertThat(keys).hasSize(1005).isSorted().startsWith(prefix + "0000").endsWith(prefix + "1004");
    }

    @Test
    void missingKeyGivesEmptyAndDoesNotExist() {
        String key = "it/missing/" + UUID.randomUUID() + ".png";

        assertThat(store.getBytes(key)).isEmpty();
        assertThat(store.exists(key)).isFalse();
        assertThatThrownBy(() -> store.copy(key, key + ".copy")).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void createBucketIfMissingIsIdempotent() {
        assertThat(store.createBucketIfMissing()).isFalse();
    }

    private static Properties producerConfig() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-embedded-stack-" + UUID.randomUUID());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    private static Properties consumerConfig() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-embedded-stack-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return p;
    }
}
