package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.safety.job.MarkNearDuplicates;
import dev.kiln.safety.job.SafetyJobOptions;
import dev.kiln.safety.job.Sidecars;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Rerenders;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A request that asks for near-duplicates to be re-rendered, on the real stack: the image comes
 * back from the safety job with a new seed until it is no near-duplicate or the limit is reached,
 * and still gets exactly one result, with nothing left in staging.
 */
class RerenderIT {
  static final String PROMPT = ModerationIT.PROMPT;
  static final long SEED = 11;

  @Test
  void aNearDuplicateOfARequestThatAskedIsRenderedAgainWithANewSeed() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "rerender-" + UUID.randomUUID().toString().substring(0, 8);
    RenderRequest first = ModerationIT.request("it", batch, batch + "-first", SEED);
    RenderRequest second = RenderRequest.newBuilder(ModerationIT.request("it", batch, batch + "-second", SEED))
        .setRerenderNearDuplicates(true).build();

    // One after the other, so the first is the earlier image of the batch when the second is judged.
    send(p, first);
    RenderResult a = PipelineIT.awaitResults(p, batch, 1).get(0);
    assertThat(a.getVerdict().getDecision()).as("precondition: the first image is published, so it is compared")
        .isNotEqualTo(Decision.REJECTED);
    send(p, second);
    List<RenderResult> results = PipelineIT.awaitResults(p, batch, 2);

    assertThat(results).as("exactly one result per image").extracting(RenderResult::getImageId)
        .containsExactlyInAnyOrder(batch + "-first-0", batch + "-second-0");
    RenderResult b = results.stream().filter(r -> r.getImageId().equals(batch + "-second-0")).findFirst().orElseThrow();

    assertThat(a.getAttempt()).isZero();
    assertThat(a.getParams().getSeed()).isEqualTo(SEED);
    assertThat(a.getVerdict().getFlags()).noneMatch(f -> f.startsWith("re-rendered"));

    // The same prompt and seed give the same pixels (distance 0), so the first render of the second
    // request is always a near-duplicate and is rendered again. A new seed usually gives an image far
    // enough away; if not, it is rendered again up to the limit and then published with the flag.
    int max = new Configuration().get(SafetyJobOptions.MAX_RERENDERS);
    int attempt = b.getAttempt();
    assertThat(attempt).isBetween(1, max);
    assertThat(b.getParams().getSeed()).isEqualTo(Rerenders.seed(b.getImageId(), attempt)).isNotEqualTo(SEED);
    assertThat(b.getVerdict().getFlags()).contains(MarkNearDuplicates.rerenderedFlag(attempt));
    if (attempt < max) {
      assertThat(b.getVerdict().getNearDuplicateOf()).as("published before the limit: no longer a near-duplicate")
          .isNull();
    }

    List<RenderedImage> rerenders = rerendersOf(p, b.getImageId(), attempt);
    assertThat(rerenders).as("one re-render record per attempt on kiln.rerenders")
        .extracting(RenderedImage::getAttempt).containsExactlyElementsOf(range(1, attempt));
    assertThat(rerenders).allSatisfy(r -> assertThat(r.getParams().getSeed())
        .isEqualTo(Rerenders.seed(b.getImageId(), r.getAttempt())));

    for (RenderResult r : List.of(a, b)) {
      assertThat(r.getStatus()).isIn(ResultStatus.PUBLISHED, ResultStatus.REJECTED);
      assertThat(r.getAssetKey()).matches("(assets|quarantine)/it/" + batch + "/" + r.getImageId() + "\\.png");
      byte[] png = p.store.getBytes(r.getAssetKey()).orElseThrow();
      assertThat(Checksums.sha256Hex(png)).isEqualTo(r.getSha256());
      RenderResult recorded = Sidecars.resultFrom(
          p.store.getBytes(r.getAssetKey().replace(".png", ".json")).orElseThrow());
      assertThat(recorded.getAttempt()).isEqualTo(r.getAttempt());
    }
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "it", batch)))
        .as("every attempt's staging object is deleted").isEmpty();
  }

  private static void send(SharedPipeline p, RenderRequest r) throws Exception {
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", List.of(Map.entry(r.getRequestId(),
        Codecs.REQUEST.encode(r))));
  }

  /** The committed re-render records of {@code imageId}, waiting a little for any beyond {@code expected}. */
  private static List<RenderedImage> rerendersOf(SharedPipeline p, String imageId, int expected) {
    var records = Kafka.readUntil(p.stack.bootstrapServers(), "kiln.rerenders", Duration.ofSeconds(5),
        seen -> seen.stream().filter(r -> imageId.equals(Kafka.key(r))).count() > expected);
    List<RenderedImage> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (imageId.equals(Kafka.key(r))) {
        try {
          out.add(Codecs.IMAGE.decode(r.value()));
        } catch (InvalidRecordException e) {
          throw new AssertionError("undecodable record on kiln.rerenders: " + e.getMessage());
        }
      }
    }
    return out;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> list = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      list.add(i);
    }
    return list;
  }
}
