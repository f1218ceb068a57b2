package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class CodecsTest {
  static RenderRequest request() {
    return RenderRequest.newBuilder()
        .setRequestId("r-1")
        .setTenant("acme")
        .setBatchId("b-1")
        .setPrompt("a large red circle on a blue background")
        .setLabels(Map.of("sku", "123"))
        .setSubmittedAt(Instant.ofEpochMilli(1_700_000_000_000L))
        .build();
  }

  @Test
  void roundTripsARequestWithSchemaDefaults() throws InvalidRecordException {
    byte[] bytes = Codecs.REQUEST.encode(request());
    assertThat(bytes[0] & 0xff).isEqualTo(0xC3);
    assertThat(bytes[1] & 0xff).isEqualTo(0x01);
    RenderRequest back = Codecs.REQUEST.decode(bytes);
    assertThat(back).isEqualTo(request());
    assertThat(back.getModel()).isEqualTo("kiln-tiny");
    assertThat(back.getWidth()).isEqualTo(64);
    assertThat(back.getSeed()).isNull();
  }

  @Test
  void rejectsRandomBytesWithAReason() {
    byte[] junk = new byte[40];
    new Random(1).nextBytes(junk);
    assertThatThrownBy(() -> Codecs.REQUEST.decode(junk))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("not Avro single-object encoding");
  }

  @Test
  void rejectsARecordOfAnotherSchema() {
    DeadLetter other = DeadLetter.newBuilder().setSourceTopic("t").setSourcePartition(0).setSourceOffset(1)
        .setStage("decode").setReason("x").setFailedAt(Instant.EPOCH).build();
    byte[] bytes = Codecs.DEAD_LETTER.encode(other);
    assertThatThrownBy(() -> Codecs.REQUEST.decode(bytes))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("unknown writer schema");
  }

  @Test
  void rejectsATruncatedBody() {
    byte[] bytes = Codecs.REQUEST.encode(request());
    byte[] truncated = Arrays.copyOf(bytes, 14);
    assertThatThrownBy(() -> Codecs.REQUEST.decode(truncated))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("corrupt RenderRequest");
  }

  @Test
  void rejectsEmptyAndNullValues() {
    assertThatThrownBy(() -> Codecs.REQUEST.decode(new byte[0])).hasMessageContaining("empty record");
    assertThatThrownBy(() -> Codecs.REQUEST.decode(null)).hasMessageContaining("empty record");
  }

  @Test
  void readsARequestOfTheFirstReleaseAsOneThatDoesNotAskForRerenders() throws Exception {
    Schema released;
    try (InputStream in = Codecs.class.getResourceAsStream("/dev/kiln/schemas/released/0.1.0/RenderRequest.avsc")) {
      released = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(released);
    old.put("requestId", "r-1");
    old.put("tenant", "acme");
    old.put("batchId", "b-1");
    old.put("prompt", "a red circle");
    old.put("labels", Map.of());
    old.put("submittedAt", 1_700_000_000_000L);
    for (Schema.Field f : released.getFields()) {
      if (old.get(f.name()) == null && f.hasDefaultValue()) {
        old.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released).encode(old);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);

    RenderRequest back = Codecs.REQUEST.decode(bytes);

    assertThat(back.getRequestId()).isEqualTo("r-1");
    assertThat(back.getRerenderNearDuplicates()).isFalse();
  }

  @Test
  void knowsTheReleasedSchemaVersions() {
    assertThat(Codecs.releasedVersions()).contains("0.1.0");
  }
}
