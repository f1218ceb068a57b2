package dev.kiln.ingest.http.internal;

import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.RequestPublisher;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes requests with one shared, thread-safe producer: key = request id, value =
 * {@link Codecs#REQUEST}, as {@link RequestPublisher} does. Unlike {@code RequestPublisher}
 * (one per submission, which flushes the producer), every HTTP request waits only for its own
 * records, so concurrent callers share the producer's batches instead of serializing on flush.
 */
public final class KafkaRequestSink implements RequestSink {
  /**
   * Upper bound from send to acknowledgement. Shorter than {@code kiln submit}'s: an HTTP caller
   * is waiting, and gets a 503 to retry rather than a hanging connection.
   */
  public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
  /** How long one produce request may wait for the broker before it is retried. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How long a send may block on metadata, e.g. while no broker is reachable. */
  public static final Duration MAX_BLOCK = Duration.ofSeconds(10);
  // The producer fails every record by DELIVERY_TIMEOUT; the margin only guards against a bug there.
  private static final Duration WAIT = DELIVERY_TIMEOUT.plusSeconds(5);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  /** @param producer configured like {@link #producerConfig}; owned and closed by this sink */
  public KafkaRequestSink(Producer<byte[], byte[]> producer, String topic) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  /** {@link RequestPublisher#producerConfig} (idempotent, acks=all) with the API's shorter timeouts. */
  public static Map<String, Object> producerConfig(String bootstrapServers) {
    Map<String, Object> config = new HashMap<>(RequestPublisher.producerConfig(bootstrapServers));
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "kiln-api");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK.toMillis());
    return Map.copyOf(config);
  }

  @Override
  public void publish(List<RenderRequest> requests) throws PublishException, InterruptedException {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (RenderRequest request : requests) {
      String id = request.getRequestId();
      try {
        sent.add(producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
            Codecs.REQUEST.encode(request))));
      } catch (KafkaException e) {
        // Thrown by send itself: no metadata within MAX_BLOCK, record too large, producer closed.
        throw failure(id, e, acknowledged(sent), requests.size());
      }
    }
    for (int i = 0; i < sent.size(); i++) {
      try {
        sent.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw failure(requests.get(i).getRequestId(), cause, acknowledged(sent), requests.size());
      } catch (TimeoutException e) {
        throw failure(requests.get(i).getRequestId(), e, acknowledged(sent), requests.size());
      }
    }
  }

  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }

  private static int acknowledged(List<Future<RecordMetadata>> sent) {
    int n = 0;
    for (Future<RecordMetadata> f : sent) {
      n += f.isDone() && !f.isCancelled() && succeeded(f) ? 1 : 0;
    }
    return n;
  }

  private static boolean succeeded(Future<RecordMetadata> done) {
    try {
      done.get(0, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private PublishException failure(String requestId, Throwable cause, int acknowledged, int total) {
    return new PublishException("cannot publish request \"" + requestId + "\" to " + topic + ": "
        + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
        + "; " + acknowledged + " of " + total + " requests were acknowledged", cause);
  }
}
