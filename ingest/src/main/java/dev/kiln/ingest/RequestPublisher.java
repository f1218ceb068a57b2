package dev.kiln.ingest;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes {@link RenderRequest}s to the requests topic: key = request id (UTF-8), value =
 * {@link Codecs#REQUEST} single-object encoding. Owns the producer it is given and closes it.
 *
 * <p>Not thread-safe: one publisher per submission.
 */
public final class RequestPublisher implements AutoCloseable {
  /** Upper bound on the time from send to acknowledgement, retries included. */
  public static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);
  /** How long one produce request may wait for the broker before it is retried. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** How long a send may block on metadata, e.g. while no broker is reachable. */
  public static final Duration MAX_BLOCK = Duration.ofSeconds(30);
  /** How long {@link #close()} waits for the producer to shut down. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  /**
   * @param producer configured like {@link #producerConfig(String)}; closed by {@link #close()}
   * @param topic the requests topic, e.g. {@code kiln.requests}
   */
  public RequestPublisher(Producer<byte[], byte[]> producer, String topic) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  /**
   * Producer settings for {@link org.apache.kafka.clients.producer.KafkaProducer} with byte-array
   * serializers: idempotent, {@code acks=all}, explicit timeouts. Idempotence keeps a retried
   * send from writing the request twice.
   */
  public static Map<String, Object> producerConfig(String bootstrapServers) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, "kiln-submit",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis(),
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis(),
        ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK.toMillis(),
        // A file of requests goes out in a few batches rather than one send per line.
        ProducerConfig.LINGER_MS_CONFIG, 10);
  }

  /**
   * Sends every request, in order, and waits until all are acknowledged.
   *
   * @return the number of requests published
   * @throws PublishException on the first failed send, naming the request, the topic and how
   *     many requests were acknowledged. Those stay published: Kafka cannot take them back.
   */
  public int publish(List<RenderRequest> requests) throws PublishException {
    AtomicReference<Failure> firstFailure = new AtomicReference<>();
    AtomicInteger acknowledged = new AtomicInteger();
    for (RenderRequest request : requests) {
      // Stop at the first asynchronous failure rather than queue more behind it.
      throwIfFailed(firstFailure, acknowledged, requests.size());
      String id = request.getRequestId();
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
          topic, id.getBytes(StandardCharsets.UTF_8), Codecs.REQUEST.encode(request));
      try {
        producer.send(record, (metadata, exception) -> {
          if (exception == null) {
            acknowledged.incrementAndGet();
          } else {
            firstFailure.compareAndSet(null, new Failure(id, exception));
          }
        });
      } catch (KafkaException e) {
        // Thrown by send itself: no metadata within MAX_BLOCK, record too large, producer closed.
        throw failure(new Failure(id, e), acknowledged.get(), requests.size());
      }
    }
    try {
      producer.flush();
    } catch (KafkaException e) {
      throw new PublishException("cannot flush requests to " + topic + ": " + describe(e) + "; "
          + acknowledged.get() + " of " + requests.size() + " requests were acknowledged", e);
    }
    throwIfFailed(firstFailure, acknowledged, requests.size());
    return requests.size();
  }

  /** Closes the producer, waiting at most {@link #CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }

  private record Failure(String requestId, Exception cause) {}

  private void throwIfFailed(AtomicReference<Failure> failure, AtomicInteger acknowledged, int total)
      throws PublishException {
    Failure first = failure.get();
    if (first != null) {
      throw failure(first, acknowledged.get(), total);
    }
  }

  private PublishException failure(Failure failure, int acknowledged, int total) {
    return new PublishException("cannot publish request \"" + failure.requestId() + "\" to " + topic
        + ": " + describe(failure.cause()) + "; " + acknowledged + " of " + total
        + " requests were acknowledged", failure.cause());
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
