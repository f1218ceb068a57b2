package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.cluster.StackSpec;
import dev.kiln.deploy.cluster.StackState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class UpCommandTest {
  @TempDir Path dir;
  final StringWriter err = new StringWriter();

  int up(String... args) {
    CommandLine cli = new CommandLine(new UpCommand());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  static UpCommand parsed(String... args) {
    UpCommand command = new UpCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @ParameterizedTest
  @CsvSource({"500 ms, 500", "1s, 1000", "5 s, 5000", "1 min, 60000", "100 ms, 100", "10 min, 600000", "PT2S, 2000"})
  void takesAFlinkDuration(String value, long millis) {
    assertThat(parsed("--checkpoint-interval", value).spec(dir).checkpointInterval())
        .isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void checkpointsEveryTwoSecondsByDefault() {
    assertThat(parsed().spec(dir).checkpointInterval())
        .isEqualTo(Duration.ofSeconds(2))
        .isEqualTo(StackSpec.defaults(dir, dir).checkpointInterval());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0 s    | '0 s' is under 100 ms",
      "-1 s   | '-1 s' is negative",
      "99 ms  | '99 ms' is under 100 ms",
      "11 min | '11 min' is over 10 min",
      "1 h    | '1 h' is over 10 min",
      "300    | '300' has no unit",
      "soon   | 'soon' is not a duration",
      "1.5 s  | '1.5 s' is not a duration"})
  void anIntervalOutsideTheRangeIsAUsageErrorBeforeAnythingStarts(String value, String reason) {
    Path data = dir.resolve("data");

    int exit = up("--data-dir", data.toString(), "--checkpoint-interval", value);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("Invalid value for option '--checkpoint-interval': " + reason
        + ": give a duration from 100 ms to 10 min with its unit, e.g. 500 ms, 5 s or 1 min");
    assertThat(data).doesNotExist();
  }

  @Test
  void helpSaysWhatTheIntervalTrades() {
    String help = new CommandLine(new UpCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

    assertThat(help).contains("--checkpoint-interval=DURATION")
        .contains("visible, only when a checkpoint completes")
        .contains("a shorter interval shows results sooner and costs more checkpoints (default: 2 s)");
  }

  @Test
  void theStartupSummaryNamesTheInterval() {
    StackSpec spec = parsed("--data-dir", dir.toString(), "--checkpoint-interval", "500 ms").spec(dir);
    StackState state = new StackState();
    state.bootstrapServers = "127.0.0.1:9092";
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    UpCommand.printEndpoints(state, spec, new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("\n  checkpoints  every 500 ms: results become visible on each (--checkpoint-interval)\n");
  }
}
