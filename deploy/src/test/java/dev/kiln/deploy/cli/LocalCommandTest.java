package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.wire.KilnOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LocalCommandTest {
  static final String HASH = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

  @TempDir Path dir;
  final StringWriter err = new StringWriter();

  int local(String... args) {
    CommandLine cli = new CommandLine(new LocalCommand());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  static LocalCommand parsed(String... args) {
    LocalCommand command = new LocalCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void aMissingBlockListIsAUsageErrorBeforeAnythingStarts() {
    Path data = dir.resolve("data");
    Path missing = dir.resolve("block-list.txt");

    int exit = local("--data-dir", data.toString(), "--block-list", missing.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("--block-list " + missing + ": no such file");
    assertThat(data).doesNotExist();
  }

  @Test
  void aBadBlockListLineIsNamedBeforeAnythingStarts() throws Exception {
    Path data = dir.resolve("data");
    Path list = Files.writeString(dir.resolve("block-list.txt"), HASH + " known image\nnot-a-hash\n");

    int exit = local("--data-dir", data.toString(), "--block-list", list.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("--block-list " + list + ":2: expected 64 hex characters");
    assertThat(data).doesNotExist();
  }

  @Test
  void aBlockListIsPassedOnAsAnAbsolutePath() throws Exception {
    Files.writeString(dir.resolve("block-list.txt"), "# known images\n" + HASH + " known image\n");
    Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("block-list.txt"));

    assertThat(parsed("--block-list", relative.toString()).checkedBlockList())
        .contains(dir.resolve("block-list.txt").toAbsolutePath().normalize());
  }

  @Test
  void bothJobsCheckpointEverySecondByDefault() {
    assertThat(parsed().jobConfig(new Configuration()).get(KilnOptions.CHECKPOINT_INTERVAL))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aChosenIntervalReachesBothJobsConfiguration() {
    Configuration stack = new Configuration();
    stack.set(KilnOptions.BOOTSTRAP_SERVERS, "127.0.0.1:9092");

    Configuration jobs = parsed("--checkpoint-interval", "5 s").jobConfig(stack);

    assertThat(jobs.get(KilnOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(5));
    assertThat(jobs.get(KilnOptions.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
  }

  @Test
  void anIntervalOutsideTheRangeIsAUsageErrorBeforeAnythingStarts() {
    Path data = dir.resolve("data");

    int exit = local("--data-dir", data.toString(), "--checkpoint-interval", "20 min");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("Invalid value for option '--checkpoint-interval': '20 min' is over 10 min:"
        + " give a duration from 100 ms to 10 min with its unit, e.g. 500 ms, 5 s or 1 min");
    assertThat(data).doesNotExist();
  }

  @Test
  void helpGivesTheLocalDefault() {
    assertThat(new CommandLine(new LocalCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " "))
        .contains("--checkpoint-interval=DURATION")
        .contains("costs more checkpoints (default: 1 s)");
  }

  @Test
  void noBlockListByDefault() {
    assertThat(parsed().checkedBlockList()).isEmpty();
  }
}
