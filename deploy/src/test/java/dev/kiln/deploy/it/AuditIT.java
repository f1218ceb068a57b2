package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.KilnCli;
import dev.kiln.ingest.audit.AuditReport;
import dev.kiln.ingest.audit.AuditReport.ObjectProblem;
import dev.kiln.ingest.audit.BatchAudit;
import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.Checksums;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.S3Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code kiln audit} on a batch the real pipeline rendered: clean as rendered, then each fault a
 * crash or a bad replay can leave is put in by hand and reported.
 */
class AuditIT {
  static final String TENANT = "it";

  /** Runs {@code kiln audit} as a user would, against the shared stack; returns exit code and output. */
  static Map.Entry<Integer, String> kilnAudit(SharedPipeline p, String batch, int expect) {
    S3Settings s3 = p.stack.s3Settings();
    StringWriter out = new StringWriter();
    CommandLine cli = KilnCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    int exit = cli.execute("audit", batch, "--tenant", TENANT, "--expect", Integer.toString(expect),
        "--bootstrap-servers", p.stack.bootstrapServers(),
        "--s3-bucket", s3.bucket(), "--s3-endpoint", s3.endpoint().orElseThrow().toString(),
        "--s3-access-key", s3.accessKey().orElseThrow(), "--s3-secret-key-file", SweepIT.secretKeyFile(s3.secretKey().orElseThrow()));
    return Map.entry(exit, out.toString());
  }

  static AuditReport audit(SharedPipeline p, String batch, int expect) {
    return BatchAudit.builder()
        .setBootstrapServers(p.stack.bootstrapServers())
        .setObjectStore(p.store)
        .setTenant(TENANT)
        .setBatchId(batch)
        .optExpect(expect)
        .build()
        .run();
  }

  @Test
  void aRenderedBatchIsCleanAndEachInjectedFaultIsReported() throws Exception {
    SharedPipeline p = SharedPipeline.get();
    String batch = "audit-" + UUID.randomUUID().toString().substring(0, 8);
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RenderRequest r = PipelineIT.request(batch, i, "a large " + PipelineIT.COLOURS[i] + " "
          + PipelineIT.SHAPES[i % 3] + " on a " + PipelineIT.COLOURS[i + 3] + " background");
      records.add(Map.entry(r.getRequestId(), Codecs.REQUEST.encode(r)));
    }
    // The prompt policy rejects this one before rendering: a result with no object, which is fine.
    RenderRequest refused = PipelineIT.request(batch, 5, "a n u d e red circle on a blue background");
    records.add(Map.entry(refused.getRequestId(), Codecs.REQUEST.encode(refused)));
    Kafka.send(p.stack.bootstrapServers(), "kiln.requests", records);
    List<RenderResult> results = PipelineIT.awaitResults(p, batch, 6);
    assertThat(results).hasSize(6);

    AuditReport clean = audit(p, batch, 6);
    assertThat(clean.lines()).as("the audit of the batch as rendered").containsExactly(
        String.format("%-15s %s", "summary", TENANT + "/" + batch + ": 6 images (expected 6), 6 results: published "
            + clean.statuses().get(ResultStatus.PUBLISHED) + ", rejected " + clean.statuses().get(ResultStatus.REJECTED)
            + ", failed 0; clean"));
    assertThat(clean.statuses().get(ResultStatus.REJECTED)).as("at least the refused prompt").isPositive();
    Map.Entry<Integer, String> cli = kilnAudit(p, batch, 6);
    assertThat(cli.getKey()).as(cli.getValue()).isZero();
    assertThat(cli.getValue()).isEqualTo(String.join(System.lineSeparator(), clean.lines()) + System.lineSeparator());

    List<RenderResult> published = results.stream().filter(r -> r.getStatus() == ResultStatus.PUBLISHED)
        .sorted((a, b) -> a.getImageId().compareTo(b.getImageId())).toList();
    assertThat(published).as("enough published images to damage").hasSizeGreaterThanOrEqualTo(2);
    // A result committed a second time, as a replay without restored state would.
    RenderResult twice = published.get(0);
    Kafka.send(p.stack.bootstrapServers(), "kiln.results",
        List.of(Map.entry(twice.getRequestId(), Codecs.RESULT.encode(twice))));
    // A staged PNG the publish step should have deleted.
    String leftover = ObjectKeys.staging(TENANT, batch, twice.getImageId());
    p.store.putBytes(leftover, "staged".getBytes(StandardCharsets.UTF_8), "image/png", Map.of());
    // A published PNG whose bytes changed after its result was committed.
    RenderResult corrupted = published.get(1);
    byte[] bad = p.store.getBytes(corrupted.getAssetKey()).orElseThrow().clone();
    bad[bad.length / 2] ^= 0x01;
    p.store.putBytes(corrupted.getAssetKey(), bad, "image/png", Map.of());

    AuditReport dirty = audit(p, batch, 6);

    assertThat(dirty.clean()).isFalse();
    assertThat(dirty.results()).isEqualTo(7);
    assertThat(dirty.duplicates()).singleElement().satisfies(d -> {
      assertThat(d.imageId()).isEqualTo(twice.getImageId());
      assertThat(d.results()).hasSize(2).allSatisfy(r -> assertThat(r.status()).isEqualTo(ResultStatus.PUBLISHED));
    });
    assertThat(dirty.staging()).containsExactly(leftover);
    assertThat(dirty.objectProblems()).containsExactly(new ObjectProblem(ObjectProblem.Kind.SHA256_MISMATCH,
        corrupted.getImageId(), corrupted.getAssetKey(), corrupted.getSha256(), Checksums.sha256Hex(bad),
        "result " + corrupted.getSha256() + " object " + Checksums.sha256Hex(bad)));
    assertThat(dirty.missingResults()).as("every image still has a result").isEmpty();
    assertThat(dirty.findings()).isEqualTo(3);

    cli = kilnAudit(p, batch, 6);
    assertThat(cli.getKey()).as(cli.getValue()).isEqualTo(1);
    assertThat(cli.getValue().lines().toList()).containsExactly(
        String.format("%-15s %s 2 results: ", "duplicate", twice.getImageId())
            + String.join(", ", dirty.duplicates().get(0).results().stream()
                .map(r -> "PUBLISHED attempt 0 at " + r.partition() + "@" + r.offset()).toList()),
        String.format("%-15s %s %s result %s object %s", "sha256-mismatch", corrupted.getImageId(),
            corrupted.getAssetKey(), corrupted.getSha256(), Checksums.sha256Hex(bad)),
        String.format("%-15s %s", "staging", leftover),
        dirty.lines().get(dirty.lines().size() - 1));
    assertThat(cli.getValue()).contains("7 results").endsWith("; 3 findings" + System.lineSeparator());
  }
}
