package dev.kiln.ingest.sweep;

import dev.kiln.ingest.audit.internal.TopicSnapshot;
import dev.kiln.schemas.KafkaEndpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How many committed records of a topic a consumer group has not consumed yet.
 *
 * <p>Offsets alone cannot say: on a transactional topic such as kiln.images, every transaction
 * ends with a commit marker that takes an offset but is no record. Flink commits the offset after
 * the last record it read, while the read_committed end offset counts the marker after it too, so a
 * group that has read everything still looks one or more offsets behind. So where the committed
 * offset is behind the end offset, a read_committed consumer reads that gap and counts the records
 * it finds: only those are work the group has not done.
 */
public final class ConsumerLag {
  private static final Duration POLL = Duration.ofMillis(200);

  private ConsumerLag() {}

  /**
   * Committed records of {@code topic} past {@code group}'s committed offsets, summed over the
   * partitions; a partition the group never committed counts from its start.
   *
   * @throws IllegalStateException if the broker does not answer, or a gap cannot be read, within
   *     {@code timeout}
   */
  public static long of(KafkaEndpoint kafka, String group, String topic, Duration timeout) {
    Map<TopicPartition, Long> ends = new HashMap<>();
    Map<TopicPartition, Long> from = new HashMap<>();
    try (Admin admin = Admin.create(kafka.clientConfig(
        Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())))) {
      List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
      admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((p, info) -> ends.put(p, info.offset()));
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      for (TopicPartition p : partitions) {
        OffsetAndMetadata c = committed.get(p);
        long start = c == null ? 0 : c.offset();
        if (start < ends.get(p)) {
          from.put(p, start);
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the lag of consumer group " + group + " on " + topic + " at "
          + kafka.bootstrapServers() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading consumer lag", e);
    }
    return from.isEmpty() ? 0 : recordsIn(kafka, from, ends, group, timeout);
  }

  /** The committed records between {@code from} and {@code ends}, per partition, read_committed. */
  private static long recordsIn(KafkaEndpoint kafka, Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends,
      String group, Duration timeout) {
    long records = 0;
    // The audit's consumer: read_committed, no group, no commits.
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(TopicSnapshot.consumerConfig(kafka, "kiln-sweep"))) {
      consumer.assign(from.keySet());
      from.forEach(consumer::seek);
      Map<TopicPartition, Long> open = new HashMap<>(from);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!open.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot tell whether consumer group " + group + " is behind: reading "
              + open.keySet() + " up to their end offsets " + ends + " took longer than " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
            records++;
          }
        }
        // The position passes commit markers without returning a record, so this ends on markers too.
        open.keySet().removeIf(p -> consumer.position(p) >= ends.get(p));
      }
    }
    return records;
  }
}
