package dev.kiln.wire;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka sources and sinks as every Kiln job uses them: raw-record sources that read only
 * committed records, and exactly-once sinks writing Avro single-object encoded values. Each takes
 * its broker and security settings from a {@link KafkaEndpoint}.
 */
public final class KafkaWire {
  /** Longer than any checkpoint interval plus recovery; the broker's transaction.max.timeout.ms must allow it. */
  public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  private KafkaWire() {}

  /** Serializable function, so sink schemas can be shipped to task managers. */
  public interface SerializableFunction<A, B> extends Function<A, B>, Serializable {}

  /**
   * The Kafka a job's configuration names: {@link KilnOptions#BOOTSTRAP_SERVERS}, and the security
   * settings in the file {@link KilnOptions#KAFKA_CLIENT_CONFIG} names, if any.
   */
  public static KafkaEndpoint endpoint(Configuration config) {
    String file = config.get(KilnOptions.KAFKA_CLIENT_CONFIG);
    return new KafkaEndpoint(config.get(KilnOptions.BOOTSTRAP_SERVERS), file == null || file.isBlank()
        ? Map.of() : KafkaEndpoint.load(Path.of(file), KilnOptions.KAFKA_CLIENT_CONFIG.key()));
  }

  /** A source of raw records from {@code topic}, read_committed, starting at committed offsets or the earliest. */
  public static KafkaSource<RawRecord> rawSource(KafkaEndpoint kafka, String topic, String groupId) {
    var builder = KafkaSource.<RawRecord>builder();
    kafka.security().forEach(builder::setProperty);
    return builder
        .setBootstrapServers(kafka.bootstrapServers())
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new RawRecordDeserializer())
        .setProperty("isolation.level", "read_committed")
        .setProperty("commit.offsets.on.checkpoint", "true")
        .setProperty("partition.discovery.interval.ms", "10000")
        .build();
  }

  /** An exactly-once sink; records become visible to read_committed consumers when a checkpoint completes. */
  public static <T> KafkaSink<T> exactlyOnceSink(KafkaEndpoint kafka, String topic, String transactionalIdPrefix,
      SerializableFunction<T, String> key, SerializableFunction<T, byte[]> value) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setKafkaProducerConfig(exactlyOnceProps(kafka))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setRecordSerializer(new Serializer<>(topic, key, value))
        .build();
  }

  // Lambdas, not method references such as Codecs.IMAGE::encode: a bound reference captures the
  // codec, which is not serializable, and Flink must serialize the sink to ship it.
  /** RenderedImage records keyed by imageId: kiln.images, and the re-render requests on kiln.rerenders. */
  public static KafkaSink<RenderedImage> imageSink(KafkaEndpoint kafka, String topic, String txPrefix) {
    return exactlyOnceSink(kafka, topic, txPrefix, RenderedImage::getImageId, image -> Codecs.IMAGE.encode(image));
  }

  public static KafkaSink<RenderResult> resultSink(KafkaEndpoint kafka, String topic, String txPrefix) {
    return exactlyOnceSink(kafka, topic, txPrefix, RenderResult::getRequestId, result -> Codecs.RESULT.encode(result));
  }

  /** Dead letters keep the original key, as DESIGN.md's topic table says. */
  public static KafkaSink<DeadLetter> deadLetterSink(KafkaEndpoint kafka, String topic, String txPrefix) {
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setKafkaProducerConfig(exactlyOnceProps(kafka))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(txPrefix)
        .setRecordSerializer((KafkaRecordSerializationSchema<DeadLetter>) (dl, ctx, ts) -> new ProducerRecord<>(topic,
            dl.getKey() == null ? null : toArray(dl.getKey()), Codecs.DEAD_LETTER.encode(dl)))
        .build();
  }

  private static Properties exactlyOnceProps(KafkaEndpoint kafka) {
    Properties producer = new Properties();
    producer.putAll(kafka.security());
    producer.setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
    producer.setProperty("enable.idempotence", "true");
    producer.setProperty("acks", "all");
    return producer;
  }

  private static byte[] toArray(java.nio.ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private static final class Serializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, byte[]> value;

    Serializer(String topic, SerializableFunction<T, String> key, SerializableFunction<T, byte[]> value) {
      this.topic = topic;
      this.key = key;
      this.value = value;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, key.apply(element).getBytes(StandardCharsets.UTF_8), value.apply(element));
    }
  }
}
