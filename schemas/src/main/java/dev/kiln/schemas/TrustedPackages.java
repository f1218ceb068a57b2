package dev.kiln.schemas;

/**
 * Avro 1.12 refuses to instantiate generated classes from packages it was not told to trust
 * (SecurityException "Forbidden"). Every JVM that decodes Kiln records, task managers included,
 * runs this before the first decode.
 */
public final class TrustedPackages {
  public static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
  public static final String KILN = "dev.kiln.schemas";

  private TrustedPackages() {}

  public static synchronized void ensure() {
    String current = System.getProperty(PROPERTY);
    if (current == null || current.isBlank()) {
      System.setProperty(PROPERTY, KILN);
    } else if (!(("," + current + ",").contains("," + KILN + ","))) {
      System.setProperty(PROPERTY, current + "," + KILN);
    }
  }
}
