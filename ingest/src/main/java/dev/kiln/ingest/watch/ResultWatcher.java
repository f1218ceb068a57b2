package dev.kiln.ingest.watch;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.TrustedPackages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads kiln.results from the beginning with read_committed, so it sees only results whose
 * transaction committed, the same ones any integration sees. Uses no consumer group: watching
 * never moves anybody's offsets.
 */
public final class ResultWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultWatcher.class);
  private final KafkaConsumer<byte[], byte[]> consumer;

  public ResultWatcher(String bootstrapServers, String topic) {
    this(KafkaEndpoint.plaintext(bootstrapServers), topic);
  }

  /** A watcher of {@code topic} on a broker with security settings. */
  public ResultWatcher(KafkaEndpoint kafka, String topic) {
    TrustedPackages.ensure();
    String bootstrapServers = kafka.bootstrapServers();
    consumer = new KafkaConsumer<>(kafka.clientConfig(Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())));
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(topic, p.partition()));
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrapServers);
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Polls once and hands every decodable result to {@code sink}; returns how many there were. */
  public int poll(Duration timeout, Consumer<RenderResult> sink) {
    int n = 0;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      try {
        sink.accept(Codecs.RESULT.decode(record.value()));
        n++;
      } catch (InvalidRecordException e) {
        LOG.warn("skipping undecodable result at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
            e.getMessage());
      }
    }
    return n;
  }

  /**
   * Polls until {@code progress} counts {@code expected} results or {@code timeout} passes,
   * calling {@code onProgress} after every poll that added a result of the batch.
   */
  public boolean awaitBatch(BatchProgress progress, int expected, Duration timeout, Runnable onProgress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (progress.total() < expected && System.nanoTime() < deadline) {
      int[] added = {0};
      poll(Duration.ofMillis(500), r -> {
        if (progress.add(r)) {
          added[0]++;
        }
      });
      if (added[0] > 0) {
        onProgress.run();
      }
    }
    return progress.total() >= expected;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
