package dev.kiln.ingest;

import dev.kiln.schemas.KafkaEndpoint;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * What {@code kiln submit --watch} does once a batch is published: typically follow its results
 * until the expected images have arrived.
 */
@FunctionalInterface
public interface SubmitWatcher {
  /**
   * Follows one published batch.
   *
   * @param kafka the Kafka the batch was published to
   * @param tenant the tenant the batch was published for
   * @param batchId the batch just published
   * @param expectedImages the sum of {@code numImages} over the batch's published requests
   * @return the exit code for {@code kiln submit}: 0 when the batch completed
   */
  int watch(KafkaEndpoint kafka, String tenant, String batchId, int expectedImages);

  /** Watches nothing: prints the command that would, and returns 0. */
  static SubmitWatcher hint(PrintWriter out) {
    Objects.requireNonNull(out, "out");
    return (kafka, tenant, batchId, expectedImages) -> {
      out.println("--watch: no progress display in this build; follow the batch with:");
      out.println("  kiln watch " + batchId + " --tenant " + tenant + " --expect " + expectedImages
          + " --bootstrap-servers " + kafka.bootstrapServers());
      out.flush();
      return 0;
    };
  }
}
