package dev.kiln.deploy.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * UTF-8 output with every character that could drive a terminal written as a visible escape,
 * {@code \u001b} for ESC. The CLI prints values users and other tenants chose (prompts, batch
 * ids, field names from a file, reasons read from Kafka); one ESC sequence in them could clear the
 * screen, rewrite earlier lines, retitle the window or hide text, and a bidi override could make a
 * line read differently from what it holds. So {@code kiln} writes all its output through this.
 *
 * <p>Escaped: C0 controls but newline and tab, DEL, the C1 controls (U+0080 to U+009F, which some
 * terminals obey as CSI and OSC), and the bidi embedding, override and isolate characters. Every
 * other character, any script, passes unchanged. Bytes that are not valid UTF-8 pass unchanged
 * too: a terminal shows them as replacement characters, and they cannot form a control.
 */
public final class TerminalSafeOutputStream extends FilterOutputStream {
  private final byte[] pending = new byte[4];
  private int have;
  private int need;

  TerminalSafeOutputStream(OutputStream out) {
    super(out);
  }

  /** A UTF-8 print stream onto {@code out} through this filter, flushing on every line. */
  public static PrintStream printStream(OutputStream out) {
    return new PrintStream(new TerminalSafeOutputStream(out), true, StandardCharsets.UTF_8);
  }

  @Override
  public void write(int value) throws IOException {
    int b = value & 0xFF;
    if (need > 0) {
      if ((b & 0xC0) != 0x80) {
        out.write(pending, 0, have);
        have = 0;
        need = 0;
        write(b);
        return;
      }
      pending[have++] = (byte) b;
      if (have == need) {
        completeSequence();
      }
      return;
    }
    if (b < 0x80) {
      if (isControl(b)) {
        escape(b);
      } else {
        out.write(b);
      }
      return;
    }
    int length = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (length == 0) {
      out.write(b);
      return;
    }
    pending[0] = (byte) b;
    have = 1;
    need = length;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    for (int i = offset; i < offset + length; i++) {
      write(bytes[i]);
    }
  }

  @Override
  public void close() throws IOException {
    if (have > 0) {
      out.write(pending, 0, have);
      have = 0;
      need = 0;
    }
    super.close();
  }

  private void completeSequence() throws IOException {
    String s = new String(pending, 0, have, StandardCharsets.UTF_8);
    int codePoint = s.codePointAt(0);
    if (isControl(codePoint)) {
      escape(codePoint);
    } else {
      out.write(pending, 0, have);
    }
    have = 0;
    need = 0;
  }

  /** Whether {@code c} is a character this stream writes as an escape. */
  static boolean isControl(int c) {
    return (c < 0x20 && c != '\n' && c != '\t')
        || (c >= 0x7F && c <= 0x9F)
        || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x061C;
  }

  private void escape(int c) throws IOException {
    out.write(String.format(Locale.ROOT, "\\u%04x", c).getBytes(StandardCharsets.US_ASCII));
  }
}
