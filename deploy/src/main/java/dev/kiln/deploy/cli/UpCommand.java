package dev.kiln.deploy.cli;

import dev.kiln.deploy.cluster.KilnStack;
import dev.kiln.deploy.cluster.StackSpec;
import dev.kiln.deploy.cluster.StackState;
import dev.kiln.deploy.flink.StackConfig;
import dev.kiln.provenance.c2pa.LocalCa;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kiln up}: the whole stack as separate processes (broker, S3 server, Flink JobManager and
 * TaskManagers, HTTP API), both jobs submitted as jars and restored from their latest retained
 * checkpoints; it returns once they run, and leaves them running until {@code kiln down}.
 */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Start Kiln as a multi-process Flink session cluster with Kafka, S3 and the HTTP API,"
        + " and keep it running (stop it with `kiln down`).")
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = "kiln-data",
      description = "Broker log, objects, checkpoints and logs (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--taskmanagers", defaultValue = "" + StackSpec.DEFAULT_TASK_MANAGERS,
      description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
  int taskManagers;

  @Option(names = "--slots", defaultValue = "" + StackSpec.DEFAULT_SLOTS,
      description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--checkpoint-interval", paramLabel = "DURATION",
      defaultValue = StackSpec.DEFAULT_CHECKPOINT_INTERVAL, converter = CheckpointIntervalConverter.class,
      description = CheckpointIntervalConverter.DESCRIPTION + " (default: ${DEFAULT-VALUE}).")
  Duration checkpointInterval;

  @Option(names = "--models-dir", description = "Models directory (default: the repository's models/).")
  Path modelsDir;

  @Option(names = "--kafka-port", defaultValue = "" + StackSpec.DEFAULT_KAFKA_PORT,
      description = "Broker port (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--s3-port", defaultValue = "" + StackSpec.DEFAULT_S3_PORT,
      description = "S3 server port (default: ${DEFAULT-VALUE}).")
  int s3Port;

  @Option(names = "--rest-port", defaultValue = "" + StackSpec.DEFAULT_REST_PORT,
      description = "Flink REST API and web UI port (default: ${DEFAULT-VALUE}).")
  int restPort;

  @Option(names = "--api-port", defaultValue = "" + StackSpec.DEFAULT_API_PORT,
      description = "Kiln HTTP API port (default: ${DEFAULT-VALUE}).")
  int apiPort;

  @Option(names = "--no-restore",
      description = "Start both jobs with empty state even if the data dir holds retained checkpoints.")
  boolean noRestore;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    Path repo = Path.of(System.getProperty("kiln.repo.dir", ".")).toAbsolutePath().normalize();
    StackSpec spec;
    try {
      spec = spec(repo);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    out.println("kiln up: data under " + spec.dataDir());
    KilnStack stack;
    try {
      stack = KilnStack.up(spec, !noRestore, out);
    } catch (IllegalStateException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    Path env = writeEnvFile(stack.state(), spec);
    printEndpoints(stack.state(), spec, out);
    out.println("  . " + env + "   # points kiln audit, sweep and serve at this stack");
    return 0;
  }

  /**
   * What the options ask to start, from the Kiln checkout {@code repo}.
   *
   * @throws IllegalArgumentException naming the option, when a count or a port is out of range
   */
  StackSpec spec(Path repo) {
    return new StackSpec(dataDir, repo, modelsDir != null ? modelsDir : repo.resolve("models"), taskManagers, slots,
        kafkaPort, s3Port, restPort, apiPort, checkpointInterval);
  }

  /** The stack's endpoints as the environment variables every kiln command reads. */
  static Path writeEnvFile(StackState s, StackSpec spec) throws IOException {
    Path env = spec.dataDir().resolve("kiln.env");
    java.nio.file.Files.writeString(env, String.join("\n",
        "# Written by kiln up: the endpoints of the stack under " + spec.dataDir(),
        "export KILN_BOOTSTRAP_SERVERS=" + s.bootstrapServers,
        "export KILN_S3_ENDPOINT=" + s.s3Endpoint,
        "export KILN_S3_BUCKET=" + s.bucket,
        "export KILN_S3_ACCESS_KEY=" + s.s3AccessKey,
        "export KILN_S3_SECRET_KEY=" + s.s3SecretKey,
        "export KILN_API_URL=" + s.apiUrl,
        "export KILN_API_KEY=" + s.apiKey, ""));
    java.nio.file.Files.setPosixFilePermissions(env, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return env;
  }

  static void printEndpoints(StackState s, StackSpec spec, PrintStream out) {
    out.println();
    out.println("Kiln is running:");
    out.println("  kafka        " + s.bootstrapServers);
    out.println("  s3           " + s.s3Endpoint + " bucket " + s.bucket + " (files in " + spec.dataDir().resolve("s3")
        + ")");
    out.println("  flink        " + s.restUrl + " (REST API and web UI)");
    out.println("  http api     " + s.apiUrl + " (API key in " + spec.apiKeysFile() + ")");
    out.println("  api key      " + s.apiKey);
    LocalCa.Material ca = LocalCa.in(spec.dataDir().resolve(StackConfig.LOCAL_CA_DIR));
    out.println("  c2pa         images signed by " + ca.keystore() + "; trust anchor " + ca.caCertificate());
    out.println("  checkpoints  every " + TimeUtils.formatWithHighestUnit(spec.checkpointInterval())
        + ": results become visible on each (--checkpoint-interval)");
    out.println("  logs         " + spec.logDir());
    out.println();
    out.println("Try:");
    out.println("  deploy/bin/kiln submit deploy/local/sample-batch.jsonl --batch-id up1 --watch");
    out.println("  curl -H \"Authorization: Bearer " + s.apiKey + "\" -H 'Content-Type: application/json' \\");
    out.println("       -d '{\"prompt\": \"a large red circle on a blue background\"}' " + s.apiUrl + "/v1/requests");
    out.println("  deploy/bin/kiln status" + dataDirFlag(spec) + "; deploy/bin/kiln down" + dataDirFlag(spec));
  }

  private static String dataDirFlag(StackSpec spec) {
    return spec.dataDir().equals(Path.of("kiln-data").toAbsolutePath().normalize()) ? ""
        : " --data-dir " + spec.dataDir();
  }
}
