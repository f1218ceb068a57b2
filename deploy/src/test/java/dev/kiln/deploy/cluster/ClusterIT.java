package dev.kiln.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.deploy.KilnCli;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.ingest.watch.ResultWatcher;
import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.provenance.c2pa.LocalCa;
import dev.kiln.provenance.c2pa.Verification;
import dev.kiln.schemas.ResultStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln up} for real: separate JVMs for the broker, the S3 server, a Flink JobManager, two
 * TaskManagers and the HTTP API, with both jobs submitted as the shaded jars that {@code mvn
 * package} built (no Kiln class is on the Flink processes' classpath, so a class missing from a jar
 * fails here). Then the README's walk-through against it, and {@code kiln down}.
 */
class ClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void upRunsTheSampleBatchAndTheApiThenDownLeavesNothingRunning() throws Exception {
    KilnStack stack = ProcessCluster.start("up", 2);
    Path dataDir = stack.spec().dataDir();
    try {
      assertThat(flinkProcesses(dataDir, "StandaloneSessionClusterEntrypoint")).hasSize(1);
      assertThat(flinkProcesses(dataDir, "TaskManagerRunner")).hasSize(2);
      assertThat(stack.rest().overview().taskManagers()).isEqualTo(2);
      String bootstrap = stack.state().bootstrapServers;

      int exit = KilnCli.commandLine().execute("submit",
          ProcessCluster.repoDir().resolve("deploy/local/sample-batch.jsonl").toString(), "--batch-id", "up1",
          "--bootstrap-servers", bootstrap, "--watch");
      assertThat(exit).as("kiln submit --watch exit code").isZero();
      BatchProgress progress = new BatchProgress("local", "up1");
      try (ResultWatcher watcher = new ResultWatcher(bootstrap, "kiln.results")) {
        assertThat(watcher.awaitBatch(progress, 26, Duration.ofSeconds(30), () -> {})).isTrue();
        Thread.sleep(3_000); // two more checkpoints, so a duplicate would be committed by now
        watcher.poll(Duration.ofSeconds(2), progress::add);
      }
      assertThat(progress.total()).isEqualTo(26);
      assertThat(progress.duplicates()).isZero();
      assertThat(progress.count(ResultStatus.PUBLISHED)).isEqualTo(24);
      assertThat(progress.count(ResultStatus.REJECTED)).isEqualTo(2);

      JsonNode image = requestThroughApi(stack);
      String key = image.path("assetKey").asText();
      byte[] fromUrl = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(image.path("url").asText()))
          .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
      byte[] onDisk = Files.readAllBytes(dataDir.resolve("s3").resolve(stack.state().bucket).resolve(key));
      assertThat(fromUrl).as("bytes behind the presigned URL").isEqualTo(onDisk);
      assertThat(new String(fromUrl, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
      // Signed in a TaskManager from the shaded safety jar, with the key kiln up made under the data dir.
      LocalCa.Material ca = LocalCa.createIfAbsent(dataDir.resolve(StackConfig.LOCAL_CA_DIR));
      Verification credentials = ContentCredentials.verify(fromUrl, List.of(ca.caCertificateX509()));
      assertThat(credentials.valid()).as(credentials.failures().toString()).isTrue();
      assertThat(credentials.trusted()).isTrue();
      assertThat(credentials.kiln().orElseThrow().imageId()).isEqualTo(image.path("imageId").asText());

      ByteArrayOutputStream status = new ByteArrayOutputStream();
      stack.rest().jobs().forEach(j -> assertThat(j.state()).isEqualTo("RUNNING"));
      assertThat(stack.rest().checkpoints(stack.jobId(KilnStack.RENDER)).completed()).isPositive();

      List<String> killed = stack.down(new PrintStream(status, true, StandardCharsets.UTF_8));
      assertThat(killed).as("processes that ignored SIGTERM").isEmpty();
    } finally {
      stack.killAll();
    }
    assertThat(ProcessCluster.processesUnder(dataDir)).as("processes left after kiln down").isEmpty();
    assertThat(Files.exists(stack.spec().stateFile())).isFalse();
    assertThat(RetainedCheckpoints.latest(stack.spec().checkpointDir(KilnStack.RENDER)))
        .as("the render job's checkpoint, retained after down").isPresent();
  }

  private static List<ProcessHandle> flinkProcesses(Path dataDir, String mainClass) {
    return ProcessCluster.processesUnder(dataDir).stream()
        .filter(p -> ProcessCluster.commandLine(p).contains(mainClass)).toList();
  }

  /** POSTs a request with the stack's API key, and polls its status until it has a presigned URL. */
  private static JsonNode requestThroughApi(KilnStack stack) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String auth = "Bearer " + stack.state().apiKey;
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(stack.state().apiUrl + "/v1/requests"))
        .header("Authorization", auth).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a large red circle on a blue background\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
    String statusUrl = stack.state().apiUrl + JSON.readTree(created.body()).path("statusUrl").asText();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(statusUrl))
          .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString()).body());
      if (status.path("complete").asBoolean()) {
        assertThat(status.path("status").asText()).isEqualTo("PUBLISHED");
        return status.path("images").get(0);
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the API request was not complete after 2 minutes");
  }
}
