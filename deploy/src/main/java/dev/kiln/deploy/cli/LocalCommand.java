package dev.kiln.deploy.cli;

import dev.kiln.schemas.Topics;
import dev.kiln.deploy.cluster.RetainedCheckpoints;
import dev.kiln.deploy.flink.KilnCluster;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.deploy.local.LocalStack;
import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.RequestPublisher;
import dev.kiln.ingest.audit.AuditReport;
import dev.kiln.ingest.audit.BatchAudit;
import dev.kiln.ingest.internal.RequestReader;
import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.ingest.watch.ResultWatcher;
import dev.kiln.provenance.c2pa.LocalCa;
import dev.kiln.safety.gallery.GalleryFunction;
import dev.kiln.safety.job.SafetyJobOptions;
import dev.kiln.safety.pdq.HashBlockList;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.wire.KilnOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kiln local}: a real Kafka broker (KRaft), a real S3-compatible server and both jobs on
 * a Flink MiniCluster, all on loopback; submits a batch, waits for every result, prints where
 * the images are and audits the batch ({@link BatchAudit}) before the stack stops. Everything
 * lands under one data directory. Exits 1 when results are missing or the audit finds anything.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on an embedded stack and render a batch.")
public final class LocalCommand implements Callable<Integer> {
  /** Far longer than the gallery's default debounce (2 s), after which its last rewrite is due. */
  private static final Duration GALLERY_TIMEOUT = Duration.ofSeconds(30);

  @Option(names = "--data-dir", defaultValue = "kiln-data",
      description = "Where the broker, the object store and the logs keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--file", paramLabel = "JSONL",
      description = "Requests to submit, one JSON object per line (default: the bundled sample batch).")
  Path file;

  @Option(names = "--models-dir", description = "Models directory (default: the repository's models/).")
  Path modelsDir;

  @Option(names = "--batch-id", description = "Batch id (default: local-<UTC time>).")
  String batchId;

  @Option(names = "--tenant", defaultValue = "local", description = "Tenant (default: ${DEFAULT-VALUE}).")
  String tenant;

  @Option(names = "--timeout", defaultValue = "PT20M",
      description = "Give up waiting for results after this ISO-8601 duration (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--slots", defaultValue = "4", description = "Flink task slots (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--checkpoint-interval", paramLabel = "DURATION",
      defaultValue = StackConfig.DEFAULT_CHECKPOINT_INTERVAL, converter = CheckpointIntervalConverter.class,
      description = CheckpointIntervalConverter.DESCRIPTION + " (default: ${DEFAULT-VALUE}).")
  Duration checkpointInterval;

