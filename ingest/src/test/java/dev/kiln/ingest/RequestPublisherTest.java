package dev.kiln.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class RequestPublisherTest {
  private static RenderRequest request(String id) {
    return RenderRequest.newBuilder()
        .setRequestId(id)
        .setTenant("local")
        .setBatchId("b1")
        .setPrompt("a red circle " + id)
        .setSubmittedAt(Instant.parse("2026-11-22T00:00:00Z"))
        .build();
  }

  private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Test
  void publishesEachRequestKeyedByItsIdWithADecodableValue() throws Exception {
    MockProducer<byte[], byte[]> producer = producer(true);
    List<RenderRequest> requests = List.of(request("r1"), request("r2"), request("r3"));

    int published;
    try (RequestPublisher publisher = new RequestPublisher(producer, "kiln.requests")) {
      published = publisher.publish(requests);
    }

    assertThat(published).isEqualTo(3);
    assertThat(producer.history()).hasSize(3).allSatisfy(r -> assertThat(r.topic()).isEqualTo("kiln.requests"));
    for (int i = 0; i < 3; i++) {
      var record = producer.history().get(i);
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(requests.get(i).getRequestId());
      assertThat(decode(record.value())).isEqualTo(requests.get(i));
    }
    assertThat(producer.closed()).isTrue();
  }

  @Test
  void failsNamingTheFirstFailedRequestAfterWaitingForTheRest() {
    // The broker acknowledges nothing until flush; then the first send times out.
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer()) {
      @Override
      public synchronized void flush() {
        errorNext(new TimeoutException("Expiring 1 record(s) for kiln.requests-0: 120000 ms has passed"));
        super.flush();
      }
    };
    RequestPublisher publisher = new RequestPublisher(producer, "kiln.requests");

    assertThatThrownBy(() -> publisher.publish(List.of(request("r1"), request("r2"), request("r3"))))
        .isInstanceOf(PublishException.class)
        .hasMessage("cannot publish request \"r1\" to kiln.requests: TimeoutException: Expiring 1 record(s)"
            + " for kiln.requests-0: 120000 ms has passed; 2 of 3 requests were acknowledged")
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void stopsAtASendThatFailsImmediately() {
    MockProducer<byte[], byte[]> producer = producer(true);
    producer.sendException = new RecordTooLargeException("The message is 2000000 bytes");
    RequestPublisher publisher = new RequestPublisher(producer, "kiln.requests");

    assertThatThrownBy(() -> publisher.publish(List.of(request("r1"), request("r2"))))
        .isInstanceOf(PublishException.class)
        .hasMessage("cannot publish request \"r1\" to kiln.requests: RecordTooLargeException:"
            + " The message is 2000000 bytes; 0 of 2 requests were acknowledged");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void configuresIdempotenceAcksAllAndExplicitTimeouts() {
    assertThat(RequestPublisher.producerConfig("broker:9092"))
        .containsEntry("bootstrap.servers", "broker:9092")
        .containsEntry("enable.idempotence", true)
        .containsEntry("acks", "all")
        .containsEntry("delivery.timeout.ms", 120_000)
        .containsEntry("request.timeout.ms", 30_000)
        .containsEntry("max.block.ms", 30_000L);
  }

  private static RenderRequest decode(byte[] value) throws InvalidRecordException {
    return Codecs.REQUEST.decode(value);
  }

  @Test
  void tunesTheProducerForCatalogueThroughput() {
    assertThat(RequestPublisher.producerConfig("broker:9092"))
        .containsEntry("linger.ms", 10)
        .containsEntry("batch.size", 262_144)
        .containsEntry("compression.type", "lz4")
        .containsEntry("key.serializer", ByteArraySerializer.class.getName())
        .containsEntry("value.serializer", ByteArraySerializer.class.getName());
  }

  @Test
  void streamedSendsReportProgressAgainstTheAnnouncedTotal() throws Exception {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
        new ByteArraySerializer()) {
      @Override
      public synchronized void flush() {
        completeNext();
        errorNext(new TimeoutException("Expiring 1 record(s)"));
        super.flush();
      }
    };
    RequestPublisher publisher = new RequestPublisher(producer, "kiln.requests");
    publisher.expect(10);
    publisher.send(request("r1"));
    publisher.send(request("r2"));
    publisher.send(request("r3"));

    assertThatThrownBy(publisher::awaitAcknowledged)
        .isInstanceOf(PublishException.class)
        .hasMessage("cannot publish request \"r2\" to kiln.requests: TimeoutException: Expiring 1 record(s);"
            + " 2 of 10 requests were acknowledged");
    assertThatThrownBy(() -> publisher.send(request("r4")))
        .as("a later send stops at the earlier failure")
        .hasMessageStartingWith("cannot publish request \"r2\"");
    assertThat(producer.history()).hasSize(3);
  }
}
