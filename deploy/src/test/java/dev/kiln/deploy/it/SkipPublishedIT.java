package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.storage.ObjectKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What holds without the render job's dedupe state (a new cluster, lost checkpoints): an image that
 * already has a sidecar under assets/ is not rendered again, gets no second result, and its
 * leftover staging object is deleted.
 */
class SkipPublishedIT {
  @Test
  void anImageThatIsAlreadyPublishedIsNotRenderedAgainAndItsStagingObjectIsDeleted() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "skip-" + UUID.randomUUID().toString().substring(0, 8);
    RenderRequest published = PipelineIT.request(batch, 0, "a large red circle on a blue background");
    RenderRequest fresh = PipelineIT.request(batch, 1, "a small green square on a white background");
    String imageId = published.getRequestId() + "-0";
    // As a run whose state was lost would have left it: published, with a staged copy never cleaned up.
    p.store.putBytes(ObjectKeys.assetSidecar("it", batch, imageId), "{}".getBytes(StandardCharsets.UTF_8),
        "application/json", Map.of());
    String staged = ObjectKeys.staging("it", batch, imageId);
    p.store.putBytes(staged, new byte[] {1, 2, 3}, "image/png", Map.of());

    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", List.of(
        Map.entry(published.getRequestId(), Codecs.REQUEST.encode(published)),
        Map.entry(fresh.getRequestId(), Codecs.REQUEST.encode(fresh))));
    // Skipping takes two HEAD requests, the fresh image a render and a moderation: by the time the
    // fresh result is committed, and two checkpoints later, a result for the other would be too.
    List<RenderResult> results = PipelineIT.awaitResults(p, batch, 1);
    assertThat(results).extracting(RenderResult::getRequestId).containsExactly(fresh.getRequestId());
    assertThat(p.store.exists(staged)).as("the leftover staging object").isFalse();
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "it", batch))).isEmpty();
  }
}
