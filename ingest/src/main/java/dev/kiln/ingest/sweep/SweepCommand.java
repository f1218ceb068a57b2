package dev.kiln.ingest.sweep;

import dev.kiln.ingest.KafkaConnectionOptions;
import dev.kiln.ingest.http.S3Options;
import dev.kiln.schemas.Topics;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.S3Settings;
import dev.kiln.storage.StagingSweep;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code kiln sweep}: deletes staging objects that nothing will publish. Only objects older than
 * {@code --older-than} (at least {@link StagingSweep#MIN_AGE}), and only while the safety job has
 * no backlog on kiln.images: a staged image whose reference still waits to be moderated is pending
 * work, however old it is.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Delete orphaned objects under staging/: older than --older-than, and only while the safety job"
        + " has no backlog on kiln.images. Exit 0: swept (or nothing to sweep); 1: refused, the safety job has a"
        + " backlog; 2: invalid options; 3: Kafka or the bucket cannot be read.")
public final class SweepCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "PT1H",
      description = "Only objects last written longer ago than this, ISO-8601, at least PT16M. Default: ${DEFAULT-VALUE}.")
  private Duration olderThan;

  @Option(names = "--dry-run", description = "List what would be deleted; delete nothing.")
  private boolean dryRun;

  @Option(names = "--safety-group", defaultValue = "kiln-safety",
      description = "The safety job's consumer group (kiln.safety.group-id). Default: ${DEFAULT-VALUE}.")
  private String safetyGroup;

  @Option(names = "--images-topic", defaultValue = Topics.IMAGES, description = "Default: ${DEFAULT-VALUE}.")
  private String imagesTopic;

  @Mixin private KafkaConnectionOptions kafka = new KafkaConnectionOptions();
  @Mixin private S3Options s3 = new S3Options();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    S3Settings settings;
    try {
      settings = s3.settings().orElseThrow(() -> new ParameterException(spec.commandLine(),
          "--s3-bucket (or $KILN_S3_BUCKET) is required: the sweep lists the bucket's staging/ objects"));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (olderThan.compareTo(StagingSweep.MIN_AGE) < 0) {
      throw new ParameterException(spec.commandLine(), "--older-than must be at least " + StagingSweep.MIN_AGE
          + " (the jobs' Kafka transaction timeout and a checkpoint), got " + olderThan);
    }
    long lag;
    try {
      lag = ConsumerLag.of(kafka.endpoint(), safetyGroup, imagesTopic, Duration.ofSeconds(30));
    } catch (IllegalStateException | KafkaException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 3;
    }
    if (lag > 0) {
      err.println("refused: the safety job (group " + safetyGroup + ") is " + lag + " records behind on " + imagesTopic
          + "; their staged images are pending work. Run kiln sweep again once it has caught up.");
      err.flush();
      return 1;
    }
    try (S3Client client = S3Clients.create(settings)) {
      StagingSweep sweep = new StagingSweep(client, settings.bucket());
      List<StagingSweep.Orphan> orphans = sweep.find(olderThan, Instant.now());
      orphans.forEach(o -> out.println((dryRun ? "would delete " : "deleted ") + o.key() + " (" + o.size()
          + " bytes, written " + o.lastModified() + ")"));
      if (!dryRun) {
        sweep.delete(orphans);
      }
      out.println((dryRun ? "dry run: " : "") + orphans.size() + " staging object(s) older than " + olderThan
          + (dryRun ? " would be deleted" : " deleted") + " from bucket " + settings.bucket());
      out.flush();
      return 0;
    } catch (SdkException e) {
      err.println("error: bucket " + settings.bucket() + ": " + e.getMessage());
      err.flush();
      return 3;
    }
  }
}
