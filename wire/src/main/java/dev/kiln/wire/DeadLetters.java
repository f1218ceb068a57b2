package dev.kiln.wire;

import dev.kiln.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds dead letters that keep the original record's bytes and position, so nothing is lost.
 *
 * <p>A dead letter must itself fit in a Kafka record (1 MB by default), or the dead-letter sink
 * fails and the job restarts on the same record forever. So the reason is cut at
 * {@value #MAX_REASON_CHARS} characters, and a key or value over {@value #MAX_KEPT_BYTES} bytes
 * keeps only its first {@value #MAX_KEPT_BYTES}, which the reason then says. A well-formed Kiln
 * record is a few kilobytes, so any record that was meant as one is kept whole.
 */
public final class DeadLetters {
  /** Longest reason kept. */
  public static final int MAX_REASON_CHARS = 4000;
  /** Most bytes of the original key, and of the original value, kept. */
  public static final int MAX_KEPT_BYTES = 256 * 1024;

  private DeadLetters() {}

  /**
   * @param stage where it failed: decode, validate, model
   * @param reason what was wrong, naming the field and what is allowed
   */
  public static DeadLetter of(RawRecord raw, String stage, String reason) {
    String why = reason == null ? "" : reason;
    if (why.length() > MAX_REASON_CHARS) {
      why = why.substring(0, MAX_REASON_CHARS) + "... (" + (why.length() - MAX_REASON_CHARS) + " more characters)";
    }
    if (raw.key != null && raw.key.length > MAX_KEPT_BYTES) {
      why += "; the dead letter keeps the first " + MAX_KEPT_BYTES + " of the key's " + raw.key.length + " bytes";
    }
    if (raw.value != null && raw.value.length > MAX_KEPT_BYTES) {
      why += "; the dead letter keeps the first " + MAX_KEPT_BYTES + " of the value's " + raw.value.length + " bytes";
    }
    return DeadLetter.newBuilder()
        .setSourceTopic(raw.topic == null ? "" : raw.topic)
        .setSourcePartition(raw.partition)
        .setSourceOffset(raw.offset)
        .setKey(raw.key == null ? null : ByteBuffer.wrap(kept(raw.key)))
        .setValue(raw.value == null ? null : ByteBuffer.wrap(kept(raw.value)))
        .setStage(stage)
        .setReason(why)
        .setFailedAt(Instant.now())
        .build();
  }

  private static byte[] kept(byte[] bytes) {
    return bytes.length > MAX_KEPT_BYTES ? Arrays.copyOf(bytes, MAX_KEPT_BYTES) : bytes;
  }
}
