package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Malformed records of every kind go to the dead-letter topic with a reason; the job never stops. */
class DeadLetterIT {
  @Test
  void everyMalformedRecordIsDeadLetteredAndEveryValidRequestPublished() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
    Random random = new Random(42);
    Map<String, String> expectedStage = new HashMap<>();
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String key = batch + "-bad-" + i;
      byte[] value;
      switch (i % 3) {
        case 0 -> {
          value = new byte[1 + random.nextInt(200)];
          random.nextBytes(value);
          expectedStage.put(key, "decode");
        }
        case 1 -> {
          // A record of another schema: a dead letter where a request belongs.
          value = Codecs.DEAD_LETTER.encode(DeadLetter.newBuilder().setSourceTopic("x").setSourcePartition(0)
              .setSourceOffset(i).setValue(ByteBuffer.wrap(new byte[] {1, 2})).setStage("decode")
              .setReason("not a request").setFailedAt(Instant.now()).build());
          expectedStage.put(key, "decode");
        }
        default -> {
          value = Codecs.REQUEST.encode(RenderRequest.newBuilder(
              PipelineIT.request(batch, 1000 + i, "a red circle on a blue background")).setRequestId(key).setWidth(100 + 8 * (i % 10)).setSteps(0).build());
          expectedStage.put(key, "validate");
        }
      }
      records.add(Map.entry(key, value));
    }
    List<String> validIds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      RenderRequest r = PipelineIT.request(batch, i, "a small " + PipelineIT.COLOURS[i % 8] + " "
          + PipelineIT.SHAPES[i % 3] + " on a " + PipelineIT.COLOURS[(i + 5) % 8] + " background");
      validIds.add(r.getRequestId());
      records.add(Map.entry(r.getRequestId(), Codecs.REQUEST.encode(r)));
    }
    Collections.shuffle(records, random);
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", records);

    List<ConsumerRecord<byte[], byte[]>> dlq = Kafka.readUntil(p.stack.bootstrapServers(), "kiln.requests.dlq",
        Duration.ofMinutes(3), seen -> seen.stream().filter(r -> expectedStage.containsKey(Kafka.key(r))).count()
            >= expectedStage.size());
    Map<String, DeadLetter> byKey = new HashMap<>();
    for (var r : dlq) {
      if (expectedStage.containsKey(Kafka.key(r))) {
        assertThat(byKey.put(Kafka.key(r), decode(r.value()))).as("one dead letter per record")
            .isNull();
      }
    }
    assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(expectedStage.keySet());
    byKey.forEach((key, dl) -> {
      assertThat(dl.getStage()).as(key).isEqualTo(expectedStage.get(key));
      assertThat(dl.getReason()).as(key).isNotBlank();
      assertThat(dl.getSourceTopic()).isEqualTo("kiln.requests");
      assertThat(dl.getValue()).as("original bytes kept").isNotNull();
    });
    assertThat(byKey.values()).filteredOn(dl -> dl.getStage().equals("validate"))
        .allSatisfy(dl -> assertThat(dl.getReason()).contains("width: must be a multiple of 8")
            .contains("steps: must be 1..150"));

    List<RenderResult> results = PipelineIT.awaitResults(p, batch, validIds.size());
    assertThat(results).extracting(RenderResult::getRequestId).containsExactlyInAnyOrderElementsOf(validIds);
    assertThat(results).extracting(RenderResult::getStatus).containsOnly(ResultStatus.PUBLISHED);
    assertThat(p.cluster.restarts(p.renderJob)).as("render job restarts").isZero();
    assertThat(p.cluster.restarts(p.safetyJob)).as("safety job restarts").isZero();
  }

  static DeadLetter decode(byte[] bytes) {
    try {
      return Codecs.DEAD_LETTER.decode(bytes);
    } catch (InvalidRecordException e) {
      throw new AssertionError(e.getMessage());
    }
  }
}
