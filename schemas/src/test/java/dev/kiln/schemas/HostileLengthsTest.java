package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Records that declare lengths near 2^31 are refused by the limit, not by running out of memory:
 * Avro would otherwise allocate what the record declares before reading a byte of it.
 */
class HostileLengthsTest {
  /** A valid request's 10-byte header, then {@code body}. */
  private static byte[] withBody(byte[] body) {
    byte[] valid = Codecs.REQUEST.encode(CodecsTest.request());
    byte[] out = Arrays.copyOf(valid, 10 + body.length);
    System.arraycopy(body, 0, out, 10, body.length);
    return out;
  }

  private static byte[] varint(long n) {
    return SmallHeapDecode.varint(n);
  }

  @Test
  void refusesAStringThatDeclaresNearlyTwoGigabytes() {
    byte[] hostile = withBody(varint(Integer.MAX_VALUE - 8));
    assertThatThrownBy(() -> Codecs.REQUEST.decode(hostile))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("String length")
        .hasMessageContaining("exceeds");
  }

  @Test
  void refusesANegativeStringLength() {
    byte[] hostile = withBody(varint(-5));
    assertThatThrownBy(() -> Codecs.REQUEST.decode(hostile)).isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("corrupt RenderRequest body");
  }

  @Test
  void refusesARecordLargerThanTheLimitUnread() {
    byte[] hostile = withBody(new byte[Codecs.MAX_RECORD_BYTES]);
    assertThatThrownBy(() -> Codecs.REQUEST.decode(hostile)).isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("record too large");
  }

  @Test
  void theLimitsAreInForceAfterTheFirstDecode() throws InvalidRecordException {
    Codecs.REQUEST.decode(Codecs.REQUEST.encode(CodecsTest.request()));
    assertThat(Integer.getInteger(org.apache.avro.SystemLimitException.MAX_STRING_LENGTH_PROPERTY))
        .isEqualTo(AvroLimits.MAX_STRING_BYTES);
    assertThatThrownBy(() -> org.apache.avro.SystemLimitException.checkMaxStringLength(AvroLimits.MAX_STRING_BYTES + 1L))
        .isInstanceOf(org.apache.avro.SystemLimitException.class);
  }
}
