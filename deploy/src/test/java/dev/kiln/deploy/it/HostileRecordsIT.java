package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * 10,000 hostile records on kiln.requests and 1,000 on kiln.images, mixed into a valid batch:
 * every one is dead-lettered once with a reason, no job restarts, the valid batch is published,
 * and an object of another tenant that hostile staging keys point at is neither read into a
 * result nor changed nor deleted.
 */
class HostileRecordsIT {
  private static final int HOSTILE_REQUESTS = 10_000;
  private static final int HOSTILE_IMAGES = 1_000;

  @Test
  void hostileRecordsInVolumeAreDeadLetteredWithoutRestartsOrTouchingOtherObjects() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    String victimKey = "assets/victim/" + batch + "/victim-0.png";
    byte[] victimBytes = ("the victim tenant's published image " + batch).getBytes(StandardCharsets.UTF_8);
    p.store.putBytes(victimKey, victimBytes, "image/png", Map.of());
    long renderRestarts = p.cluster.restarts(p.renderJob);
    long safetyRestarts = p.cluster.restarts(p.safetyJob);

    List<byte[]> hostileRequests = HostileRecords.forRequests(HOSTILE_REQUESTS, 7);
    List<byte[]> hostileImages = HostileRecords.forImages(HOSTILE_IMAGES, 8, p.stack.bucket(), victimKey);
    List<String> validIds = new ArrayList<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = Kafka.producer(p.stack.bootstrapServers())) {
      for (int i = 0; i < HOSTILE_REQUESTS; i++) {
        if (i % 500 == 0) {
          RenderRequest r = PipelineIT.request(batch, i / 500, "a large " + PipelineIT.COLOURS[i / 500 % 8] + " "
              + PipelineIT.SHAPES[i / 500 % 3] + " on a white background");
          validIds.add(r.getRequestId());
          producer.send(new ProducerRecord<>(Topics.REQUESTS, r.getRequestId().getBytes(StandardCharsets.UTF_8),
              Codecs.REQUEST.encode(r)));
        }
        sent.add(producer.send(new ProducerRecord<>(Topics.REQUESTS, null, hostileRequests.get(i))));
        if (i % 10 == 0) {
          sent.add(producer.send(new ProducerRecord<>(Topics.IMAGES, null, hostileImages.get(i / 10))));
        }
      }
      producer.flush();
    }
    Set<String> hostileAt = new HashSet<>();
    for (Future<RecordMetadata> f : sent) {
      RecordMetadata m = f.get();
      hostileAt.add(m.topic() + "/" + m.partition() + "/" + m.offset());
    }
    assertThat(hostileAt).hasSize(HOSTILE_REQUESTS + HOSTILE_IMAGES);

    int[] counted = {0, 0}; // records looked at, hostile ones among them: each record is decoded once
    var dlq = Kafka.readUntil(p.stack.bootstrapServers(), Topics.DEAD_LETTERS, Duration.ofMinutes(5), seen -> {
      for (; counted[0] < seen.size(); counted[0]++) {
        counted[1] += hostileAt.contains(at(seen.get(counted[0]).value())) ? 1 : 0;
      }
      return counted[1] >= hostileAt.size();
    });
    List<String> ours = new ArrayList<>();
    List<String> reasonless = new ArrayList<>();
    for (var r : dlq) {
      DeadLetter d = DeadLetterIT.decode(r.value());
      String at = d.getSourceTopic() + "/" + d.getSourcePartition() + "/" + d.getSourceOffset();
      if (hostileAt.contains(at)) {
        ours.add(at);
        if (d.getReason().isBlank()) {
          reasonless.add(at);
        }
      }
    }
    assertThat(ours).as("dead letters of the hostile records").hasSize(hostileAt.size())
        .doesNotHaveDuplicates();
    assertThat(reasonless).isEmpty();

    List<RenderResult> results = PipelineIT.awaitResults(p, batch, validIds.size());
    assertThat(results).extracting(RenderResult::getRequestId).containsExactlyInAnyOrderElementsOf(validIds);
    assertThat(p.store.getBytes(victimKey)).as("the other tenant's object").contains(victimBytes);
    assertThat(p.store.list("staging/hostile/")).isEmpty();
    assertThat(p.store.list("assets/hostile/")).isEmpty();
    assertThat(p.store.list("quarantine/hostile/")).isEmpty();
    assertThat(p.cluster.restarts(p.renderJob)).as("render job restarts").isEqualTo(renderRestarts);
    assertThat(p.cluster.restarts(p.safetyJob)).as("safety job restarts").isEqualTo(safetyRestarts);
  }

  private static String at(byte[] deadLetter) {
    DeadLetter d = DeadLetterIT.decode(deadLetter);
    return d.getSourceTopic() + "/" + d.getSourcePartition() + "/" + d.getSourceOffset();
  }
}
