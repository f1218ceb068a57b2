package dev.kiln.deploy.cli;

import dev.kiln.schemas.Topics;
import dev.kiln.ingest.KafkaConnectionOptions;
import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.ingest.watch.ResultWatcher;
import dev.kiln.schemas.KafkaEndpoint;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln watch BATCH}: a batch's progress from kiln.results until the expected total arrives. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Show a batch's progress: published, rejected and failed images, read from kiln.results.")
public final class WatchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch to watch.")
  String batchId;

  @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "local",
      description = "Tenant of the batch; results of other tenants' batches with the same id are not counted."
          + " Default: ${DEFAULT-VALUE}, as kiln submit's.")
  String tenant;

  @Option(names = "--expect", paramLabel = "N",
      description = "Images the batch should produce: shows a bar and an ETA, and stops when all arrived.")
  Integer expected;

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();

  @Option(names = "--topic", defaultValue = Topics.RESULTS, description = "Results topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "Give up after this ISO-8601 duration"
      + " (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    if (expected != null && expected < 1) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--expect must be 1 or more, got " + expected);
    }
    return watch(kafka.endpoint(), topic, tenant, batchId, expected, timeout, System.out);
  }

  /** What {@code kiln submit --watch} runs after publishing. */
  public static int watchBatch(KafkaEndpoint kafka, String tenant, String batchId, int expectedImages) {
    return watch(kafka, Topics.RESULTS, tenant, batchId, expectedImages, Duration.ofHours(12),
        System.out);
  }

  /** Prints progress lines until {@code expected} results arrived; 0 when they did, 1 on time-out. */
  static int watch(KafkaEndpoint kafka, String topic, String tenant, String batchId, Integer expected,
      Duration timeout, PrintStream out) {
    BatchProgress progress = new BatchProgress(tenant, batchId);
    ProgressLine line = new ProgressLine(progress, expected);
    try (ResultWatcher watcher = new ResultWatcher(kafka, topic)) {
      boolean done = watcher.awaitBatch(progress, expected == null ? Integer.MAX_VALUE : expected, timeout,
          () -> out.println(line.render()));
      out.println(line.render());
      if (progress.duplicates() > 0) {
        out.println(progress.duplicates() + " duplicate results: images with more than one result; kiln audit "
            + batchId + " --tenant " + tenant + " lists them");
      }
      return done || expected == null ? 0 : 1;
    }
  }
}
