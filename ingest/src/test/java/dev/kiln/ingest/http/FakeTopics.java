package dev.kiln.ingest.http;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The status consumer's view of kiln.requests, kiln.results and kiln.requests.dlq (one partition
 * each) as a MockConsumer. Records can be added once the consumer is assigned (the server started).
 */
public final class FakeTopics {
  public static final String REQUESTS = "kiln.requests";
  public static final String RESULTS = "kiln.results";
  public static final String DLQ = "kiln.requests.dlq";

  public final MockConsumer<byte[], byte[]> consumer = new SlowMockConsumer();
  private final Map<String, Long> next = new HashMap<>();

  public FakeTopics() {
    Node node = new Node(0, "localhost", 9092);
    for (String topic : List.of(REQUESTS, RESULTS, DLQ)) {
      consumer.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, node, new Node[] {node}, new Node[] {node})));
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.updateBeginningOffsets(Map.of(tp, 0L));
      consumer.updateEndOffsets(Map.of(tp, 0L));
      next.put(topic, 0L);
    }
  }

  /** Pretends {@code topic} already held {@code records} records when the consumer started. */
  public FakeTopics withBacklog(String topic, long records) {
    consumer.updateEndOffsets(Map.of(new TopicPartition(topic, 0), records));
    return this;
  }

  public void add(RenderResult result) {
    add(RESULTS, result.getRequestId(), Codecs.RESULT.encode(result));
  }

  public void add(RenderRequest request) {
    add(REQUESTS, request.getRequestId(), Codecs.REQUEST.encode(request));
  }

  public void addDeadLetter(RenderRequest request, String reason) {
    add(DLQ, request.getRequestId(), Codecs.DEAD_LETTER.encode(DeadLetter.newBuilder()
        .setSourceTopic(REQUESTS)
        .setSourcePartition(0)
        .setSourceOffset(0)
        .setKey(ByteBuffer.wrap(request.getRequestId().getBytes(StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(Codecs.REQUEST.encode(request)))
        .setStage("validate")
        .setReason(reason)
        .setFailedAt(Instant.parse("2026-11-22T00:16:00Z"))
        .build()));
  }

  public synchronized void add(String topic, String key, byte[] value) {
    long offset = next.merge(topic, 1L, Long::sum) - 1;
    consumer.addRecord(new ConsumerRecord<>(topic, 0, offset, key.getBytes(StandardCharsets.UTF_8), value));
  }

  /** MockConsumer returns at once when it has nothing; a real consumer waits, and so does this one. */
  static final class SlowMockConsumer extends MockConsumer<byte[], byte[]> {
    SlowMockConsumer() {
      super("earliest");
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
      if (records.isEmpty()) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return records;
    }
  }
}
