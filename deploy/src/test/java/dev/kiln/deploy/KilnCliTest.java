package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.cli.TerminalSafeOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KilnCliTest {
  @TempDir Path dir;

  @Test
  void aControlSequenceInAUsersFileReachesTheTerminalOnlyAsVisibleText() throws IOException {
    Path file = dir.resolve("requests.jsonl");
    Files.writeString(file, "{\"prompt\": \"a\", \"\\u001b[2J\\u001b]0;pwned\\u0007\": 1}\n", StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = KilnCli.commandLine(TerminalSafeOutputStream.printStream(out), TerminalSafeOutputStream.printStream(err))
        .execute("submit", file.toString(), "--batch-id", "b1", "--dry-run");

    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(exit).isEqualTo(2);
    assertThat(printed).contains("unknown field \"\\u001b[2J\\u001b]0;pwned\\u0007\"");
    assertThat(printed.chars().filter(c -> c == 0x1b || c == 0x07)).isEmpty();
  }

  @Test
  void withoutTheFilterTheSameErrorWouldCarryTheEscape() throws IOException {
    Path file = dir.resolve("requests.jsonl");
    Files.writeString(file, "{\"prompt\": \"a\", \"\\u001b[2J\": 1}\n", StandardCharsets.UTF_8);
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    KilnCli.commandLine(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute("submit", file.toString(), "--batch-id", "b1", "--dry-run");

    assertThat(err.toString(StandardCharsets.UTF_8)).contains("\u001b[2J");
  }
}
