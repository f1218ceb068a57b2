package dev.kiln.ingest;

import dev.kiln.schemas.KafkaEndpoint;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes {@link RenderRequest}s to the requests topic: key = request id (UTF-8), value =
 * {@link Codecs#REQUEST} single-object encoding. Owns the producer it is given and closes it.
 *
 * <p>Requests go out asynchronously: {@link #send} queues one, {@link #awaitAcknowledged()} waits
 * for all; {@link #publish} does both for a list. Not thread-safe: one publisher per submission.
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

  /** Producer linger: how long a batch may wait to fill. */
  public static final int LINGER_MS = 10;
  /** Producer batch size in bytes, per partition. */
  public static final int BATCH_SIZE = 256 * 1024;
  /** Producer compression. */
  public static final String COMPRESSION = "lz4";

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final AtomicReference<Failure> firstFailure = new AtomicReference<>();
  private final AtomicInteger acknowledged = new AtomicInteger();
  private int sent;
  private int expected;

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
    return producerConfig(KafkaEndpoint.plaintext(bootstrapServers));
  }

  /** {@link #producerConfig(String)} for a broker with security settings, which it carries over. */
  public static Map<String, Object> producerConfig(KafkaEndpoint kafka) {
    return Map.copyOf(kafka.clientConfig(kiln(kafka.bootstrapServers())));
  }

  private static Map<String, Object> kiln(String bootstrapServers) {
    return Map.ofEntries(
        Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
        Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "kiln-submit"),
        Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()),
        Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()),
        Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
        Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis()),
        Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis()),
        Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK.toMillis()),
        // A file of requests goes out in a few large batches rather than one send per line: a
        // request is ~200 bytes, so 256 KiB holds ~1,000 of them, and 10 ms of linger fills one
        // at catalogue speed without delaying a single --prompt noticeably.
        Map.entry(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS),
        Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE),
        // Prompts from one template repeat most of their text; lz4 shrinks a batch ~5x for a few
        // percent of CPU (see bench/ingest).
        Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION));
  }

  /**
   * Announces how many requests this submission will send, so a failure can say how far it got
   * ("2 of 3 requests were acknowledged"). {@link #publish} calls it itself.
   */
  public void expect(int total) {
    this.expected = total;
  }

  /**
   * Sends every request, in order, and waits until all are acknowledged.
   *
   * @return the number of requests published
   * @throws PublishException on the first failed send, naming the request, the topic and how
   *     many requests were acknowledged. Those stay published: Kafka cannot take them back.
   */
  public int publish(List<RenderRequest> requests) throws PublishException {
    expect(sent + requests.size());
    for (RenderRequest request : requests) {
      send(request);
    }
    return awaitAcknowledged();
  }

  /**
   * Encodes and sends one request without waiting for it; {@link #awaitAcknowledged()} waits.
   *
   * @throws PublishException if this or an earlier send failed; see {@link #publish}
   */
  public void send(RenderRequest request) throws PublishException {
    // Stop at the first asynchronous failure rather than queue more behind it.
    throwIfFailed();
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
      sent++;
    } catch (KafkaException e) {
      // Thrown by send itself: no metadata within MAX_BLOCK, record too large, producer closed.
      throw failure(new Failure(id, e));
    }
  }

  /**
   * Waits until every request sent so far is acknowledged.
   *
   * @return the number of requests sent and acknowledged
   * @throws PublishException if any send failed; see {@link #publish}
   */
  public int awaitAcknowledged() throws PublishException {
    try {
      producer.flush();
    } catch (KafkaException e) {
      throw new PublishException("cannot flush requests to " + topic + ": " + describe(e) + "; "
          + acknowledged.get() + " of " + total() + " requests were acknowledged", e);
    }
    throwIfFailed();
    return sent;
  }

  /** Requests acknowledged by the broker so far. */
  public int acknowledged() {
    return acknowledged.get();
  }

  /** Closes the producer, waiting at most {@link #CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }

  private record Failure(String requestId, Exception cause) {}

  private void throwIfFailed() throws PublishException {
    Failure first = firstFailure.get();
    if (first != null) {
      throw failure(first);
    }
  }

  private PublishException failure(Failure failure) {
    return new PublishException("cannot publish request \"" + failure.requestId() + "\" to " + topic
        + ": " + describe(failure.cause()) + "; " + acknowledged.get() + " of " + total()
        + " requests were acknowledged", failure.cause());
  }

  private int total() {
    return Math.max(expected, sent);
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
