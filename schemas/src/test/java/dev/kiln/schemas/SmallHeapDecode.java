package dev.kiln.schemas;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;

/**
 * Run by {@link SmallHeapDecodeTest} in a JVM of a few megabytes of heap: decodes records of about
 * twenty bytes that declare a 2 GB string or a map of 2^31 entries, and prints one line per
 * record saying how the decoder refused it. Without Kiln's limits either one is an {@link
 * OutOfMemoryError}, and this JVM dies with a non-zero exit.
 */
public final class SmallHeapDecode {
  private SmallHeapDecode() {}

  public static void main(String[] args) {
    for (Map.Entry<String, byte[]> hostile : records().entrySet()) {
      try {
        Codecs.REQUEST.decode(hostile.getValue());
        System.out.println(hostile.getKey() + ": decoded");
      } catch (InvalidRecordException e) {
        System.out.println(hostile.getKey() + " (" + hostile.getValue().length + " bytes): refused: " + e.getMessage());
      }
    }
  }

  /** The hostile records, by what each declares. */
  static Map<String, byte[]> records() {
    byte[] valid = Codecs.REQUEST.encode(CodecsTest.request());
    byte[] header = Arrays.copyOf(valid, 10);
    // The labels map starts where a request with one more label first differs from one with none.
    byte[] noLabels = Codecs.REQUEST.encode(RenderRequest.newBuilder(CodecsTest.request()).setLabels(Map.of()).build());
    int labels = Arrays.mismatch(valid, noLabels);
    byte[] beforeLabels = Arrays.copyOf(noLabels, labels);
    return Map.of(
        "string of 2 GB", concat(header, varint(Integer.MAX_VALUE - 8), new byte[] {'a', 'b', 'c'}),
        "map of 2^31 entries", concat(beforeLabels, varint(Integer.MAX_VALUE - 16), varint(1), new byte[] {'k'}));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Avro's zigzag varint of {@code n}. */
  static byte[] varint(long n) {
    long z = (n << 1) ^ (n >> 63);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((z & ~0x7FL) != 0) {
      out.write((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.write((int) z);
    return out.toByteArray();
  }
}
