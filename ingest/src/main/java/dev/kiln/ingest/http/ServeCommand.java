package dev.kiln.ingest.http;

import dev.kiln.ingest.KafkaConnectionOptions;
import dev.kiln.ingest.OptionFiles;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kiln serve}: runs {@link KilnApiServer} until the process is stopped (SIGTERM or Ctrl-C
 * closes it cleanly). Exit codes: 0 stopped; 1 could not start (port taken, Kafka unreachable,
 * topic missing); 2 invalid options or keys file.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Serves the Kiln HTTP API: submit requests and batches, read their status and download URLs.",
        "The contract is at GET /v1/openapi.yaml."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:stopped",
        "1:could not start: port in use, Kafka unreachable or a topic missing",
        "2:invalid options or API keys file"})
public final class ServeCommand implements Callable<Integer> {
  /** Exit code when the server cannot start. */
  public static final int EXIT_START_FAILED = 1;
  /** Exit code for invalid options, as for picocli's own usage errors. */
  public static final int EXIT_INVALID = 2;

  @Spec private CommandSpec spec;

  @Option(names = {"--host", "--bind"}, paramLabel = "ADDRESS", defaultValue = KilnApiServer.DEFAULT_HOST,
      description = "Address to listen on; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE} (this machine"
          + " only).")
  private String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  private int port;

  @Option(names = "--api-keys", paramLabel = "FILE", required = true,
      description = "API keys: one \"KEY TENANT\" per line; # starts a comment. The key decides the tenant."
          + " Keys are only ever read from this file, never from the command line.")
  private Path apiKeys;

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();

  @Option(names = "--requests-topic", defaultValue = KilnApiServer.DEFAULT_REQUESTS_TOPIC,
      description = "Default: ${DEFAULT-VALUE}.")
  private String requestsTopic;

  @Option(names = "--results-topic", defaultValue = KilnApiServer.DEFAULT_RESULTS_TOPIC,
      description = "Default: ${DEFAULT-VALUE}.")
  private String resultsTopic;

  @Option(names = "--dead-letter-topic", defaultValue = KilnApiServer.DEFAULT_DEAD_LETTER_TOPIC,
      description = "Dead letters that mark requests FAILED; empty to ignore. Default: ${DEFAULT-VALUE}.")
  private String deadLetterTopic;

  @Option(names = "--url-ttl", paramLabel = "DURATION", defaultValue = "PT15M",
      description = "Lifetime of presigned download URLs, ISO-8601, at most P7D. Default: ${DEFAULT-VALUE}.")
  private Duration urlTtl;

  @Option(names = "--images-per-hour", paramLabel = "N", defaultValue = "0",
      description = "Images each tenant may submit per sliding hour, counted by this process; 0 unlimited."
          + " Default: ${DEFAULT-VALUE}.")
  private long imagesPerHour;

  @Option(names = "--pixel-steps-per-hour", paramLabel = "N", defaultValue = "0",
      description = "Sum of width*height*steps*numImages each tenant may submit per sliding hour; 0 unlimited."
          + " Default: ${DEFAULT-VALUE}.")
  private long pixelStepsPerHour;

  @Option(names = "--quotas", paramLabel = "FILE",
      description = "Per-tenant quota overrides: one \"TENANT IMAGES_PER_HOUR PIXEL_STEPS_PER_HOUR\" per line,"
          + " - keeps the default, 0 is unlimited; # starts a comment.")
  private Path quotasFile;

  @Mixin private S3Options s3;

  /** For tests: the server runs until this latch opens instead of until the JVM stops. */
  private final CountDownLatch stop;

  public ServeCommand() {
    this(new CountDownLatch(1), System::getenv);
  }

  ServeCommand(CountDownLatch stop) {
    this(stop, System::getenv);
  }

  /** For tests: {@code env} stands in for {@link System#getenv(String)} where options read it in code. */
  ServeCommand(CountDownLatch stop, UnaryOperator<String> env) {
    this.stop = stop;
    this.s3 = new S3Options(env);
  }

  /** Runs {@code kiln serve} on its own. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeCommand()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    KilnApiServer server;
    try {
      server = builder().build();
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_INVALID;
    }
    try {
      server.start();
    } catch (IllegalStateException | KafkaException | UncheckedIOException e) {
      err.println("error: cannot start: " + e.getMessage());
      err.flush();
      return EXIT_START_FAILED;
    }
    Thread hook = new Thread(() -> {
      server.close();
      stop.countDown();
    }, "kiln-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("listening on " + server.uri() + " (OpenAPI: " + server.uri().resolve("v1/openapi.yaml") + ")");
    out.flush();
    try {
      stop.await();
    } finally {
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down: the hook is running or has run.
      }
    }
    return 0;
  }

  private Quotas quotas() {
    Quotas.Limit defaults;
    try {
      defaults = new Quotas.Limit(imagesPerHour, pixelStepsPerHour);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--images-per-hour, --pixel-steps-per-hour: " + e.getMessage());
    }
    if (quotasFile == null) {
      return Quotas.of(defaults, Map.of());
    }
    return OptionFiles.read(spec, "--quotas", quotasFile, file -> Quotas.load(file, defaults));
  }

  /** The options as a server builder; picocli has already checked their syntax and types. */
  KilnApiServer.Builder builder() {
    ApiKeys keys = OptionFiles.read(spec, "--api-keys", apiKeys, ApiKeys::load);
    return KilnApiServer.builder()
        .setKafka(kafka.endpoint())
        .setApiKeys(keys)
        .optQuotas(quotas())
        .setS3Settings(s3.settings().orElseThrow(() -> new ParameterException(spec.commandLine(),
            "--s3-bucket (or $KILN_S3_BUCKET) is required: download URLs are presigned for it")))
        .optHost(host)
        .optPort(port)
        .optRequestsTopic(requestsTopic)
        .optResultsTopic(resultsTopic)
        .optDeadLetterTopic(deadLetterTopic)
        .optPresignTtl(urlTtl);
  }
}
