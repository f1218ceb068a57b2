package dev.kiln.ingest;

import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.Topics;
import dev.kiln.ingest.SubmitArgs.CatalogueFile;
import dev.kiln.ingest.SubmitArgs.RequestFile;
import dev.kiln.ingest.SubmitArgs.SinglePrompt;
import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.catalogue.CatalogueSpec;
import dev.kiln.ingest.catalogue.Size;
import dev.kiln.ingest.catalogue.Template;
import dev.kiln.ingest.internal.CatalogueRun;
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
import java.util.ArrayList;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kiln submit}: validates render requests and publishes them to Kafka. Either every request
 * is valid and all are published, or the errors are printed and nothing is published
 * ({@code --skip-invalid} publishes a catalogue's valid rows and lists the others).
 *
 * <p>The requests come from one {@code --prompt}, a JSON-lines file of requests, or a catalogue
 * (CSV or JSON lines) whose rows fill a {@code --template}; see {@link Catalogue}.
 *
 * <p>Output goes to the command line's {@code getOut()}/{@code getErr()} writers; the batch id is
 * the last line of {@code getOut()}. Exit codes: 0 published (or all valid with {@code --dry-run});
 * 1 publishing failed; 2 invalid options or requests, nothing published. With {@code --watch}, the
 * {@link SubmitWatcher}'s exit code once the batch is published.
 */
@Command(
    name = "submit",
    sortOptions = false,
    description = {
        "Validates render requests and publishes them to Kafka.",
        "Either every request is valid and all are published, or nothing is published.",
        "",
        "Requests come from --prompt, from a JSON-lines FILE of requests, or from a catalogue FILE"
            + " (.csv with a header line, or .jsonl) whose rows fill --template: each row gives one"
            + " request per seed and size. Request ids derive from tenant, batch id, row key, seed and"
            + " size, so the same catalogue under the same --batch-id publishes the same ids again.",
        "",
        "  kiln submit catalogue.csv --batch-id spring --tenant retail \\",
        "    --template \"studio photo of a {colour} {product} on {background}\" \\",
        "    --seeds 1,2 --sizes 64x64,128x128",
        ""},
    footerHeading = "%nCatalogues:%n",
    footer = {
        "  {column} is the row's value in that column; {{ and }} are literal",
        "  braces. Every placeholder must be a column, and every row must have a",
        "  value for it. Each request is labelled row=<row key> and",
        "  catalogue=<file name>. Optional columns override a row's variants:",
        "  kiln_seed, kiln_width with kiln_height, kiln_negative_prompt and",
        "  kiln_rerender_near_duplicates (true or false); an empty cell keeps",
        "  the option's value.",
        "  CSV: RFC 4180 (quoted fields may hold commas, \"\" and line breaks),",
        "  UTF-8, a header line naming the columns.",
        "  JSON lines: one object of string, number or boolean values per line; the first",
        "  object's fields name the columns.",
        "  Errors read file:line:column: message; the column is its 1-based index."},
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
  private SubmitWatcher watcher;

  @Spec private CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Input input;

  private static final class Input {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Render one prompt.")
    private String prompt;

    @Option(names = "--file", paramLabel = "FILE", description = "Same as FILE.")
    private Path file;

    @Parameters(index = "0", arity = "1", paramLabel = "FILE", description = {
        "With --template: a catalogue, .csv or .jsonl, one row per product.",
        "Without: one request per line, each a JSON object of RenderRequest fields (requestId,"
            + " tenant, batchId, prompt, negativePrompt, model, width, height, steps, guidanceScale,"
            + " seed, numImages, labels, rerenderNearDuplicates). Fields a line leaves out take the options"
            + " below."})
    private Path positional;

    Path file() {
      return file != null ? file : positional;
    }
  }

  @Option(names = "--template", paramLabel = "TEXT", description = "Prompt template for a catalogue FILE,"
      + " e.g. \"studio photo of a {colour} {product}\".")
  private String template;

  @Option(names = "--key-column", paramLabel = "NAME", description = "Catalogue column naming each row; keys"
      + " must be unique. Default: a column named id, sku or key, else the row number.")
  private String keyColumn;

  @Option(names = "--seeds", paramLabel = "SEED", split = ",",
      description = "Catalogue: one request per seed, e.g. 1,2,3.")
  private List<Long> seeds;

  @Option(names = "--variants", paramLabel = "N", description = "Catalogue: seeds 0 to N-1.")
  private Integer variants;

  @Option(names = "--sizes", paramLabel = "WxH", split = ",",
      description = "Catalogue: one request per size, e.g. 64x64,128x128. Replaces --width and --height.")
  private List<String> sizes;

  @Option(names = "--skip-invalid", description = "Catalogue: publish the valid rows and list the"
      + " skipped ones, rather than publish nothing.")
  private boolean skipInvalid;

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

  @Option(names = "--rerender-near-duplicates", description = "Render an image again with a new seed when it"
      + " comes within the tenant's near-duplicate distance of an earlier image of its batch (up to the safety"
      + " job's kiln.safety.max-rerenders times); default: publish it with a near-duplicate flag.")
  private boolean rerenderNearDuplicates;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Request id for --prompt. Default: derived from the batch id and every generation parameter.")
  private String requestId;

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();

  @Option(names = "--topic", defaultValue = Topics.REQUESTS, description = "Requests topic. Default: ${DEFAULT-VALUE}.")
  private String topic;

  @Option(names = "--dry-run", description = "Validate only; publish nothing.")
  private boolean dryRun;

  @Option(names = "--watch", description = "Once published, follow the batch's progress.")
  private boolean watch;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  private boolean help;

  /** Publishes with a {@link KafkaProducer}; the batch id and {@code submittedAt} use the UTC clock. */
  public SubmitCommand() {
    this(config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
        Clock.systemUTC());
  }

  /**
   * @param producers makes the producer from {@link RequestPublisher#producerConfig(KafkaEndpoint)};
   *     called only when there is something valid to publish
   * @param clock stamps {@code submittedAt} and the default batch id
   */
  public SubmitCommand(Function<Map<String, Object>, Producer<byte[], byte[]>> producers, Clock clock) {
    this(producers, clock, null);
  }

  /**
   * @param watcher runs after publishing with {@code --watch}; {@code null} prints how to watch
   */
  public SubmitCommand(Function<Map<String, Object>, Producer<byte[], byte[]>> producers, Clock clock,
      SubmitWatcher watcher) {
    this.producers = Objects.requireNonNull(producers, "producers");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.watcher = watcher;
  }

  /**
   * Sets what {@code --watch} runs after publishing; {@code null} (the default) prints how to
   * watch the batch.
   *
   * @return this command
   */
  public SubmitCommand setWatcher(SubmitWatcher watcher) {
    this.watcher = watcher;
    return this;
  }

  @Override
  public Integer call() {
    SubmitArgs args = parse();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (args.input() instanceof CatalogueFile catalogue) {
      return submitCatalogue(args, catalogue, out, err);
    }

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
      return printErrors(prepared.errors(), err);
    }

    List<RenderRequest> requests = prepared.requests();
    if (args.dryRun()) {
      out.println("dry run: " + count(requests.size()) + " valid for " + args.topic() + " " + scope(requests)
          + "; nothing published");
      printBatchIds(out, requests);
      return 0;
    }
    try (RequestPublisher publisher =
        new RequestPublisher(producers.apply(RequestPublisher.producerConfig(args.kafka())),
            args.topic())) {
      int published = publisher.publish(requests);
      out.println("published " + count(published) + " to " + args.topic() + " " + scope(requests));
      printBatchIds(out, requests);
    } catch (PublishException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_PUBLISH_FAILED;
    } catch (KafkaException e) {
      // The producer could not be created or closed, e.g. no resolvable bootstrap server.
      err.println("error: Kafka producer for " + args.kafka().bootstrapServers() + ": " + e.getMessage()
          + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
      err.flush();
      return EXIT_PUBLISH_FAILED;
    }
    if (!args.watch()) {
      return 0;
    }
    List<List<String>> batches = requests.stream().map(r -> List.of(r.getTenant(), r.getBatchId())).distinct()
        .toList();
    if (batches.size() > 1) {
      out.println("--watch follows one batch of one tenant; this file published " + batches.size() + ": watch each"
          + " with kiln watch BATCH_ID --tenant TENANT");
      out.flush();
      return 0;
    }
    return watcher(out).watch(args.kafka(), batches.get(0).get(0), batches.get(0).get(1),
        requests.stream().mapToInt(RenderRequest::getNumImages).sum());
  }

  private int submitCatalogue(SubmitArgs args, CatalogueFile file, PrintWriter out, PrintWriter err) {
    List<String> errors = new ArrayList<>(RequestReader.fromPrompt("?", "defaults", args.defaults()).errors());
    errors.addAll(CatalogueRun.variantErrors(args.defaults(), file.spec(), "--seeds", "--sizes"));
    if (!errors.isEmpty()) {
      return printErrors(errors, err);
    }
    Catalogue catalogue = new Catalogue(file.path(), file.format(), file.spec(), args.defaults());
    CatalogueRun.Outcome outcome = new CatalogueRun(args.kafka(), args.topic(), producers, out, err)
        .run(catalogue, args.defaults(), args.skipInvalid(), args.dryRun(), "--skip-invalid");
    if (outcome.exitCode() != 0 || !args.watch()) {
      return outcome.exitCode();
    }
    return watcher(out).watch(args.kafka(), args.defaults().tenant(), args.defaults().batchId(),
        (int) Math.min(Integer.MAX_VALUE, outcome.images()));
  }

  private SubmitWatcher watcher(PrintWriter out) {
    return watcher != null ? watcher : SubmitWatcher.hint(out);
  }

  private static int printErrors(List<String> errors, PrintWriter err) {
    errors.forEach(err::println);
    int n = errors.size();
    err.println(n + (n == 1 ? " error" : " errors") + "; nothing published");
    err.flush();
    return EXIT_INVALID;
  }

  /** The options as an immutable record; picocli has already checked their syntax and types. */
  SubmitArgs parse() {
    Path file = input.file();
    SubmitArgs.Input source;
    if (template != null) {
      source = catalogue(file);
    } else {
      for (String option : List.of("--key-column", "--seeds", "--variants", "--sizes", "--skip-invalid")) {
        if (given(option)) {
          throw usage(option + " applies to a catalogue: give --template too, e.g. --template"
              + " \"studio photo of a {colour} {product}\"");
        }
      }
      if (file != null && Catalogue.Format.of(file).orElse(null) == Catalogue.Format.CSV) {
        throw usage(file + " is a CSV catalogue: give --template to turn each row into a prompt, e.g."
            + " --template \"studio photo of a {colour} {product}\"");
      }
      if (file != null) {
        if (requestId != null) {
          throw usage("--request-id names a single --prompt request; with --file set requestId on each line");
        }
        source = new RequestFile(file);
      } else {
        source = new SinglePrompt(input.prompt, requestId);
      }
    }
    if (watch && dryRun) {
      throw usage("--watch follows a published batch; --dry-run publishes nothing");
    }
    Instant now = clock.instant();
    RequestDefaults defaults = new RequestDefaults(tenant,
        batchId != null ? batchId : "b-" + BATCH_TIME.format(now),
        model, negativePrompt, width, height, steps, guidance, seed, numImages, labels, now, rerenderNearDuplicates);
    return new SubmitArgs(source, defaults, kafka.endpoint(), topic, dryRun, skipInvalid, watch);
  }

  private CatalogueFile catalogue(Path file) {
    if (file == null) {
      throw usage("--template fills prompts from a catalogue: give FILE (.csv or .jsonl), not --prompt");
    }
    Catalogue.Format format = Catalogue.Format.of(file).orElseThrow(() -> usage(
        "--template needs a .csv or .jsonl catalogue, got " + file));
    if (requestId != null) {
      throw usage("--request-id names a single --prompt request; catalogue request ids derive from the row key");
    }
    if (seeds != null && variants != null) {
      throw usage("--seeds and --variants both choose the seeds: give one");
    }
    if (seed != null && (seeds != null || variants != null)) {
      throw usage("--seed sets one seed for every request; --seeds and --variants make one request per seed:"
          + " give one of them");
    }
    if (sizes != null && (given("--width") || given("--height"))) {
      throw usage("--sizes replaces --width and --height: give one or the other");
    }
    CatalogueSpec.Builder spec = CatalogueSpec.builder().optKeyColumn(keyColumn);
    try {
      spec.setTemplate(Template.parse(template));
    } catch (IllegalArgumentException e) {
      throw usage("--template: " + e.getMessage());
    }
    try {
      if (seeds != null) {
        spec.optSeeds(seeds);
      } else if (variants != null) {
        spec.optVariants(variants);
      }
    } catch (IllegalArgumentException e) {
      throw usage((seeds != null ? "--seeds: " : "--variants: ") + e.getMessage());
    }
    if (sizes != null) {
      List<Size> parsed = new ArrayList<>();
      try {
        for (String size : sizes) {
          parsed.add(Size.parse(size));
        }
        spec.optSizes(parsed);
      } catch (IllegalArgumentException e) {
        throw usage("--sizes: " + e.getMessage());
      }
    }
    return new CatalogueFile(file, format, spec.build());
  }

  private boolean given(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
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
