package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.safety.pdq.PdqHash;
import dev.kiln.safety.pdq.PdqHasher;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.ObjectKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Per-tenant image policy, the classifier and the PDQ block list on the real stack. */
class ModerationIT {
  static final String PROMPT = "a large yellow square on a purple background";

  static RenderRequest request(String tenant, String batch, String id, long seed) {
    return RenderRequest.newBuilder(PipelineIT.request(batch, 0, PROMPT)).setTenant(tenant).setRequestId(id)
        .setSeed(seed).build();
  }

  @Test
  void theSameImageIsQuarantinedForAStrictTenantAndPublishedForAnother() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "mod-" + UUID.randomUUID().toString().substring(0, 8);
    RenderRequest strict = request("it-strict", batch, batch + "-strict", 11);
    RenderRequest normal = request("it", batch, batch + "-normal", 11);
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", List.of(
        Map.entry(strict.getRequestId(), Codecs.REQUEST.encode(strict)),
        Map.entry(normal.getRequestId(), Codecs.REQUEST.encode(normal))));

    List<RenderResult> results = PipelineIT.awaitResults(p, batch, 2);
    RenderResult s = results.stream().filter(r -> r.getTenant().equals("it-strict")).findFirst().orElseThrow();
    RenderResult n = results.stream().filter(r -> r.getTenant().equals("it")).findFirst().orElseThrow();
    // Same prompt and seed: the same render, marked with each image's own watermark. PDQ hashes the
    // render without its mark, so the hashes agree but where marking clipped at black or white; the
    // classifier sees the published (marked) pixels, so its scores agree closely.
    assertThat(distance(s.getVerdict().getPdqHash(), n.getVerdict().getPdqHash())).isLessThanOrEqualTo(2);
    assertThat(s.getVerdict().getScores()).allSatisfy((cls, score) ->
        assertThat(score).as(cls).isCloseTo(n.getVerdict().getScores().get(cls), within(0.02)));

    assertThat(s.getStatus()).isEqualTo(ResultStatus.REJECTED);
    assertThat(s.getAssetKey()).startsWith("quarantine/it-strict/" + batch + "/");
    assertThat(s.getVerdict().getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(s.getVerdict().getPolicyName()).isEqualTo("tenant:it-strict");
    assertThat(s.getVerdict().getCategory()).startsWith("classifier:");
    assertThat(p.store.exists(s.getAssetKey())).isTrue();
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "it-strict", batch)))
        .as("nothing of the strict tenant's batch is published but its gallery page")
        .noneMatch(k -> k.endsWith(".png") || k.endsWith(".json"));

    assertThat(n.getStatus()).isEqualTo(ResultStatus.PUBLISHED);
    assertThat(n.getAssetKey()).startsWith("assets/it/" + batch + "/");
    assertThat(n.getVerdict().getPolicyName()).isEqualTo("default");
    for (RenderResult r : List.of(s, n)) {
      assertThat(r.getVerdict().getScores()).containsOnlyKeys("Drawing", "Hentai", "Neutral", "Porn", "Sexy");
      assertThat(r.getVerdict().getClassifierSha256()).hasSize(64);
      assertThat(r.getVerdict().getPdqHash()).hasSize(64);
      String sidecar = new String(p.store.getBytes(r.getAssetKey().replace(".png", ".json")).orElseThrow(),
          StandardCharsets.UTF_8);
      assertThat(sidecar).contains(r.getVerdict().getClassifierSha256()).contains(r.getVerdict().getPolicyName());
    }
  }

  @Test
  void aBlockListedImageIsQuarantined() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "block-" + UUID.randomUUID().toString().substring(0, 8);
    long seed = 4242;
    // The engine is deterministic: rendering here gives the bytes the render job will stage.
    GeneratedImage image;
    try (DiffusionEngine engine = DiffusionEngine.load(Path.of(System.getProperty("kiln.models.dir", "../models"),
        "kiln-tiny"))) {
      image = engine.generate(List.of(new GenerationRequest(PROMPT, "", 64, 64, 20, 3f, seed))).get(0);
    }
    String hash = PdqHasher.hash(image.width(), image.height(), image.rgb()).hash().toHex();
    Files.writeString(SharedPipeline.BLOCK_LIST, hash + " it-known-bad\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Thread.sleep(3_000); // the job re-reads a changed block list at most every 2 s

    RenderRequest r = request("it", batch, batch + "-listed", seed);
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", List.of(Map.entry(r.getRequestId(),
        Codecs.REQUEST.encode(r))));
    RenderResult result = PipelineIT.awaitResults(p, batch, 1).get(0);

    assertThat(result.getStatus()).isEqualTo(ResultStatus.REJECTED);
    assertThat(result.getAssetKey()).startsWith("quarantine/it/" + batch + "/");
    assertThat(result.getVerdict().getCategory()).isEqualTo("block-list");
    assertThat(result.getVerdict().getBlockListMatch()).isEqualTo("it-known-bad");
    assertThat(distance(result.getVerdict().getPdqHash(), hash)).as("the render's hash, without its watermark")
        .isLessThanOrEqualTo(2);
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "it", batch)))
        .as("nothing published but the batch's gallery page").noneMatch(k -> k.endsWith(".png") || k.endsWith(".json"));
  }

  static int distance(String a, String b) {
    return PdqHash.fromHex(a).distance(PdqHash.fromHex(b));
  }
}
