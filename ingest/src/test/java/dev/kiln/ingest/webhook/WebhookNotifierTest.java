package dev.kiln.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    WebhookSender sender = WebhookSender.builder()
        .setConfig(WebhookConfig.of(Map.of("acme", new WebhookConfig.Endpoint(receiver.url(), SECRET)), true))
        .optMaxAttempts(2)
        .optInitialBackoff(Duration.ofMillis(1))
        .optMaxBackoff(Duration.ofMillis(2))
        .build();
    WebhookNotifier notifier = WebhookNotifier.builder()
        .setBootstrapServers("mock:9092")
        .setSender(sender)
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

    int ended = notifier.pollOnce(Duration.ZERO);

    assertThat(ended).isEqualTo(1);
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
  void skipsTenantsWithoutWebhookAndUndecodableRecordsButCommitsPastThem() {
    WebhookNotifier notifier = notifier();
    add(TestResults.published("globex", "b1", "g1", 0, 1));
    consumer.addRecord(new ConsumerRecord<>("kiln.results", 0, offset++, new byte[0], new byte[] {9, 9}));
    add(TestResults.rejected("acme", "b1", "r2", 0, 1));

    notifier.pollOnce(Duration.ZERO);

    assertThat(receiver.deliveries).hasSize(1);
    assertThat(receiver.deliveries.get(0).header("X-Kiln-Image-Id")).isEqualTo("r2-0");
    assertThat(notifier.count(Outcome.NO_ENDPOINT)).isEqualTo(1);
    assertThat(consumer.committed(Set.of(PARTITION))).containsEntry(PARTITION, new OffsetAndMetadata(3));
  }

  @Test
  void aDeliveryThatGivesUpIsCommittedAndTheNextResultStillGoesOut() {
    WebhookNotifier notifier = notifier();
    receiver.answer(500, 500);
    add(TestResults.published("acme", "b1", "r1", 0, 1));
    add(TestResults.published("acme", "b1", "r2", 0, 1));

    notifier.pollOnce(Duration.ZERO);

    assertThat(notifier.count(Outcome.GAVE_UP)).isEqualTo(1);
    assertThat(notifier.count(Outcome.DELIVERED)).isEqualTo(1);
    assertThat(receiver.deliveries).extracting(d -> d.header("X-Kiln-Image-Id")).containsExactly("r1-0", "r1-0", "r2-0");
    assertThat(consumer.committed(Set.of(PARTITION))).containsEntry(PARTITION, new OffsetAndMetadata(2));
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
