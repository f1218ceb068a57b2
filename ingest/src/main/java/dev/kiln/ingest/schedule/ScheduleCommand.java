package dev.kiln.ingest.schedule;

import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.schemas.Topics;
import dev.kiln.ingest.KafkaConnectionOptions;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.RequestPublisher;
import dev.kiln.ingest.SubmitCommand;
import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.internal.CatalogueRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kiln schedule}: submits the catalogue of every schedule in a config file for the
 * schedule's current cron window (the latest time at or before now at which its cron fires, in
 * UTC), under the batch id {@code <name>.<yyyyMMdd'T'HHmm'Z'>} of that window; see
 * {@link Schedule}. Meant to be run by cron, e.g. a Kubernetes CronJob (deploy/k8s/cronjob.yaml).
 *
 * <p>Running twice in one window is harmless: the second run publishes the same batch id and
 * request ids, and the render job drops requests it has seen. A late or retried run still lands
 * in the window it was meant for, as long as the next window has not begun.
 *
 * <p>Each schedule is checked and published on its own, as {@code kiln submit} would: one with an
 * invalid catalogue publishes nothing, and the others still run. Exit codes: 0 every schedule
 * published; 1 publishing failed for at least one (a retry may help); 2 the config or a catalogue
 * is invalid (a retry will not help).
 */
@Command(
    name = "schedule",
    sortOptions = false,
    description = {
        "Submits the catalogue of every schedule in a config file for its current cron window.",
        "The batch id is <name>.<window start, yyyyMMdd'T'HHmm'Z'>, so a second run in the same window"
            + " publishes the same request ids again, and the render job drops them.",
        ""},
    footerHeading = "%nConfig:%n",
    footer = {
        "  {\"schedules\": [{\"name\": \"nightly-catalogue\", \"cron\": \"0 2 * * *\",",
        "    \"catalogue\": \"catalogue.csv\",",
        "    \"template\": \"studio photo of a {colour} {product}\",",
        "    \"tenant\": \"retail\", \"seeds\": [1, 2], \"sizes\": [\"64x64\"],",
        "    \"negativePrompt\": \"blurry\"}]}",
        "  cron: minute hour day-of-month month day-of-week, in UTC, with *,",
        "  lists, ranges and steps. catalogue: relative to the config file.",
        "  Also: keyColumn, variants, model, steps, guidanceScale, numImages,",
        "  labels, skipInvalid, as the kiln submit options of those names."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every schedule published (with --dry-run: every catalogue is valid)",
        "1:publishing failed for a schedule; a retry in the same window republishes the same ids",
        "2:the config or a catalogue is invalid"})
public final class ScheduleCommand implements Callable<Integer> {
  private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
  private final Clock clock;

  @Spec private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The schedules, as JSON.")
  private Path config;

  @Option(names = "--now", paramLabel = "INSTANT", description = "Run as if it were this time, e.g."
      + " 2026-11-22T02:00:00Z, to catch up on a missed window. Default: the clock.")
  private String now;

  @Option(names = "--schedule", paramLabel = "NAME", description = "Run only this schedule; repeat for more."
      + " Default: all.")
  private List<String> only = new ArrayList<>();

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();

  @Option(names = "--topic", defaultValue = Topics.REQUESTS, description = "Requests topic. Default: ${DEFAULT-VALUE}.")
  private String topic;

  @Option(names = "--dry-run", description = "Check the config and every catalogue; publish nothing.")
  private boolean dryRun;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  private boolean help;

  /** Publishes with a {@link KafkaProducer}; windows and {@code submittedAt} use the UTC clock. */
  public ScheduleCommand() {
    this(config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
        Clock.systemUTC());
  }

