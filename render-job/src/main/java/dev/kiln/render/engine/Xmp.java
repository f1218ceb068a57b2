package dev.kiln.render.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** XMP packets for generated images. */
public final class Xmp {
  /** IPTC digital source type for media created by a model trained on sampled content. */
  public static final String TRAINED_ALGORITHMIC_MEDIA =
      "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
  /** Namespace of IPTC Photo Metadata Extension properties, DigitalSourceType among them. */
  public static final String IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
  /** Namespace of Kiln's own provenance properties. */
  public static final String KILN_NS = "https://kiln.dev/ns/xmp/1.0/";

  private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

  private Xmp() {}

  /**
   * An XMP packet that declares the image {@code trainedAlgorithmicMedia}
   * ({@code Iptc4xmpExt:DigitalSourceType}) and records {@code props} as {@code kiln:} properties,
   * in key order so equal maps give equal packets. Embed it with
   * {@link PngEncoder#encode(GeneratedImage, String)}.
   *
   * @param props property name (an XML name: letters, digits, {@code _ . -}, not starting with a
   *     digit) to text value; values are XML-escaped
   * @throws IllegalArgumentException for a property name that is not an XML name, or a value with
   *     characters XML cannot carry
   */
  public static String trainedAlgorithmicMedia(Map<String, String> props) {
    StringBuilder sb = new StringBuilder(512);
    sb.append("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
        .append("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n")
        .append(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
        .append("  <rdf:Description rdf:about=\"\"\n")
        .append("    xmlns:Iptc4xmpExt=\"").append(IPTC_EXT_NS).append("\"\n")
        .append("    xmlns:kiln=\"").append(KILN_NS).append("\">\n")
        .append("   <Iptc4xmpExt:DigitalSourceType>").append(TRAINED_ALGORITHMIC_MEDIA)
        .append("</Iptc4xmpExt:DigitalSourceType>\n");
    for (Map.Entry<String, String> e : new TreeMap<>(props).entrySet()) {
      if (!PROPERTY_NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("XMP property name '" + e.getKey()
            + "' is not an XML name: use letters, digits, '_', '.' or '-', starting with a letter or '_'");
      }
      sb.append("   <kiln:").append(e.getKey()).append('>').append(escape(e.getKey(), e.getValue()))
          .append("</kiln:").append(e.getKey()).append(">\n");
    }
    sb.append("  </rdf:Description>\n")
        .append(" </rdf:RDF>\n")
        .append("</x:xmpmeta>\n")
        .append("<?xpacket end=\"r\"?>");
    return sb.toString();
  }

  private static String escape(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("XMP property '" + key + "' has a null value");
    }
    StringBuilder sb = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\t', '\n', '\r' -> sb.append("&#").append((int) c).append(';');
        default -> {
          if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
            throw new IllegalArgumentException("XMP property '" + key + "' contains character U+"
                + String.format("%04X", (int) c) + ", which XML 1.0 cannot carry");
          }
          sb.append(c);
        }
      }
    }
    return sb.toString();
  }
}