  @Option(names = "--block-list", paramLabel = "FILE",
      description = "PDQ block list for the safety job (kiln.policy.block-list): one 64-hex hash per line, optionally"
          + " followed by a label; a matching image is quarantined. Re-read when it changes (default: none).")
  Path blockList;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    // Checked before anything starts: the safety job takes a missing file as an empty list, and a bad
    // line only as a log entry, so a mistyped path would quietly block nothing.
    Optional<Path> blockListFile = checkedBlockList();
    Path repo = Path.of(System.getProperty("kiln.repo.dir", ".")).toAbsolutePath().normalize();
    Path models = modelsDir != null ? modelsDir : repo.resolve("models");
    Path requests = file != null ? file : repo.resolve("deploy/local/sample-batch.jsonl");
    String batch = batchId != null ? batchId
        : "local-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    RequestDefaults defaults = new RequestDefaults(tenant, batch, "kiln-tiny", "", 64, 64, 20, 3.0f, null, 1,
        Map.of(), Instant.now());
    RequestReader.Prepared prepared;
    try (BufferedReader lines = Files.newBufferedReader(requests, StandardCharsets.UTF_8)) {
      prepared = RequestReader.fromJsonLines(requests.toString(), lines, defaults);
    }
    if (!prepared.errors().isEmpty()) {
      prepared.errors().forEach(System.err::println);
      System.err.println("nothing submitted: fix the " + prepared.errors().size() + " error(s) above");
      return 2;
    }
    int expected = prepared.requests().stream().mapToInt(RenderRequest::getNumImages).sum();

    Files.createDirectories(dataDir);
    out.println("kiln local: data under " + dataDir.toAbsolutePath());
    try (LocalStack stack = LocalStack.builder().setRootDirectory(dataDir.toAbsolutePath()).start();
         KilnCluster cluster = KilnCluster.start(slots)) {
      out.println("  kafka  " + stack.bootstrapServers());
      out.println("  s3     " + stack.s3Settings().endpoint().map(Object::toString).orElse("?") + " bucket "
          + stack.bucket() + " (files in " + stack.s3DataDirectory() + ")");
      Configuration config = jobConfig(StackConfig.of(stack, models));
      out.println("  checkpoints every " + TimeUtils.formatWithHighestUnit(checkpointInterval)
          + ": results become visible on each (--checkpoint-interval)");
      LocalCa.Material ca = LocalCa.in(dataDir.resolve(StackConfig.LOCAL_CA_DIR));
      out.println("  c2pa   images signed by " + ca.keystore() + "; trust anchor " + ca.caCertificate());
      // Checkpoints stay under the data dir, and a run after a crash (or any later run) restores
      // from them: the render job then knows every request id it has seen, and what was in
      // flight is rendered once more to the same keys, not twice under new results.
      Path renderCheckpoints = dataDir.toAbsolutePath().resolve("checkpoints/render");
      Path safetyCheckpoints = dataDir.toAbsolutePath().resolve("checkpoints/safety");
      Optional<Path> renderFrom = RetainedCheckpoints.latest(renderCheckpoints);
      Optional<Path> safetyFrom = RetainedCheckpoints.latest(safetyCheckpoints);
      blockListFile.ifPresent(f -> {
        config.set(SafetyJobOptions.BLOCK_LIST_FILE, f.toString());
        out.println("  block list " + f);
      });
      JobID render = cluster.submitRenderJob(KilnCluster.retainingCheckpointsIn(config, renderCheckpoints), renderFrom);
      JobID safety = cluster.submitSafetyJob(KilnCluster.retainingCheckpointsIn(config, safetyCheckpoints), safetyFrom);
      out.println("  render job " + renderFrom.map(p -> "restored from " + p).orElse("starts with empty state"));
      out.println("  safety job " + safetyFrom.map(p -> "restored from " + p).orElse("starts with empty state"));
      cluster.awaitRunning(render, Duration.ofMinutes(2));
      cluster.awaitRunning(safety, Duration.ofMinutes(2));

      publish(stack.bootstrapServers(), prepared);
      out.println("submitted " + prepared.requests().size() + " requests (" + expected + " images) as batch " + batch
          + ", tenant " + tenant);

      BatchProgress progress = new BatchProgress(tenant, batch);
      ProgressLine line = new ProgressLine(progress, expected);
      boolean complete;
      try (ResultWatcher watcher = new ResultWatcher(stack.bootstrapServers(), Topics.RESULTS)) {
        complete = watcher.awaitBatch(progress, expected, timeout, () -> out.println(line.render()));
      }
      Path assets = stack.objectPath(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, tenant, batch));
      Path quarantine = stack.objectPath(ObjectKeys.batchPrefix(ObjectKeys.Area.QUARANTINE, tenant, batch));
      Path gallery = stack.objectPath(GalleryFunction.pageKey(tenant, batch));
      // The jobs are cancelled below; the safety job's last rewrite of the page must land first.
      Set<String> notInGallery = complete
          ? GalleryCatchUp.await(gallery, GalleryCatchUp.storedImageIds(assets, quarantine), GALLERY_TIMEOUT)
          : Set.of();
      out.println();
      out.println("batch " + batch + ": " + progress.total() + " of " + expected + " images accounted for");
      out.println("  published  " + progress.count(ResultStatus.PUBLISHED));
      out.println("  rejected   " + progress.count(ResultStatus.REJECTED));
      out.println("  failed     " + progress.count(ResultStatus.FAILED));
      if (progress.duplicates() > 0) {
        out.println("  duplicates " + progress.duplicates() + " (results for images that already had one)");
      }
      out.println("  images     " + assets);
      out.println("  quarantine " + quarantine);
      out.println("  gallery    " + gallery + (notInGallery.isEmpty() ? ""
          : " (still without " + notInGallery.size() + " image(s) after " + GALLERY_TIMEOUT.toSeconds() + " s)"));
      out.println("  render job restarts " + cluster.restarts(render) + ", safety job restarts "
          + cluster.restarts(safety));
      AuditReport audit = audit(stack, batch, expected);
      out.println();
      out.println("kiln audit " + batch + " --tenant " + tenant + " --expect " + expected + ":");
      audit.lines().forEach(out::println);
      cluster.cancel(render);
      cluster.cancel(safety);
      RetainedCheckpoints.pruneOlderJobs(renderCheckpoints);
      RetainedCheckpoints.pruneOlderJobs(safetyCheckpoints);
      if (!complete) {
        System.err.println("timed out after " + timeout + " with " + (expected - progress.total())
            + " images unaccounted for");
        return 1;
      }
      if (!audit.clean()) {
        System.err.println("the audit of batch " + batch + " found " + audit.findings() + " problems (listed above)");
        return 1;
      }
      return 0;
    }
  }

  /** {@code stackConfig}, the embedded stack's endpoints, with what the options set for both jobs. */
  Configuration jobConfig(Configuration stackConfig) {
    Configuration c = new Configuration(stackConfig);
    c.set(KilnOptions.CHECKPOINT_INTERVAL, checkpointInterval);
    return c;
  }

  /** The batch as {@code kiln audit} sees it, while the stack is still up to be read. */
  private AuditReport audit(LocalStack stack, String batch, int expected) {
    try (S3Client s3 = S3Clients.create(stack.s3Settings())) {
      BatchAudit.Builder audit = BatchAudit.builder()
          .setBootstrapServers(stack.bootstrapServers())
          .setObjectStore(new ObjectStore(s3, stack.bucket()))
          .setTenant(tenant)
          .setBatchId(batch);
      if (expected > 0) {
        audit.optExpect(expected);
      }
      return audit.build().run();
    }
  }

  /**
   * The {@code --block-list} file as an absolute path, once it has been read and parsed as the safety job reads
   * it; empty when the option is not given.
   *
   * @throws ParameterException naming the option, and the file and line of a bad entry, when the file is missing
   *     or not a block list
   */
  Optional<Path> checkedBlockList() {
    if (blockList == null) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(blockList)) {
      throw new ParameterException(spec.commandLine(), "--block-list " + blockList + ": no such file");
    }
    try {
      HashBlockList.fromFile(blockList);
    } catch (UncheckedIOException e) {
      throw new ParameterException(spec.commandLine(), "--block-list " + blockList + ": cannot read: "
          + e.getCause().getMessage());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--block-list " + e.getMessage());
    }
    return Optional.of(blockList.toAbsolutePath().normalize());
  }

  private static void publish(String bootstrapServers, RequestReader.Prepared prepared)
      throws PublishException {
    try (RequestPublisher publisher = new RequestPublisher(
        new KafkaProducer<byte[], byte[]>(RequestPublisher.producerConfig(bootstrapServers)), Topics.REQUESTS)) {
      publisher.publish(prepared.requests());
    }
  }
}