  /**
   * @param producers makes the producer from {@link RequestPublisher#producerConfig(KafkaEndpoint)};
   *     called once per schedule with something valid to publish
   * @param clock picks the window (unless {@code --now} is given) and stamps {@code submittedAt}
   */
  public ScheduleCommand(Function<Map<String, Object>, Producer<byte[], byte[]>> producers, Clock clock) {
    this.producers = Objects.requireNonNull(producers, "producers");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The {@code kiln schedule} command line, parsed once.
   *
   * @param now the time whose windows are submitted
   * @param only the schedules to run; empty for all
   */
  public record ScheduleArgs(Path config, Instant now, List<String> only, KafkaEndpoint kafka, String topic,
      boolean dryRun) {
    public ScheduleArgs {
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(now, "now");
      only = List.copyOf(only);
      Objects.requireNonNull(kafka, "kafka");
      Objects.requireNonNull(topic, "topic");
    }
  }

  @Override
  public Integer call() {
    ScheduleArgs args = parse();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    ScheduleConfig.Loaded loaded = ScheduleConfig.read(args.config());
    if (!loaded.errors().isEmpty()) {
      loaded.errors().forEach(err::println);
      int n = loaded.errors().size();
      err.println(n + (n == 1 ? " error" : " errors") + " in " + args.config() + "; nothing published");
      err.flush();
      return SubmitCommand.EXIT_INVALID;
    }
    List<Schedule> schedules = selected(loaded.schedules(), args.only());
    boolean failed = false;
    boolean invalid = false;
    for (Schedule schedule : schedules) {
      int exit = run(schedule, args, out, err);
      failed |= exit == SubmitCommand.EXIT_PUBLISH_FAILED;
      invalid |= exit == SubmitCommand.EXIT_INVALID;
    }
    // A failed publish may succeed on a retry, which republishes the same ids; an invalid catalogue won't.
    return failed ? SubmitCommand.EXIT_PUBLISH_FAILED : invalid ? SubmitCommand.EXIT_INVALID : 0;
  }

  private int run(Schedule schedule, ScheduleArgs args, PrintWriter out, PrintWriter err) {
    Optional<Instant> window = schedule.cron().latestAtOrBefore(args.now());
    if (window.isEmpty()) {
      err.println(schedule.name() + ": cron \"" + schedule.cron() + "\" has not fired in the 30 years up to "
          + args.now() + "; nothing published");
      err.flush();
      return SubmitCommand.EXIT_INVALID;
    }
    String batchId = schedule.batchId(window.get());
    out.println(schedule.name() + ": window " + window.get() + " (cron \"" + schedule.cron() + "\"), batch "
        + batchId);
    out.flush();
    RequestDefaults defaults = schedule.defaults(batchId, clock.instant());
    Catalogue catalogue = new Catalogue(schedule.catalogue(), schedule.format(), schedule.spec(), defaults);
    return new CatalogueRun(args.kafka(), args.topic(), producers, out, err)
        .run(catalogue, defaults, schedule.skipInvalid(), args.dryRun(), "\"skipInvalid\": true")
        .exitCode();
  }

  private List<Schedule> selected(List<Schedule> schedules, List<String> only) {
    if (only.isEmpty()) {
      return schedules;
    }
    List<String> names = schedules.stream().map(Schedule::name).toList();
    for (String name : only) {
      if (!names.contains(name)) {
        throw new ParameterException(spec.commandLine(), "--schedule " + name + ": no such schedule in "
            + config + "; schedules: " + String.join(", ", names));
      }
    }
    return schedules.stream().filter(s -> only.contains(s.name())).toList();
  }

  /** The options as an immutable record; picocli has already checked their syntax. */
  ScheduleArgs parse() {
    Instant at;
    if (now == null) {
      at = clock.instant();
    } else {
      try {
        at = Instant.parse(now);
      } catch (DateTimeParseException e) {
        throw new ParameterException(spec.commandLine(), "--now: expected an ISO-8601 instant in UTC such as"
            + " 2026-11-22T02:00:00Z, got \"" + now + "\"");
      }
    }
    return new ScheduleArgs(config, at, only, kafka.endpoint(), topic, dryRun);
  }
}
