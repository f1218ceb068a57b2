package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.CircuitBreaker;
import dev.kiln.ingest.http.AssetLinks;
import dev.kiln.ingest.http.ResultJson;
import dev.kiln.ingest.http.TestResults;
import dev.kiln.ingest.webhook.WebhookSender.Outcome;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
  static final TopicPartition PARTITION = new TopicPartition("kiln.results", 0);
  static final String SECRET = "acme-webhook-secret-0123456789";
  static final AssetLinks LINKS = key -> new AssetLinks.Link(URI.create("http://127.0.0.1:9000/kiln/" + key + "?sig=1"),
      Instant.parse("2026-11-22T01:15:42Z"));

  final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  final Receiver receiver;
  long offset;

  WebhookNotifierTest() throws Exception {
    receiver = new Receiver();
  }

  @AfterEach
  void close() {
    receiver.close();
  }

  WebhookNotifier notifier() {
    return notifier(Map.of("acme", receiver.url()));
  }

  WebhookNotifier notifier(Map<String, URI> urls) {
    Map<String, WebhookConfig.Endpoint> endpoints = new HashMap<>();
    urls.forEach((tenant, url) -> endpoints.put(tenant, new WebhookConfig.Endpoint(url, SECRET)));
    WebhookSender sender = WebhookSender.builder()
        .setConfig(WebhookConfig.of(endpoints, true))
        .optMaxAttempts(2)
        .optInitialBackoff(Duration.ofMillis(1))
        .optMaxBackoff(Duration.ofMillis(2))
        .build();
    return notifier(sender);
  }

  WebhookNotifier notifier(WebhookSender sender) {
    return notifier(WebhookNotifier.builder().setSender(sender));
  }

  WebhookNotifier notifier(WebhookNotifier.Builder builder) {
    WebhookNotifier notifier = builder
        .setBootstrapServers("mock:9092")
        .optAssetLinks(LINKS)
        .optConsumerFactory(config -> consumer)
        .build();
    consumer.subscribe(List.of("kiln.results"));
    consumer.rebalance(List.of(PARTITION));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    return notifier;
  }

  void add(RenderResult result) {
    consumer.addRecord(new ConsumerRecord<>("kiln.results", 0, offset++,
        result.getRequestId().getBytes(StandardCharsets.UTF_8), Codecs.RESULT.encode(result)));
  }

  @Test
  void postsEachResultAsTheApisJsonAndCommitsAfterDelivery() throws Exception {
    WebhookNotifier notifier = notifier();
    RenderResult result = TestResults.published("acme", "b1", "r1", 0, 1);
    add(result);

    int polled = notifier.pollOnce(Duration.ZERO);

    assertThat(notifier.awaitIdle(Duration.ofSeconds(10))).isTrue();
    assertThat(polled).isEqualTo(1);
    Receiver.Delivery delivery = receiver.deliveries.get(0);
    JsonNode body = new ObjectMapper().readTree(delivery.body());
    // Compared with what the notifier read: decoding fills schema defaults the builder may not.
    RenderResult read = Codecs.RESULT.decode(Codecs.RESULT.encode(result));
    assertThat(body).isEqualTo(new ObjectMapper().readTree(
        ResultJson.bytes(ResultJson.toJson(read, LINKS.link(result.getAssetKey())))));
    assertThat(body.get("url").asText()).isEqualTo("http://127.0.0.1:9000/kiln/assets/acme/b1/r1-0.png?sig=1");
    assertThat(Signatures.verify(delivery.body(), SECRET, delivery.header(Signatures.SIGNATURE_HEADER),
        delivery.header(Signatures.TIMESTAMP_HEADER), Instant.now())).isTrue();
    assertThat(consumer.committed(Set.of(PARTITION))).containsEntry(PARTITION, new OffsetAndMetadata(1));
    assertThat(notifier.count(Outcome.DELIVERED)).isEqualTo(1);
  }

  @Test
  void skipsTenantsWithoutWebhookAndUndecodableRecordsButCommitsPastThem() throws Exception {
    WebhookNotifier notifier = notifier();
    add(TestResults.published("globex", "b1", "g1", 0, 1));
    consumer.addRecord(new ConsumerRecord<>("kiln.results", 0, offset++, new byte[0], new byte[] {9, 9}));
    add(TestResults.rejected("acme", "b1", "r2", 0, 1));

    notifier.pollOnce(Duration.ZERO);
    assertThat(notifier.awaitIdle(Duration.ofSeconds(10))).isTrue();

    assertThat(receiver.deliveries).hasSize(1);
    assertThat(receiver.deliveries.get(0).header("X-Kiln-Image-Id")).isEqualTo("r2-0");
    assertThat(notifier.count(Outcome.NO_ENDPOINT)).isEqualTo(1);
    assertThat(consumer.committed(Set.of(PARTITION))).containsEntry(PARTITION, new OffsetAndMetadata(3));
  }

  @Test
  void aDeliveryThatGivesUpIsCommittedAndTheNextResultStillGoesOut() throws Exception {
    WebhookNotifier notifier = notifier();
    receiver.answer(500, 500);
    add(TestResults.published("acme", "b1", "r1", 0, 1));
    add(TestResults.published("acme", "b1", "r2", 0, 1));

    notifier.pollOnce(Duration.ZERO);
    assertThat(notifier.awaitIdle(Duration.ofSeconds(10))).isTrue();

    assertThat(notifier.count(Outcome.GAVE_UP)).isEqualTo(1);
    assertThat(notifier.count(Outcome.DELIVERED)).isEqualTo(1);
    assertThat(receiver.deliveries).extracting(d -> d.header("X-Kiln-Image-Id")).containsExactly("r1-0", "r1-0", "r2-0");
    assertThat(consumer.committed(Set.of(PARTITION))).containsEntry(PARTITION, new OffsetAndMetadata(2));
  }

  static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Test
  void aReceiverSleeping11SecondsForOneTenantDoesNotDelayAnotherTenantsDelivery() throws Exception {
    try (Receiver slow = new Receiver().delay(Duration.ofSeconds(11)); Receiver prompt = new Receiver()) {
      WebhookNotifier notifier = notifier(Map.of("acme", slow.url(), "globex", prompt.url()));
      add(TestResults.published("acme", "b1", "a1", 0, 1));
      add(TestResults.published("acme", "b1", "a2", 0, 1));
      add(TestResults.published("globex", "b1", "g1", 0, 1));
      Thread thread = new Thread(notifier::run);
      thread.start();
      try {
        boolean slowReached = await(() -> !slow.deliveries.isEmpty(), Duration.ofSeconds(3));
        // The bound the issue asks for: globex is served while acme's receiver has 11 s to go.
        boolean promptReached = await(() -> !prompt.deliveries.isEmpty(), Duration.ofSeconds(3));

        assertThat(slowReached).as("acme's first delivery reached its receiver").isTrue();
        assertThat(promptReached).as("globex's delivery arrived within 3 s").isTrue();
        assertThat(prompt.deliveries.get(0).header("X-Kiln-Image-Id")).isEqualTo("g1-0");
      } finally {
        notifier.close();
        thread.join(30_000);
      }
      assertThat(thread.isAlive()).isFalse();
    }
  }

  @Test
  void theCircuitOpensAfterFailuresInARowDropsThenClosesAfterASuccessfulProbe() throws Exception {
    WebhookSender sender = WebhookSender.builder()
        .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(receiver.url(), SECRET)), true))
        .optMaxAttempts(1)
        .build();
    WebhookNotifier notifier = notifier(WebhookNotifier.builder().setSender(sender)
        .optBreakerFailures(2)
        .optBreakerCoolDown(Duration.ofMillis(300)));
    receiver.answer(500, 503);
    add(TestResults.published("acme", "b1", "r1", 0, 1));
    add(TestResults.published("acme", "b1", "r2", 0, 1));
    add(TestResults.published("acme", "b1", "r3", 0, 1));

    try (CapturedLogs logs = new CapturedLogs()) {
      notifier.pollOnce(Duration.ZERO);
      assertThat(notifier.awaitIdle(Duration.ofSeconds(10))).isTrue();

      assertThat(notifier.breakerState("acme")).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(notifier.count(Outcome.GAVE_UP)).isEqualTo(2);
      assertThat(notifier.count(Outcome.CIRCUIT_OPEN)).isEqualTo(1);
      assertThat(receiver.deliveries).extracting(d -> d.header("X-Kiln-Image-Id")).containsExactly("r1-0", "r2-0");
      assertThat(logs.lines).anySatisfy(l -> assertThat(l).startsWith("WARN webhooks for tenant acme: dropped image"
          + " r3-0 (CIRCUIT_OPEN").endsWith("its receiver can poll GET /v1/requests/r3"));
      // Dropped results are committed too: they ended.
      assertThat(consumer.committed(Set.of(PARTITION))).containsEntry(PARTITION, new OffsetAndMetadata(3));

      // Well past the cool-down, the next result is the probe; the receiver answers 204.
      Thread.sleep(600);
      add(TestResults.published("acme", "b1", "r4", 0, 1));
      add(TestResults.published("acme", "b1", "r5", 0, 1));
      notifier.pollOnce(Duration.ZERO);
      assertThat(notifier.awaitIdle(Duration.ofSeconds(10))).isTrue();

      assertThat(notifier.breakerState("acme")).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(notifier.count(Outcome.DELIVERED)).isEqualTo(2);
      assertThat(receiver.deliveries).extracting(d -> d.header("X-Kiln-Image-Id"))
          .containsExactly("r1-0", "r2-0", "r4-0", "r5-0");
      assertThat(logs.lines).anySatisfy(l -> assertThat(l).contains("tenant acme: circuit closed")
          .contains("1 deliveries were dropped while open"));
    }
  }

  @Test
  void aFullTenantQueueDropsAndCountsWhileOtherTenantsAreServed() throws Exception {
    try (Receiver stuck = new Receiver().delay(Duration.ofSeconds(30)); CapturedLogs logs = new CapturedLogs()) {
      WebhookSender sender = WebhookSender.builder()
          .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(stuck.url(), SECRET),
              "globex", new WebhookConfig.Endpoint(receiver.url(), SECRET)), true))
          .optMaxAttempts(1)
          .optRequestTimeout(Duration.ofSeconds(30))
          .build();
      WebhookNotifier notifier = notifier(WebhookNotifier.builder().setSender(sender).optQueueCapacity(2));
      add(TestResults.published("acme", "b1", "a1", 0, 1));
      notifier.pollOnce(Duration.ZERO);
      assertThat(await(() -> !stuck.deliveries.isEmpty(), Duration.ofSeconds(10))).isTrue();
      // a1 is in flight; a2 and a3 fill acme's queue; a4 finds it full.
      for (String id : List.of("a2", "a3", "a4")) {
        add(TestResults.published("acme", "b1", id, 0, 1));
      }
      add(TestResults.published("globex", "b1", "g1", 0, 1));
      notifier.pollOnce(Duration.ZERO);

      assertThat(await(() -> !receiver.deliveries.isEmpty(), Duration.ofSeconds(10))).isTrue();
      assertThat(notifier.count(Outcome.QUEUE_FULL)).isEqualTo(1);
      assertThat(logs.lines).anySatisfy(l -> assertThat(l).startsWith("WARN webhooks for tenant acme: dropped image"
          + " a4-0 (QUEUE_FULL, 2 waiting)").endsWith("GET /v1/requests/a4"));
      // Nothing past acme's in-flight a1 (offset 0) is committed yet.
      assertThat(consumer.committed(Set.of(PARTITION))).doesNotContainKey(PARTITION);
      notifier.close();
    }
  }

  @Test
  void runStopsOnCloseFromAnotherThread() throws Exception {
    WebhookNotifier notifier = notifier();
    Thread thread = new Thread(notifier::run);
    thread.start();
    add(TestResults.published("acme", "b1", "r1", 0, 1));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (receiver.deliveries.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    notifier.close();
    thread.join(5_000);

    assertThat(receiver.deliveries).hasSize(1);
    assertThat(thread.isAlive()).isFalse();
    assertThat(consumer.closed()).isTrue();
  }
}
