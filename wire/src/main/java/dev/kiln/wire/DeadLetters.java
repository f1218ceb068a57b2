package dev.kiln.wire;

import dev.kiln.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead letters that keep the original record's bytes and position, so nothing is lost. */
public final class DeadLetters {
  private DeadLetters() {}

  /**
   * @param stage where it failed: decode, validate, model
   * @param reason what was wrong, naming the field and what is allowed
   */
  public static DeadLetter of(RawRecord raw, String stage, String reason) {
    return DeadLetter.newBuilder()
        .setSourceTopic(raw.topic == null ? "" : raw.topic)
        .setSourcePartition(raw.partition)
        .setSourceOffset(raw.offset)
        .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
        .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
        .setStage(stage)
        .setReason(reason)
        .setFailedAt(Instant.now())
        .build();
  }
}
