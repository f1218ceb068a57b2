package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.ObjectKeys;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The whole path on a real broker, a real S3 server and a MiniCluster: requests in, moderated images out. */
class PipelineIT {
  static final String[] COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "white", "black"};
  static final String[] SHAPES = {"circle", "square", "triangle"};

  static RenderRequest request(String batch, int i, String prompt) {
    return RenderRequest.newBuilder()
        .setRequestId(batch + "-r" + i)
        .setTenant("it")
        .setBatchId(batch)
        .setPrompt(prompt)
        .setSeed((long) i)
        .setSubmittedAt(Instant.now())
        .build();
  }

  static List<RenderResult> results(List<ConsumerRecord<byte[], byte[]>> records, String batch) {
    List<RenderResult> out = new ArrayList<>();
    for (var r : records) {
      try {
        RenderResult result = Codecs.RESULT.decode(r.value());
        if (result.getBatchId().equals(batch)) {
          out.add(result);
        }
      } catch (InvalidRecordException e) {
        throw new AssertionError("undecodable result on kiln.results: " + e.getMessage());
      }
    }
    return out;
  }

  static List<RenderResult> awaitResults(SharedPipeline p, String batch, int expected) {
    var records = Kafka.readUntil(p.stack.bootstrapServers(), "kiln.results", Duration.ofMinutes(5),
        seen -> results(seen, batch).size() >= expected);
    // Wait two more checkpoints: a duplicate result would be committed by then.
    try {
      Thread.sleep(2_500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    records = Kafka.readUntil(p.stack.bootstrapServers(), "kiln.results", Duration.ofSeconds(10),
        seen -> results(seen, batch).size() > expected);
    return results(records, batch);
  }

  @Test
  void fiftyRequestsGiveOneResultAndOneObjectEach() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String prompt = "a " + (i % 2 == 0 ? "large " : "small ") + COLOURS[i % 8] + " " + SHAPES[i % 3] + " on a "
          + COLOURS[(i + 3) % 8] + " background";
      RenderRequest r = request(batch, i, prompt);
      records.add(Map.entry(r.getRequestId(), Codecs.REQUEST.encode(r)));
    }
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", records);

    List<RenderResult> results = awaitResults(p, batch, 50);

    Map<String, Long> perRequest = results.stream()
        .collect(Collectors.groupingBy(RenderResult::getRequestId, Collectors.counting()));
    assertThat(perRequest).hasSize(50).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
    assertThat(results).allSatisfy(r -> {
      assertThat(r.getStatus()).isIn(ResultStatus.PUBLISHED, ResultStatus.REJECTED);
      assertThat(r.getVerdict()).isNotNull();
      assertThat(r.getParams().getModelDigest()).hasSize(64);
      assertThat(r.getAssetUri()).isEqualTo("s3://" + p.stack.bucket() + "/" + r.getAssetKey());
    });

    List<String> assets = p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "it", batch));
    List<String> quarantine = p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.QUARANTINE, "it", batch));
    List<String> pngs = new ArrayList<>();
    assets.stream().filter(k -> k.endsWith(".png")).forEach(pngs::add);
    quarantine.stream().filter(k -> k.endsWith(".png")).forEach(pngs::add);
    assertThat(pngs).hasSize(50);
    long sidecars = assets.stream().filter(k -> k.endsWith(".json")).count()
        + quarantine.stream().filter(k -> k.endsWith(".json")).count();
    assertThat(sidecars).as("every PNG has its sidecar").isEqualTo(50);
    assertThat(assets).as("the batch's gallery").contains(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "it", batch)
        + "index.html");
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "it", batch))).isEmpty();

    RenderResult first = results.stream().filter(r -> r.getStatus() == ResultStatus.PUBLISHED).findFirst()
        .orElseThrow();
    byte[] png = p.store.getBytes(first.getAssetKey()).orElseThrow();
    assertThat(Files.readAllBytes(p.stack.objectPath(first.getAssetKey()))).as("the PNG is a file on disk")
        .isEqualTo(png);
    assertThat(new String(png, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("trainedAlgorithmicMedia");
    String sidecar = new String(p.store.getBytes(first.getAssetKey().replace(".png", ".json")).orElseThrow(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(sidecar).contains(first.getParams().getModelDigest()).contains("\"decision\" : \"APPROVED\"")
        .contains(first.getParams().getPrompt());
    assertThat(p.cluster.restarts(p.renderJob)).isZero();
    assertThat(p.cluster.restarts(p.safetyJob)).isZero();
  }

  @Test
  void aPromptThePolicyRejectsIsNeverRendered() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "policy-" + UUID.randomUUID().toString().substring(0, 8);
    RenderRequest bad = RenderRequest.newBuilder(request(batch, 0, "a n u d e red circle on a blue background"))
        .setNumImages(2).build();
    RenderRequest good = request(batch, 1, "a large red circle on a blue background");
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", List.of(
        Map.entry(bad.getRequestId(), Codecs.REQUEST.encode(bad)),
        Map.entry(good.getRequestId(), Codecs.REQUEST.encode(good))));

    List<RenderResult> results = awaitResults(p, batch, 3);

    Map<String, List<RenderResult>> byRequest = new HashMap<>(results.stream()
        .collect(Collectors.groupingBy(RenderResult::getRequestId)));
    assertThat(byRequest.get(bad.getRequestId())).hasSize(2).allSatisfy(r -> {
      assertThat(r.getStatus()).isEqualTo(ResultStatus.REJECTED);
      assertThat(r.getAssetKey()).isNull();
      assertThat(r.getVerdict().getDecision()).isEqualTo(Decision.REJECTED);
      assertThat(r.getVerdict().getCategory()).isEqualTo("prompt:sexual");
    });
    assertThat(byRequest.get(good.getRequestId())).singleElement()
        .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.PUBLISHED));
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.STAGING, "it", batch))).isEmpty();
    assertThat(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "it", batch)))
        .noneMatch(k -> k.contains(bad.getRequestId()));
  }
}
