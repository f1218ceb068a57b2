package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TerminalSafeOutputStreamTest {
  @Test
  void writesEscapeSequencesAsVisibleText() throws IOException {
    assertThat(through("batch \u001b[2J\u001b]0;owned\u0007 done\r"))
        .isEqualTo("batch \\u001b[2J\\u001b]0;owned\\u0007 done\\u000d");
  }

  @Test
  void escapesC1ControlsAndBidiOverrides() throws IOException {
    assertThat(through("a\u009b31mb \u202eevil\u202c \u2066x\u2069")).isEqualTo(
        "a\\u009b31mb \\u202eevil\\u202c \\u2066x\\u2069");
  }

  @Test
  void keepsNewlinesTabsAndEveryScript() throws IOException {
    String text = "published 3\tof 4\nprompt: 裸体 désolé голая 🎨\n";

    assertThat(through(text)).isEqualTo(text);
  }

  @Test
  void aCharacterSplitAcrossWritesIsStillJudgedWhole() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    byte[] override = "\u202e".getBytes(StandardCharsets.UTF_8);
    byte[] cjk = "裸".getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = new TerminalSafeOutputStream(sink)) {
      out.write(override, 0, 1);
      out.write(override, 1, 2);
      out.write(cjk, 0, 2);
      out.write(cjk, 2, 1);
    }

    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("\\u202e裸");
  }

  private static String through(String text) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = new TerminalSafeOutputStream(sink)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return sink.toString(StandardCharsets.UTF_8);
  }
}
