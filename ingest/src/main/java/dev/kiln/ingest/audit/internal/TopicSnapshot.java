package dev.kiln.ingest.audit.internal;

import dev.kiln.schemas.KafkaEndpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import dev.kiln.ingest.http.internal.StatusFollower;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A bounded read of one topic: every record committed before the read started, and nothing after.
 *
 * <p>The consumer must be configured like {@link #consumerConfig} (read_committed, no group). The
 * end offsets are captured once, before the first poll; with read_committed they are the last
 * stable offsets, so a transaction still open at that moment, and everything after it, is not
 * read. The read stops when the consumer's position reaches those offsets in every partition,
 * whether the last records before them are data or transaction markers, so it never waits for
 * records that may never come.
 */
public final class TopicSnapshot {
  /** Deadline for metadata and offset look-ups. */
  public static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);

  private TopicSnapshot() {}

  /**
   * Consumer settings: those the API's status follower reads with (read_committed, no group, no
   * commits, byte-array deserializers), under {@code clientId}.
   */
  public static Map<String, Object> consumerConfig(KafkaEndpoint kafka, String clientId) {
    Map<String, Object> config = kafka.clientConfig(StatusFollower.consumerConfig(kafka.bootstrapServers()));
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return config;
  }

  /**
   * Hands every record of {@code topic} below the end offsets it has now to {@code sink}, in
   * offset order per partition. Assigns the consumer to the topic's partitions (replacing any
   * earlier assignment); does not close it.
   *
   * @return the number of records handed to the sink
   * @throws IllegalStateException when the topic does not exist
   * @throws TimeoutException when the end offsets are not reached within {@code timeout}
   */
  public static long read(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, String topic,
      Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    Objects.requireNonNull(sink, "sink");
    List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist: pass the right name, or check"
          + " --bootstrap-servers");
    }
    List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, METADATA_TIMEOUT));
    long deadline = System.nanoTime() + timeout.toNanos();
    long n = 0;
    end.entrySet().removeIf(e -> consumer.position(e.getKey(), METADATA_TIMEOUT) >= e.getValue());
    while (!end.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("reading " + topic + ": did not reach the end offsets " + end + " within "
            + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        Long stop = end.get(new TopicPartition(record.topic(), record.partition()));
        // A partition already read to its end can return records committed since: not in the snapshot.
        if (stop != null && record.offset() < stop) {
          sink.accept(record);
          n++;
        }
      }
      end.entrySet().removeIf(e -> consumer.position(e.getKey(), METADATA_TIMEOUT) >= e.getValue());
    }
    return n;
  }
}
