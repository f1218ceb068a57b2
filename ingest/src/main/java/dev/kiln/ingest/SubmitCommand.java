package dev.kiln.ingest;

import dev.kiln.ingest.SubmitArgs.RequestFile;
import dev.kiln.ingest.SubmitArgs.SinglePrompt;
import dev.kiln.ingest.internal.RequestReader;
import dev.kiln.ingest.internal.RequestReader.Prepared;
import dev.kiln.schemas.RenderRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kiln submit}: validates render requests and publishes them to Kafka. Either every request
 * is valid and all are published, or the errors are printed and nothing is published.
 *
 * <p>Output goes to the command line's {@code getOut()}/{@code getErr()} writers. Exit codes:
 * 0 published (or all valid with {@code --dry-run}); 1 publishing failed; 2 invalid options or
 * requests, nothing published.
 */
@Command(
    name = "submit",
    sortOptions = false,
    description = {
        "Validates render requests and publishes them to Kafka.",
        "Either every request is valid and all are published, or nothing is published."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:published (with --dry-run: every request is valid)",
        "1:publishing failed; the error says how many requests were acknowledged",
        "2:invalid options or requests; nothing published"})
public final class SubmitCommand implements Callable<Integer> {
  /** Exit code when publishing fails. */
  public static final int EXIT_PUBLISH_FAILED = 1;
  /** Exit code for invalid options or requests, as for picocli's own usage errors. */
  public static final int EXIT_INVALID = 2;

  private static final DateTimeFormatter BATCH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
  private final Clock clock;

  @Spec private CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Input input;

  private static final class Input {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Render one prompt.")
    private String prompt;

    @Option(names = "--file", paramLabel = "FILE", description = "Render one request per line, each"
        + " a JSON object of RenderRequest fields (requestId, tenant, batchId, prompt, negativePrompt,"
        + " model, width, height, steps, guidanceScale, seed, numImages, labels). Fields a line"
        + " leaves out take the options below.")
    private Path file;
  }

  @Option(names = "--tenant", defaultValue = "local", description = "Tenant. Default: ${DEFAULT-VALUE}.")
  private String tenant;

  @Option(names = "--batch-id", paramLabel = "ID",
      description = "Batch id. Default: b-<yyyyMMdd-HHmmss> in UTC, printed on success.")
  private String batchId;

  @Option(names = "--model", defaultValue = "kiln-tiny", description = "Model. Default: ${DEFAULT-VALUE}.")
  private String model;

  @Option(names = "--width", defaultValue = "64", description = "Image width in pixels. Default: ${DEFAULT-VALUE}.")
  private int width;

  @Option(names = "--height", defaultValue = "64", description = "Image height in pixels. Default: ${DEFAULT-VALUE}.")
  private int height;

  @Option(names = "--steps", defaultValue = "20", description = "Denoising steps. Default: ${DEFAULT-VALUE}.")
  private int steps;

  @Option(names = "--guidance", defaultValue = "3.0",
      description = "Classifier-free guidance scale. Default: ${DEFAULT-VALUE}.")
  private float guidance;

  @Option(names = "--seed", description = "Seed. Default: derived from each image id.")
  private Long seed;

  @Option(names = "--negative-prompt", paramLabel = "TEXT", defaultValue = "",
      description = "What to keep out of the image.")
  private String negativePrompt;

