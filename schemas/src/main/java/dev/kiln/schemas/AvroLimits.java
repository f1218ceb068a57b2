package dev.kiln.schemas;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;

/**
 * Caps what a decoded record may declare, so that a hostile record cannot make a job allocate
 * gigabytes. Avro's binary decoder allocates a string, byte array or collection from the length
 * the record declares before it reads a byte of it, and by default accepts lengths up to about
 * 2^31: twenty bytes on a topic could then cost a TaskManager 2 GB and its life. Avro reads its
 * limits from system properties once; {@link #apply()} sets Kiln's, unless an operator set them,
 * and makes Avro read them again.
 *
 * <p>No Kiln record comes near these: a prompt is at most a few thousand characters, a dead letter
 * carries at most one Kafka record (1 MB by default), a request has at most a few dozen labels.
 */
public final class AvroLimits {
  /** Longest string a record may declare. */
  public static final int MAX_STRING_BYTES = 1 << 20;
  /** Longest byte array a record may declare: a dead letter's copy of a whole Kafka record. */
  public static final int MAX_BYTES = 4 << 20;
  /** Most items an array or map may declare. */
  public static final int MAX_COLLECTION_ITEMS = 100_000;

  private static volatile boolean applied;

  private AvroLimits() {}

  /** Sets the limits (once per JVM) unless the properties are already set. */
  public static synchronized void apply() {
    if (applied) {
      return;
    }
    setUnlessSet(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_BYTES);
    setUnlessSet(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES);
    setUnlessSet(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
    try {
      // Avro read the properties when SystemLimitException was loaded, which may have been before
      // this ran; its package-private resetLimits() reads them again.
      Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
      reset.setAccessible(true);
      reset.invoke(null);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot apply Avro's decode limits through SystemLimitException.resetLimits(),"
          + " which this Avro version lacks; set the system properties " + SystemLimitException.MAX_STRING_LENGTH_PROPERTY
          + " and its siblings on the JVM instead: " + e, e);
    }
    applied = true;
  }

  private static void setUnlessSet(String property, int value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, String.valueOf(value));
    }
  }
}
