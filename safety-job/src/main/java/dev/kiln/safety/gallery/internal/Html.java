package dev.kiln.safety.gallery.internal;

/** HTML text escaping. */
public final class Html {
  private Html() {}

  /**
   * {@code text} safe to place in element content and in double- or single-quoted attribute
   * values: {@code & < > " '} become character references, and control characters other than
   * tab and newline are dropped (HTML does not allow them). {@code null} becomes "".
   */
  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (c >= 0x20 && c != 0x7f || c == '\t' || c == '\n') {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