  @Option(names = "--num-images", paramLabel = "N", defaultValue = "1",
      description = "Images per request. Default: ${DEFAULT-VALUE}.")
  private int numImages;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label; repeat for more.")
  private Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Request id for --prompt. Default: derived from batch id, prompt and seed.")
  private String requestId;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      defaultValue = "${env:KILN_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka bootstrap servers. Default: $KILN_BOOTSTRAP_SERVERS, else localhost:9092.")
  private String bootstrapServers;

  @Option(names = "--topic", defaultValue = "kiln.requests", description = "Requests topic. Default: ${DEFAULT-VALUE}.")
  private String topic;

  @Option(names = "--dry-run", description = "Validate only; publish nothing.")
  private boolean dryRun;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  private boolean help;

  /** Publishes with a {@link KafkaProducer}; the batch id and {@code submittedAt} use the UTC clock. */
  public SubmitCommand() {
    this(config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
        Clock.systemUTC());
  }

  /**
   * @param producers makes the producer from {@link RequestPublisher#producerConfig(String)};
   *     called only when there is something valid to publish
   * @param clock stamps {@code submittedAt} and the default batch id
   */
  public SubmitCommand(Function<Map<String, Object>, Producer<byte[], byte[]>> producers, Clock clock) {
    this.producers = Objects.requireNonNull(producers, "producers");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Integer call() {
    SubmitArgs args = parse();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    Prepared prepared;
    if (args.input() instanceof RequestFile file) {
      try (BufferedReader lines = Files.newBufferedReader(file.path(), StandardCharsets.UTF_8)) {
        prepared = RequestReader.fromJsonLines(file.path().toString(), lines, args.defaults());
      } catch (NoSuchFileException e) {
        prepared = failed(file.path() + ": no such file");
      } catch (MalformedInputException e) {
        prepared = failed(file.path() + ": not UTF-8 text");
      } catch (IOException e) {
        prepared = failed(file.path() + ": cannot read: " + e);
      }
    } else {
      SinglePrompt single = (SinglePrompt) args.input();
      prepared = RequestReader.fromPrompt(single.prompt(), single.requestId(), args.defaults());
    }

    if (!prepared.errors().isEmpty()) {
      prepared.errors().forEach(err::println);
      int n = prepared.errors().size();
      err.println(n + (n == 1 ? " error" : " errors") + "; nothing published");
      err.flush();
      return EXIT_INVALID;
    }

    List<RenderRequest> requests = prepared.requests();
    if (args.dryRun()) {
      out.println("dry run: " + count(requests.size()) + " valid for " + args.topic() + " " + scope(requests)
          + "; nothing published");
      printBatchIds(out, requests);
      return 0;
    }
    try (RequestPublisher publisher =
        new RequestPublisher(producers.apply(RequestPublisher.producerConfig(args.bootstrapServers())),
            args.topic())) {
      int published = publisher.publish(requests);
      out.println("published " + count(published) + " to " + args.topic() + " " + scope(requests));
      printBatchIds(out, requests);
      return 0;
    } catch (PublishException e) {
      err.println("error: " + e.getMessage());
    } catch (KafkaException e) {
      // The producer could not be created or closed, e.g. no resolvable bootstrap server.
      err.println("error: Kafka producer for " + args.bootstrapServers() + ": " + e.getMessage()
          + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
    }
    err.flush();
    return EXIT_PUBLISH_FAILED;
  }

  /** The options as an immutable record; picocli has already checked their syntax and types. */
  SubmitArgs parse() {
    SubmitArgs.Input source;
    if (input.file != null) {
      if (requestId != null) {
        throw new ParameterException(spec.commandLine(),
            "--request-id names a single --prompt request; with --file set requestId on each line");
      }
      source = new RequestFile(input.file);
    } else {
      source = new SinglePrompt(input.prompt, requestId);
    }
    Instant now = clock.instant();
    RequestDefaults defaults = new RequestDefaults(tenant,
        batchId != null ? batchId : "b-" + BATCH_TIME.format(now),
        model, negativePrompt, width, height, steps, guidance, seed, numImages, labels, now);
    return new SubmitArgs(source, defaults, bootstrapServers, topic, dryRun);
  }

  private static Prepared failed(String error) {
    return new Prepared(List.of(), List.of(error));
  }

  private static String count(int n) {
    return n + (n == 1 ? " request" : " requests");
  }

  private static String scope(List<RenderRequest> requests) {
    Set<String> batches = new TreeSet<>();
    Set<String> tenants = new TreeSet<>();
    requests.forEach(r -> {
      batches.add(r.getBatchId());
      tenants.add(r.getTenant());
    });
    return "(" + (batches.size() == 1 ? "batch " : "batches ") + String.join(", ", batches)
        + (tenants.size() == 1 ? ", tenant " : "; tenants ") + String.join(", ", tenants) + ")";
  }

  /** One batch id per line, last, so a script can take it with {@code tail}. */
  private static void printBatchIds(PrintWriter out, List<RenderRequest> requests) {
    requests.stream().map(RenderRequest::getBatchId).distinct().forEach(out::println);
    out.flush();
  }
}
