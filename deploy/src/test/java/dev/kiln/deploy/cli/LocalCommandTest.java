package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void noBlockListByDefault() {
    assertThat(parsed().checkedBlockList()).isEmpty();
  }
}
