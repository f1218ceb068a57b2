package dev.kiln.ingest.sweep;

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
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** How far a consumer group is behind the committed end of a topic. */
public final class ConsumerLag {
  private ConsumerLag() {}

  /**
   * Records of {@code topic} (read_committed) past {@code group}'s committed offsets, summed over
   * the partitions; a partition the group never committed counts in full.
   *
   * @throws IllegalStateException if the broker does not answer within {@code timeout}
   */
  public static long of(KafkaEndpoint kafka, String group, String topic, Duration timeout) {
    String bootstrapServers = kafka.bootstrapServers();
    Map<String, Object> config = new HashMap<>(kafka.security());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      long lag = 0;
      for (TopicPartition p : partitions) {
        OffsetAndMetadata c = committed.get(p);
        long end = ends.get(p).offset();
        lag += Math.max(0, end - (c == null ? 0 : c.offset()));
      }
      return lag;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the lag of consumer group " + group + " on " + topic + " at "
          + bootstrapServers + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading consumer lag", e);
    }
  }
}
