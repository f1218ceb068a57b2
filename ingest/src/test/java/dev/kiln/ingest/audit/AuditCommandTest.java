package dev.kiln.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditCommandTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int audit(String... args) {
    CommandLine cli = new CommandLine(new AuditCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void theBucketIsRequired() {
    int exit = audit("spring", "--s3-bucket", "");

    assertThat(exit).isEqualTo(AuditCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("--s3-bucket (or $KILN_S3_BUCKET) is required");
  }

  @Test
  void expectMustBePositive() {
    int exit = audit("spring", "--s3-bucket", "kiln", "--expect", "0");

    assertThat(exit).isEqualTo(AuditCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("--expect must be 1 or more, got 0");
  }

  @Test
  void aBatchIdThatCannotBeAKeySegmentIsRejected() {
    int exit = audit("../other", "--s3-bucket", "kiln", "--s3-endpoint", "http://127.0.0.1:1");

    assertThat(exit).isEqualTo(AuditCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("batchId '../other' is not allowed: it must match");
  }

  @Test
  void anUnreachableBrokerIsNotAFinding() {
    int exit = audit("spring", "--s3-bucket", "kiln", "--s3-endpoint", "http://127.0.0.1:1",
        "--bootstrap-servers", "kiln-no-such-host.invalid:9092");

    assertThat(exit).isEqualTo(AuditCommand.EXIT_UNREADABLE);
    assertThat(err.toString()).startsWith("error: cannot audit local/spring: Kafka at kiln-no-such-host.invalid:9092");
    assertThat(out.toString()).isEmpty();
  }
}
