package dev.kiln.ingest.webhook;

import dev.kiln.schemas.Topics;
import dev.kiln.ingest.http.AssetLinks;
import dev.kiln.ingest.http.ResultJson;
import dev.kiln.ingest.webhook.WebhookSender.Outcome;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.schemas.TrustedPackages;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Sends every result on {@code kiln.results} to its tenant's webhook: the body is the result as
 * {@link ResultJson} (with a presigned {@code url} when {@link Builder#optAssetLinks} is set and
 * the image is PUBLISHED), signed and retried by a {@link WebhookSender}.
 *
 * <p><b>At-least-once.</b> The notifier reads read_committed in its own consumer group and commits
 * a record's offset only after its delivery ended (delivered, rejected or given up), so after a
 * crash or rebalance some results are POSTed again. Receivers must deduplicate by
 * {@code imageId} (also sent as {@code X-Kiln-Image-Id}). A delivery that gives up is logged as an
 * error and not retried later: the status API ({@code GET /v1/requests/{id}}) still has it.
 *
 * <p>Deliveries run one at a time, so a slow receiver delays every tenant behind it; polls are
 * kept small ({@value #MAX_POLL_RECORDS} records) so the group does not evict a notifier that is
 * busy retrying.
 */
public final class WebhookNotifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
  public static final String DEFAULT_TOPIC = Topics.RESULTS;
  public static final String DEFAULT_GROUP_ID = "kiln-webhooks";
  public static final int MAX_POLL_RECORDS = 10;
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final WebhookSender sender;
  private final AssetLinks links;
  private final Map<Outcome, AtomicLong> counts = new EnumMap<>(Outcome.class);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile Thread runner;

  private WebhookNotifier(Builder b) {
    this.topic = b.topic;
    this.sender = b.sender;
    this.links = b.links;
    for (Outcome o : Outcome.values()) {
      counts.put(o, new AtomicLong());
    }
    TrustedPackages.ensure();
    this.consumer = b.consumers.apply(consumerConfig(b.bootstrapServers, b.groupId, b.startAt, b.sender));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Consumer settings: the group, read_committed, manual commits, small polls, and a poll
   * interval long enough for {@value #MAX_POLL_RECORDS} deliveries that all exhaust their retries.
   */
  static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, String startAt,
      WebhookSender sender) {
    long maxPollInterval = Math.max(Duration.ofMinutes(5).toMillis(),
        sender.worstCase().multipliedBy(MAX_POLL_RECORDS).plusMinutes(1).toMillis());
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, groupId,
        ConsumerConfig.CLIENT_ID_CONFIG, "kiln-webhooks",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startAt,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS,
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxPollInterval),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
  }

  /** Delivers results until {@link #close()} is called, then closes the consumer. */
  public void run() {
    runner = Thread.currentThread();
    try {
      consumer.subscribe(List.of(topic));
      while (!closed && !Thread.currentThread().isInterrupted()) {
        try {
          pollOnce(POLL);
        } catch (WakeupException | InterruptException e) {
          // close() woke or interrupted us; the loop condition ends the run.
        } catch (KafkaException e) {
          LOG.warn("webhooks: reading {} failed, retrying in {}: {}", topic, ERROR_BACKOFF, e.toString());
          sleep(ERROR_BACKOFF);
        }
      }
    } finally {
      Thread.interrupted();
      consumer.close(CLOSE_TIMEOUT);
      finished.countDown();
    }
  }

  /**
   * Polls once, delivers every result and commits the offsets of those whose delivery ended.
   *
   * @return the number of results whose delivery ended
   */
  int pollOnce(Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    try {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
        if (closed) {
          break;
        }
        deliver(record);
        done.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      commit(done);
    }
    return done.size();
  }

  /** How many deliveries ended this way since the notifier was built. */
  public long count(Outcome outcome) {
    return counts.get(outcome).get();
  }

  /**
   * Stops after the delivery in progress (interrupting its backoff or request), commits what was
   * delivered and closes the consumer; waits for that when {@link #run()} runs on another thread.
   */
  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    Thread running = runner;
    if (running == null) {
      consumer.close(CLOSE_TIMEOUT);
      return;
    }
    if (running != Thread.currentThread()) {
      running.interrupt();
      try {
        finished.await(CLOSE_TIMEOUT.toMillis() + COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void deliver(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
    RenderResult result;
    try {
      result = Codecs.RESULT.decode(record.value());
    } catch (InvalidRecordException e) {
      LOG.warn("webhooks: skipping undecodable result at {}-{}@{}: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return;
    }
    byte[] body = ResultJson.bytes(ResultJson.toJson(result, link(result)));
    Outcome outcome = sender.deliver(result.getTenant(), result.getImageId(), body);
    counts.get(outcome).incrementAndGet();
  }

  private AssetLinks.Link link(RenderResult result) {
    if (links == null || result.getStatus() != ResultStatus.PUBLISHED || result.getAssetKey() == null) {
      return null;
    }
    try {
      return links.link(result.getAssetKey());
    } catch (SdkException e) {
      // The result is still worth delivering; the receiver can fetch a URL from the status API.
      LOG.warn("webhooks: cannot presign {}, sending without url: {}", result.getAssetKey(), e.toString());
      return null;
    }
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> done) {
    if (done.isEmpty()) {
      return;
    }
    // A pending interrupt would abort the commit; deliveries that ended should stay committed.
    boolean interrupted = Thread.interrupted();
    try {
      consumer.commitSync(done, COMMIT_TIMEOUT);
    } catch (KafkaException e) {
      // E.g. the group rebalanced: those results will be delivered again, which at-least-once allows.
      LOG.warn("webhooks: cannot commit {}: {}", done, e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builder: {@code setBootstrapServers} and {@code setSender} are required. Not thread-safe. */
  public static final class Builder {
    private String bootstrapServers;
    private WebhookSender sender;
    private String topic = DEFAULT_TOPIC;
    private String groupId = DEFAULT_GROUP_ID;
    private String startAt = "earliest";
    private AssetLinks links;
    private Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers =
        config -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    private Builder() {}

    /** Required: Kafka's bootstrap servers. */
    public Builder setBootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /** Required: delivers, signs and retries. */
    public Builder setSender(WebhookSender sender) {
      this.sender = sender;
      return this;
    }

    /** Results topic; default {@value WebhookNotifier#DEFAULT_TOPIC}. */
    public Builder optTopic(String topic) {
      this.topic = topic;
      return this;
    }

    /** Consumer group whose offsets record what was delivered; default {@value WebhookNotifier#DEFAULT_GROUP_ID}. */
    public Builder optGroupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * Where a group without committed offsets starts: {@code earliest} (default: every retained
     * result is delivered once) or {@code latest} (only results from now on).
     */
    public Builder optStartAt(String startAt) {
      this.startAt = startAt;
      return this;
    }

    /** Adds a presigned {@code url} to PUBLISHED results; default none. */
    public Builder optAssetLinks(AssetLinks links) {
      this.links = links;
      return this;
    }

    /** Creates the consumer from its config; default a {@link KafkaConsumer}. Tests pass a MockConsumer. */
    public Builder optConsumerFactory(Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers) {
      this.consumers = consumers;
      return this;
    }

    /**
     * Checks the settings and creates the consumer; nothing is read before {@link #run()}.
     *
     * @throws IllegalArgumentException naming the bad setting and how to fix it
     */
    public WebhookNotifier build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("No bootstrap servers: call setBootstrapServers(\"localhost:9092\")"
            + " (kiln notify --bootstrap-servers)");
      }
      if (sender == null) {
        throw new IllegalArgumentException("No sender: call setSender(WebhookSender.builder().setConfig(...)"
            + ".build())");
      }
      if (topic == null || topic.isBlank() || groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("topic and group id must not be blank: leave optTopic/optGroupId unset"
            + " for the defaults");
      }
      if (!startAt.equals("earliest") && !startAt.equals("latest")) {
        throw new IllegalArgumentException("startAt is \"" + startAt + "\": pass \"earliest\" or \"latest\" to"
            + " optStartAt");
      }
      Objects.requireNonNull(consumers, "consumers");
      return new WebhookNotifier(this);
    }
  }
}
