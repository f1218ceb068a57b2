package dev.kiln.ingest.http.internal;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link StatusStore} up to date from Kiln's topics on a background thread: every
 * partition of the requests, results and (optionally) dead-letter topics, from the beginning,
 * read_committed, with no consumer group, so every API instance rebuilds the whole state on start
 * and never moves anybody's offsets.
 *
 * <p>{@link #ready()} turns true once the consumer has reached the end offsets the topics had at
 * {@link #start()}: from then on the store knows everything that was committed before the server
 * started.
 */
public final class StatusFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusFollower.class);
  /** Deadline for metadata and offset look-ups at start, e.g. while the broker is unreachable. */
  public static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

  private final Consumer<byte[], byte[]> consumer;
  private final String requestsTopic;
  private final String resultsTopic;
  private final String deadLetterTopic;
  private final StatusStore store;
  private final Map<TopicPartition, Long> catchUpTo = new HashMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean closed;
  private Thread thread;

  /**
   * @param consumer configured like {@link #consumerConfig}; owned and closed by this follower
   * @param deadLetterTopic {@code null} to not follow dead letters
   */
  public StatusFollower(Consumer<byte[], byte[]> consumer, String requestsTopic, String resultsTopic,
      String deadLetterTopic, StatusStore store) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.requestsTopic = Objects.requireNonNull(requestsTopic, "requestsTopic");
    this.resultsTopic = Objects.requireNonNull(resultsTopic, "resultsTopic");
    this.deadLetterTopic = deadLetterTopic;
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Consumer settings: read_committed, no group, no commits, byte-array deserializers. */
  public static Map<String, Object> consumerConfig(String bootstrapServers) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG, "kiln-api-status",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) METADATA_TIMEOUT.toMillis(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
  }

  /**
   * Assigns every partition, seeks to the beginning, notes the end offsets to catch up to and
   * starts the background thread. Blocks for metadata, at most about {@link #METADATA_TIMEOUT}
   * per topic.
   *
   * @throws IllegalStateException when the requests or results topic does not exist
   * @throws KafkaException when the broker cannot be reached in time
   */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    List<TopicPartition> partitions = new ArrayList<>();
    partitions.addAll(partitions(requestsTopic, true));
    partitions.addAll(partitions(resultsTopic, true));
    if (deadLetterTopic != null) {
      partitions.addAll(partitions(deadLetterTopic, false));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    consumer.endOffsets(partitions, METADATA_TIMEOUT).forEach((tp, end) -> {
      if (end > 0) {
        catchUpTo.put(tp, end);
      }
    });
    checkCaughtUp();
    thread = new Thread(this::run, "kiln-api-status");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the store holds everything committed to the topics before {@link #start()}. */
  public boolean ready() {
    return caughtUp.getCount() == 0;
  }

  /** Waits until {@link #ready()} or {@code timeout} passes; returns whether it is ready. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Polls once and applies every record to the store. Called by the background thread; tests call
   * it directly instead of {@link #start()}ing a thread.
   *
   * @return the number of records applied
   */
  int pollOnce(Duration timeout) {
    int applied = 0;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      applied += apply(record) ? 1 : 0;
    }
    checkCaughtUp();
    return applied;
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() {
    closed = true;
    Thread running;
    synchronized (this) {
      running = thread;
    }
    if (running == null) {
      consumer.close(CLOSE_TIMEOUT);
      return;
    }
    consumer.wakeup();
    try {
      running.join(CLOSE_TIMEOUT.toMillis() * 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (!closed && !Thread.currentThread().isInterrupted()) {
        try {
          pollOnce(POLL);
        } catch (WakeupException e) {
          // close() woke us; the loop condition ends the thread.
        } catch (KafkaException e) {
          // The client retries broker outages itself; what reaches here (authorization, a
          // corrupt batch) will not go away by polling at full speed.
          LOG.warn("status: reading {}, {} failed, retrying in {}: {}", requestsTopic, resultsTopic, ERROR_BACKOFF,
              e.toString());
          sleep(ERROR_BACKOFF);
        }
      }
    } finally {
      consumer.close(CLOSE_TIMEOUT);
    }
  }

  private boolean apply(ConsumerRecord<byte[], byte[]> record) {
    String topic = record.topic();
    try {
      if (topic.equals(resultsTopic)) {
        store.result(Codecs.RESULT.decode(record.value()));
      } else if (topic.equals(requestsTopic)) {
        store.submitted(Codecs.REQUEST.decode(record.value()));
      } else if (topic.equals(deadLetterTopic)) {
        DeadLetter letter = Codecs.DEAD_LETTER.decode(record.value());
        if (!requestsTopic.equals(letter.getSourceTopic()) || letter.getValue() == null) {
          return false;
        }
        store.deadLettered(Codecs.REQUEST.decode(bytes(letter.getValue())), letter.getStage() + ": "
            + letter.getReason());
      } else {
        return false;
      }
      return true;
    } catch (InvalidRecordException e) {
      // Undecodable requests are the render job's dead letters already; the API has nothing to show.
      LOG.debug("status: skipping {}-{}@{}: {}", topic, record.partition(), record.offset(), e.getMessage());
      return false;
    }
  }

  private List<TopicPartition> partitions(String topic, boolean required) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      if (required) {
        throw new IllegalStateException("topic " + topic + " does not exist: create it, or pass the right name"
            + " (kiln serve --requests-topic/--results-topic)");
      }
      LOG.warn("status: topic {} does not exist; dead-lettered requests will show as PENDING", topic);
      return List.of();
    }
    return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  private void checkCaughtUp() {
    if (ready()) {
      return;
    }
    catchUpTo.entrySet().removeIf(e -> consumer.position(e.getKey(), METADATA_TIMEOUT) >= e.getValue());
    if (catchUpTo.isEmpty()) {
      LOG.info("status: caught up with {}, {}{}", requestsTopic, resultsTopic,
          deadLetterTopic == null ? "" : ", " + deadLetterTopic);
      caughtUp.countDown();
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
