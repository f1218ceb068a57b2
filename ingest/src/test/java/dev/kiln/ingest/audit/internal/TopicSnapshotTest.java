package dev.kiln.ingest.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class TopicSnapshotTest {
  static final String TOPIC = "kiln.results";
  final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  final TopicPartition p0 = new TopicPartition(TOPIC, 0);
  final TopicPartition p1 = new TopicPartition(TOPIC, 1);

  void twoPartitions(long end0, long end1) {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null),
        new PartitionInfo(TOPIC, 1, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    consumer.updateEndOffsets(Map.of(p0, end0, p1, end1));
  }

  static ConsumerRecord<byte[], byte[]> record(int partition, long offset) {
    return new ConsumerRecord<>(TOPIC, partition, offset, new byte[0], new byte[] {(byte) offset});
  }

  @Test
  void readsUpToTheEndOffsetsCapturedAtTheStartAndStops() {
    twoPartitions(3, 1);
    // Records 3 and 4 of partition 0 arrive after the read started: not part of the snapshot.
    consumer.schedulePollTask(() -> {
      for (long o = 0; o < 5; o++) {
        consumer.addRecord(record(0, o));
      }
      consumer.addRecord(record(1, 0));
    });
    List<String> seen = new ArrayList<>();

    long n = TopicSnapshot.read(consumer, TOPIC, Duration.ofMinutes(1),
        r -> seen.add(r.partition() + "@" + r.offset()));

    assertThat(seen).containsExactlyInAnyOrder("0@0", "0@1", "0@2", "1@0");
    assertThat(n).isEqualTo(4);
  }

  @Test
  void anEmptyTopicIsReadWithoutPolling() {
    twoPartitions(0, 0);
    consumer.schedulePollTask(() -> {
      throw new AssertionError("polled an empty topic");
    });

    assertThat(TopicSnapshot.read(consumer, TOPIC, Duration.ofMinutes(1), r -> { })).isZero();
  }

  @Test
  void aMissingTopicIsNamed() {
    assertThatThrownBy(() -> TopicSnapshot.read(consumer, "kiln.nope", Duration.ofMinutes(1), r -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("topic kiln.nope does not exist");
  }

  @Test
  void endOffsetsNeverReachedFailAfterTheTimeout() {
    twoPartitions(3, 0);

    assertThatThrownBy(() -> TopicSnapshot.read(consumer, TOPIC, Duration.ofMillis(300), r -> { }))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("reading kiln.results: did not reach the end offsets {kiln.results-0=3}");
  }
}
