package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
  @TempDir Path dir;
  final StringWriter err = new StringWriter();

  int serve(String... args) {
    CommandLine cli = new CommandLine(new ServeCommand(new CountDownLatch(0)));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aMissingKeysFileIsAUsageError() {
    int exit = serve("--api-keys", dir.resolve("keys.txt").toString(), "--s3-bucket", "kiln");

    assertThat(exit).isEqualTo(ServeCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("--api-keys " + dir.resolve("keys.txt") + ": no such file");
  }

  @Test
  void aBadKeysFileLineIsNamed() throws Exception {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "acme-key-0123456789abcdef\n");

    int exit = serve("--api-keys", keys.toString(), "--s3-bucket", "kiln");

    assertThat(exit).isEqualTo(ServeCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("--api-keys " + keys + ":1: expected \"KEY TENANT\", got 1 word");
  }

  @Test
  void theBucketIsRequired() throws Exception {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "acme-key-0123456789abcdef acme\n");

    int exit = serve("--api-keys", keys.toString(), "--s3-bucket", "");

    assertThat(exit).isEqualTo(ServeCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("--s3-bucket (or $KILN_S3_BUCKET) is required");
  }

  @Test
  void anUnreachableBrokerFailsTheStart() throws Exception {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "acme-key-0123456789abcdef acme\n");

    int exit = serve("--api-keys", keys.toString(), "--s3-bucket", "kiln", "--port", "0",
        "--bootstrap-servers", "kiln-no-such-host.invalid:9092");

    assertThat(exit).isEqualTo(ServeCommand.EXIT_START_FAILED);
    assertThat(err.toString()).startsWith("error: cannot start:");
  }

  @Test
  void listensOnLoopbackUnlessToldOtherwise() throws Exception {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "acme-key-0123456789abcdef acme\n");
    CommandLine defaults = new CommandLine(new ServeCommand(new CountDownLatch(0)));
    CommandLine bound = new CommandLine(new ServeCommand(new CountDownLatch(0)));

    defaults.parseArgs("--api-keys", keys.toString(), "--s3-bucket", "kiln");
    bound.parseArgs("--api-keys", keys.toString(), "--s3-bucket", "kiln", "--bind", "0.0.0.0");

    assertThat((String) defaults.getCommandSpec().findOption("--host").getValue()).isEqualTo("127.0.0.1");
    assertThat((String) bound.getCommandSpec().findOption("--host").getValue()).isEqualTo("0.0.0.0");
  }

  @Test
  void aSecretKeyOnTheCommandLineIsAUsageErrorThatDoesNotEchoIt() throws Exception {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "acme-key-0123456789abcdef acme\n");

    int exit = serve("--api-keys", keys.toString(), "--s3-bucket", "kiln", "--s3-access-key", "AKIA1",
        "--s3-secret-key", "hunter2-S3CR3T");

    assertThat(exit).isEqualTo(ServeCommand.EXIT_INVALID);
    assertThat(err.toString()).startsWith("--s3-secret-key is not accepted").doesNotContain("hunter2");
  }
}
