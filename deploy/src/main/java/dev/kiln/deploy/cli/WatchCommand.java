package dev.kiln.deploy.cli;

import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.ingest.watch.ResultWatcher;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln watch BATCH}: counts a batch's results from kiln.results until the expected total arrives. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Show a batch's progress: published, rejected and failed images, read from kiln.results.")
public final class WatchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch to watch.")
  String batchId;

  @Option(names = "--expect", paramLabel = "N", description = "Images the batch should produce; stop when all arrived.")
  Integer expected;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      defaultValue = "${env:KILN_BOOTSTRAP_SERVERS:-localhost:9092}", description = "Kafka (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "kiln.results", description = "Results topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "Give up after this ISO-8601 duration"
      + " (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    BatchProgress progress = new BatchProgress(batchId);
    PrintStream out = System.out;
    try (ResultWatcher watcher = new ResultWatcher(bootstrapServers, topic)) {
      boolean done = watcher.awaitBatch(progress, expected == null ? Integer.MAX_VALUE : expected, timeout,
          () -> out.println(ProgressLine.format(progress, expected)));
      out.println(ProgressLine.format(progress, expected));
      return done || expected == null ? 0 : 1;
    }
  }
}
