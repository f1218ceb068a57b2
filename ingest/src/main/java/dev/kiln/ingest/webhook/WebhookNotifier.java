package dev.kiln.ingest.webhook;

import dev.failsafe.CircuitBreaker;
import dev.kiln.ingest.http.AssetLinks;
import dev.kiln.ingest.http.ResultJson;
import dev.kiln.ingest.webhook.WebhookSender.Outcome;
import dev.kiln.ingest.webhook.internal.PendingOffsets;
import dev.kiln.ingest.webhook.internal.TenantLanes;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.Topics;
import dev.kiln.schemas.TrustedPackages;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
 * <p><b>One lane per tenant.</b> The poll loop hands each result to its tenant's lane: a bounded
 * queue ({@link Builder#optQueueCapacity}), a worker delivering from it one at a time, and a circuit
 * breaker that opens after {@link Builder#optBreakerFailures} deliveries in a row gave up and
 * sends one probe after {@link Builder#optBreakerCoolDown}. A dead or slow receiver therefore delays
 * only its own tenant. When a tenant's queue is full, or its breaker open, the result is dropped
 * (counted as {@link Outcome#QUEUE_FULL} or {@link Outcome#CIRCUIT_OPEN} and logged with its
 * request id); see {@link TenantLanes}.
 *
 * <p><b>At-least-once.</b> The notifier reads read_committed in its own consumer group and commits
 * a partition's offset only up to its first result whose delivery has not ended (delivered,
 * rejected, given up or dropped), so after a crash or rebalance some results are POSTed again; a
 * slow tenant's backlog makes that "some" larger. Receivers must deduplicate by {@code imageId}
 * (also sent as {@code X-Kiln-Image-Id}). A delivery that gives up or is dropped is logged and not
 * retried later: the status API ({@code GET /v1/requests/{id}}) still has it.
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

  public static final int DEFAULT_QUEUE_CAPACITY = 1000;
  public static final int DEFAULT_BREAKER_FAILURES = 5;
  public static final Duration DEFAULT_BREAKER_COOL_DOWN = Duration.ofMinutes(1);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final WebhookSender sender;
  private final AssetLinks links;
  private final TenantLanes lanes;
  private final PendingOffsets offsets = new PendingOffsets();
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
    this.lanes = new TenantLanes(b.sender, b.queueCapacity, b.breakerFailures, b.breakerCoolDown);
    this.consumer = b.consumers.apply(b.kafka.clientConfig(consumerConfig(b.kafka.bootstrapServers(), b.groupId,
        b.startAt)));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Consumer settings: the group, read_committed, manual commits and small polls. The default poll
   * interval suffices: deliveries run on the lanes, never on the polling thread.
   */
  static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, String startAt) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, groupId,
        ConsumerConfig.CLIENT_ID_CONFIG, "kiln-webhooks",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startAt,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
  }

  /** Delivers results until {@link #close()} is called, then closes the consumer. */
  public void run() {
    runner = Thread.currentThread();
    try {
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          // Results of these partitions still on the lanes will be delivered, and by the new owner too.
          commit();
          offsets.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
      });
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
      lanes.close();
      Thread.interrupted();
      commit();
      consumer.close(CLOSE_TIMEOUT);
      finished.countDown();
    }
  }

  /**
   * Polls once, hands every result to its tenant's lane, and commits what ended so far.
   *
   * @return the number of records read
   */
  int pollOnce(Duration timeout) {
    int read = 0;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      if (closed) {
        break;
      }
      read++;
      dispatch(record);
    }
    commit();
    return read;
  }

  /**
   * Waits until every result read so far ended, then commits; for callers driving
   * {@link #pollOnce} themselves, i.e. tests.
   *
   * @return whether all ended within {@code timeout}
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (offsets.inProgress() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    commit();
    return true;
  }

  /** The tenant's circuit breaker: CLOSED, OPEN or HALF_OPEN. */
  CircuitBreaker.State breakerState(String tenant) {
    return lanes.state(tenant);
  }

  /** How many deliveries ended this way since the notifier was built. */
  public long count(Outcome outcome) {
    return counts.get(outcome).get();
  }

  /**
   * Stops every lane (interrupting deliveries in progress, which stay uncommitted), commits what
   * ended and closes the consumer; waits for that when {@link #run()} runs on another thread.
   */
  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    Thread running = runner;
    if (running == null) {
      lanes.close();
      commit();
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

  private void dispatch(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    long offset = record.offset();
    offsets.started(partition, offset);
    RenderResult result;
    try {
      result = Codecs.RESULT.decode(record.value());
    } catch (InvalidRecordException e) {
      LOG.warn("webhooks: skipping undecodable result at {}-{}@{}: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      offsets.ended(partition, offset);
      return;
    }
    if (!sender.hasEndpoint(result.getTenant())) {
      ended(partition, offset, Outcome.NO_ENDPOINT);
      return;
    }
    byte[] body = ResultJson.bytes(ResultJson.toJson(result, link(result)));
    lanes.submit(new TenantLanes.Delivery(result.getTenant(), result.getRequestId(), result.getImageId(), body,
        outcome -> ended(partition, offset, outcome)));
  }

  private void ended(TopicPartition partition, long offset, Outcome outcome) {
    counts.get(outcome).incrementAndGet();
    offsets.ended(partition, offset);
  }

  private AssetLinks.Link link(RenderResult result) {
    Optional<String> key = AssetLinks.publishedKey(result);
    if (links == null || key.isEmpty()) {
      return null;
    }
    try {
      return links.link(key.get());
    } catch (SdkException e) {
      // The result is still worth delivering; the receiver can fetch a URL from the status API.
      LOG.warn("webhooks: cannot presign {}, sending without url: {}", result.getAssetKey(), e.toString());
      return null;
    }
  }

  private void commit() {
    Map<TopicPartition, OffsetAndMetadata> done = offsets.committable();
    if (done.isEmpty()) {
      return;
    }
    // A pending interrupt would abort the commit; deliveries that ended should stay committed.
    boolean interrupted = Thread.interrupted();
    try {
      consumer.commitSync(done, COMMIT_TIMEOUT);
      offsets.committed(done);
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
    private KafkaEndpoint kafka;
    private WebhookSender sender;
    private String topic = DEFAULT_TOPIC;
    private String groupId = DEFAULT_GROUP_ID;
    private String startAt = "earliest";
    private AssetLinks links;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private int breakerFailures = DEFAULT_BREAKER_FAILURES;
    private Duration breakerCoolDown = DEFAULT_BREAKER_COOL_DOWN;
    private Function<Map<String, Object>, Consumer<byte[], byte[]>> consumers =
        config -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    private Builder() {}

    /** Required: Kafka's bootstrap servers; or {@link #setKafka}. */
    public Builder setBootstrapServers(String bootstrapServers) {
      this.kafka = bootstrapServers == null || bootstrapServers.isBlank() ? null
          : KafkaEndpoint.plaintext(bootstrapServers);
      return this;
    }

    /** Kafka's bootstrap servers and the security settings (TLS, SASL) of the consumer. */
    public Builder setKafka(KafkaEndpoint kafka) {
      this.kafka = kafka;
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

    /**
     * Results waiting per tenant; default {@value WebhookNotifier#DEFAULT_QUEUE_CAPACITY}. A result
     * arriving at a full queue is dropped (and logged with its request id).
     */
    public Builder optQueueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Deliveries in a row that must give up before a tenant's circuit opens; default
     * {@value WebhookNotifier#DEFAULT_BREAKER_FAILURES}.
     */
    public Builder optBreakerFailures(int failures) {
      this.breakerFailures = failures;
      return this;
    }

    /** How long an open circuit drops a tenant's results before one probe; default 1 minute. */
    public Builder optBreakerCoolDown(Duration coolDown) {
      this.breakerCoolDown = coolDown;
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
      if (kafka == null) {
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
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity is " + queueCapacity + ": pass at least 1 to"
            + " optQueueCapacity (kiln notify --queue-capacity)");
      }
      if (breakerFailures < 1) {
        throw new IllegalArgumentException("breakerFailures is " + breakerFailures + ": pass at least 1 to"
            + " optBreakerFailures (kiln notify --breaker-failures)");
      }
      if (breakerCoolDown == null || breakerCoolDown.isNegative() || breakerCoolDown.isZero()) {
        throw new IllegalArgumentException("breakerCoolDown is " + breakerCoolDown + ": pass a positive duration"
            + " to optBreakerCoolDown (kiln notify --breaker-cool-down), e.g. Duration.ofMinutes(1)");
      }
      Objects.requireNonNull(consumers, "consumers");
      return new WebhookNotifier(this);
    }
  }
}
