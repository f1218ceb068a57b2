package dev.kiln.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  @Test
  void keepsTheRecordWholeWithItsPosition() {
    byte[] value = {1, 2, 3};
    DeadLetter dl = DeadLetters.of(new RawRecord("kiln.requests", 1, 42, "k".getBytes(StandardCharsets.UTF_8), value),
        "decode", "why");

    assertThat(dl.getSourceTopic()).isEqualTo("kiln.requests");
    assertThat(dl.getSourcePartition()).isEqualTo(1);
    assertThat(dl.getSourceOffset()).isEqualTo(42);
    assertThat(dl.getValue().array()).isEqualTo(value);
    assertThat(dl.getReason()).isEqualTo("why");
  }

  @Test
  void cutsALongReasonSayingHowMuchWasCut() {
    String reason = "x".repeat(2_000_000);
    DeadLetter dl = DeadLetters.of(new RawRecord("t", 0, 1, null, new byte[1]), "validate", reason);

    assertThat(dl.getReason()).hasSize(DeadLetters.MAX_REASON_CHARS + "... (1996000 more characters)".length())
        .endsWith("... (1996000 more characters)");
  }

  @Test
  void keepsTheStartOfAValueTooLargeForTheDeadLetterTopic() {
    byte[] value = new byte[900 * 1024];
    value[0] = 7;
    byte[] key = new byte[300 * 1024];
    DeadLetter dl = DeadLetters.of(new RawRecord("t", 0, 1, key, value), "decode", "record too large");

    assertThat(dl.getValue().remaining()).isEqualTo(DeadLetters.MAX_KEPT_BYTES);
    assertThat(dl.getValue().get(0)).isEqualTo((byte) 7);
    assertThat(dl.getKey().remaining()).isEqualTo(DeadLetters.MAX_KEPT_BYTES);
    assertThat(dl.getReason()).isEqualTo("record too large; the dead letter keeps the first 262144 of the key's"
        + " 307200 bytes; the dead letter keeps the first 262144 of the value's 921600 bytes");
    assertThat(Codecs.DEAD_LETTER.encode(dl).length).as("fits Kafka's default 1 MB record").isLessThan(1_000_000);
  }
}
