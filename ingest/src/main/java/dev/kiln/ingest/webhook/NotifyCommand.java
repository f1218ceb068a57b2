package dev.kiln.ingest.webhook;

import dev.kiln.ingest.KafkaConnectionOptions;
import dev.kiln.ingest.OptionFiles;
import dev.kiln.ingest.http.S3AssetLinks;
import dev.kiln.ingest.http.S3Options;
import dev.kiln.storage.S3Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln notify}: runs a {@link WebhookNotifier} until the process is stopped (SIGTERM or
 * Ctrl-C commits what was delivered and stops). Exit codes: 0 stopped; 1 Kafka failed;
 * 2 invalid options or webhooks file.
 */
@Command(
    name = "notify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "POSTs every result on kiln.results to its tenant's webhook, signed with the tenant's secret.",
        "Delivery is at-least-once: receivers deduplicate by imageId (header X-Kiln-Image-Id).",
        "Receivers verify X-Kiln-Signature (v1, over X-Kiln-Timestamp + '.' + body) and reject timestamps"
            + " more than 5 minutes off. Each tenant has its own queue and circuit breaker."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:Kafka failed", "2:invalid options or webhooks file"})
public final class NotifyCommand implements Callable<Integer> {
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_INVALID = 2;

  @Spec private CommandSpec spec;

  @Option(names = "--webhooks", paramLabel = "FILE", required = true,
      description = "JSON: {\"tenants\": {\"acme\": {\"url\": \"https://...\", \"secret\": \"...\"}}}."
          + " Tenants not listed get no webhooks.")
  private Path webhooks;

  @Option(names = WebhookConfig.ALLOW_INSECURE_FLAG,
      description = "Also accept http:// webhook URLs (default: https:// only). For receivers on loopback or a"
          + " trusted network in development: plain http shows results and their links to anyone on the path.")
  private boolean allowInsecureWebhooks;

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();

  @Option(names = "--results-topic", defaultValue = WebhookNotifier.DEFAULT_TOPIC,
      description = "Default: ${DEFAULT-VALUE}.")
  private String topic;

  @Option(names = "--group-id", defaultValue = WebhookNotifier.DEFAULT_GROUP_ID,
      description = "Consumer group; its offsets record what was delivered. Default: ${DEFAULT-VALUE}.")
  private String groupId;

  @Option(names = "--start-at", defaultValue = "earliest",
      description = "Where a new group starts: earliest (every retained result) or latest. Default: ${DEFAULT-VALUE}.")
  private String startAt;

  @Option(names = "--max-attempts", defaultValue = "5", description = "Attempts per delivery. Default: ${DEFAULT-VALUE}.")
  private int maxAttempts;

  @Option(names = "--connect-timeout", defaultValue = "PT5S", description = "Default: ${DEFAULT-VALUE}.")
  private Duration connectTimeout;

  @Option(names = "--request-timeout", defaultValue = "PT10S",
      description = "Deadline for one attempt's response. Default: ${DEFAULT-VALUE}.")
  private Duration requestTimeout;

  @Option(names = "--queue-capacity", defaultValue = "" + WebhookNotifier.DEFAULT_QUEUE_CAPACITY,
      description = "Results waiting per tenant; more are dropped (logged with the request id the receiver can"
          + " poll). Default: ${DEFAULT-VALUE}.")
  private int queueCapacity;

  @Option(names = "--breaker-failures", defaultValue = "" + WebhookNotifier.DEFAULT_BREAKER_FAILURES,
      description = "Deliveries in a row that give up before a tenant's circuit opens. Default: ${DEFAULT-VALUE}.")
  private int breakerFailures;

  @Option(names = "--breaker-cool-down", paramLabel = "DURATION", defaultValue = "PT1M",
      description = "How long an open circuit drops a tenant's results before one probe. Default: ${DEFAULT-VALUE}.")
  private Duration breakerCoolDown;

  @Option(names = "--url-ttl", paramLabel = "DURATION", defaultValue = "PT1H",
      description = "Lifetime of the presigned url in PUBLISHED results (with --s3-bucket). Default: ${DEFAULT-VALUE}.")
  private Duration urlTtl;

  @Mixin private S3Options s3 = new S3Options();

  /** Runs {@code kiln notify} on its own. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new NotifyCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    WebhookConfig config = config();
    Optional<S3Settings> settings;
    WebhookSender sender;
    try {
      settings = s3.settings();
      sender = WebhookSender.builder()
          .setConfig(config)
          .optMaxAttempts(maxAttempts)
          .optConnectTimeout(connectTimeout)
          .optRequestTimeout(requestTimeout)
          .build();
      if (settings.isPresent()) {
        S3AssetLinks.requireTtl(urlTtl);
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_INVALID;
    }
    try (S3AssetLinks links = settings.map(s -> S3AssetLinks.create(s, urlTtl)).orElse(null)) {
      WebhookNotifier notifier = WebhookNotifier.builder()
          .setKafka(kafka.endpoint())
          .setSender(sender)
          .optTopic(topic)
          .optGroupId(groupId)
          .optStartAt(startAt)
          .optAssetLinks(links)
          .optQueueCapacity(queueCapacity)
          .optBreakerFailures(breakerFailures)
          .optBreakerCoolDown(breakerCoolDown)
          .build();
      Thread hook = new Thread(notifier::close, "kiln-notify-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      spec.commandLine().getOut().println("delivering " + topic + " to webhooks of " + config.size() + " tenant(s)"
          + " as group " + groupId);
      spec.commandLine().getOut().flush();
      notifier.run();
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_INVALID;
    } catch (KafkaException e) {
      err.println("error: Kafka at " + kafka.bootstrapServers() + ": " + e.getMessage());
      err.flush();
      return EXIT_FAILED;
    }
  }

  private WebhookConfig config() {
    return OptionFiles.read(spec, "--webhooks", webhooks, file -> WebhookConfig.load(file, allowInsecureWebhooks));
  }
}
