package dev.kiln.ingest.audit;

import dev.kiln.ingest.KafkaConnectionOptions;
import dev.kiln.ingest.http.S3Options;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.S3Settings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code kiln audit BATCH}: runs a {@link BatchAudit} and prints its {@link AuditReport#lines()}.
 * Exit codes: 0 clean; 1 findings; 2 invalid options; 3 Kafka or the bucket could not be read.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Checks a batch: exactly one committed result per image, every result's object present with the"
            + " result's sha256, nothing left under staging/.",
        "Reads kiln.results and kiln.images (read_committed, up to their end offsets at start) and lists"
            + " staging/, assets/ and quarantine/ of the batch. Writes nothing.",
        "",
        "Prints one finding per line, each starting with a fixed word:",
        "  no-result       IMAGE_ID seen on kiln.images or in the bucket, no result",
        "  unaccounted     N images below --expect, seen nowhere",
        "  unexpected      N images beyond --expect",
        "  duplicate       IMAGE_ID N results: STATUS attempt A at PARTITION@OFFSET, ...",
        "  object-missing  IMAGE_ID KEY: the result's object is not in the bucket",
        "  sha256-mismatch IMAGE_ID KEY result SHA256 object SHA256",
        "  wrong-key       IMAGE_ID KEY: not the image's own key (not read)",
        "  stray-object    IMAGE_ID KEY: under assets/ or quarantine/, no result names it",
        "  staging         KEY: left under staging/",
        "then: summary TENANT/BATCH: images, results by status; findings or clean.",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:clean",
        "1:findings (listed)",
        "2:invalid options",
        "3:Kafka or the bucket could not be read"})
public final class AuditCommand implements Callable<Integer> {
  public static final int EXIT_FINDINGS = 1;
  public static final int EXIT_INVALID = 2;
  public static final int EXIT_UNREADABLE = 3;

  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch to audit.")
  private String batchId;

  @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "local", description = "Tenant of the batch. Default: ${DEFAULT-VALUE}.")
  private String tenant;

  @Option(names = "--expect", paramLabel = "N",
      description = "Images the batch should have; fewer or more seen is a finding. Default: check the images"
          + " seen in the topics and the bucket.")
  private Integer expected;

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();

  @Option(names = "--results-topic", paramLabel = "TOPIC", defaultValue = BatchAudit.DEFAULT_RESULTS_TOPIC,
      description = "Default: ${DEFAULT-VALUE}.")
  private String resultsTopic;

  @Option(names = "--images-topic", paramLabel = "TOPIC", defaultValue = BatchAudit.DEFAULT_IMAGES_TOPIC,
      description = "Default: ${DEFAULT-VALUE}.")
  private String imagesTopic;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT2M",
      description = "Give up reading a topic to its end after this ISO-8601 duration. Default: ${DEFAULT-VALUE}.")
  private Duration timeout;

  @Mixin private S3Options s3 = new S3Options();

  /** Runs {@code kiln audit} on its own. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new AuditCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (expected != null && expected < 1) {
      throw new ParameterException(spec.commandLine(), "--expect must be 1 or more, got " + expected);
    }
    S3Settings settings;
    try {
      settings = s3.settings().orElseThrow(() -> new ParameterException(spec.commandLine(),
          "--s3-bucket (or $KILN_S3_BUCKET) is required: the audit lists the batch's objects"));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (S3Client client = S3Clients.create(settings)) {
      BatchAudit.Builder builder = BatchAudit.builder()
          .setKafka(kafka.endpoint())
          .setObjectStore(new ObjectStore(client, settings.bucket()))
          .setTenant(tenant)
          .setBatchId(batchId)
          .optResultsTopic(resultsTopic)
          .optImagesTopic(imagesTopic)
          .optTimeout(timeout);
      if (expected != null) {
        builder.optExpect(expected);
      }
      BatchAudit audit;
      try {
        audit = builder.build();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      AuditReport report = audit.run();
      report.lines().forEach(out::println);
      out.flush();
      return report.clean() ? 0 : EXIT_FINDINGS;
    } catch (KafkaException | IllegalStateException e) {
      err.println("error: cannot audit " + tenant + "/" + batchId + ": Kafka at " + kafka.bootstrapServers() + ": "
          + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
      err.flush();
      return EXIT_UNREADABLE;
    } catch (SdkException e) {
      err.println("error: cannot audit " + tenant + "/" + batchId + ": bucket " + settings.bucket() + ": "
          + e.getMessage());
      err.flush();
      return EXIT_UNREADABLE;
    }
  }
}
