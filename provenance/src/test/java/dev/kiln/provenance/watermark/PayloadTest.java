package dev.kiln.provenance.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PayloadTest {
  @Test
  void bitsRoundTrip() {
    Payload p = new Payload(0xBEEF, 0xA1B2C3D4E5F6L);
    boolean[] bits = p.toBits();
    assertEquals(64, bits.length);
    assertTrue(bits[0]); // 0xB... starts with 1
    assertEquals(p, Payload.fromBits(bits));
  }

  @Test
  void hashesTheImageIdWithSha256() {
    // SHA-256("abc") = ba7816bf8f01cfea...
    assertEquals(0xBA7816BF8F01L, Payload.hashImageId("abc"));
    Payload p = Payload.of(3, "req-1-0");
    assertTrue(p.matchesImageId("req-1-0"));
    assertFalse(p.matchesImageId("req-1-1"));
  }

  @Test
  void rejectsValuesThatDoNotFit() {
    assertThrows(IllegalArgumentException.class, () -> new Payload(65536, 0));
    assertThrows(IllegalArgumentException.class, () -> new Payload(1, 1L << 48));
  }

  @Test
  void textFormIsStableAndReadsBack() {
    Payload p = new Payload(1, 0x3FA2C1D4E5F6L);
    assertEquals("kiln-wm1:0001:3fa2c1d4e5f6", p.toText());
    assertEquals(p, Payload.fromText("kiln-wm1:0001:3fa2c1d4e5f6"));
    Payload edge = new Payload(0xFFFF, 0);
    assertEquals("kiln-wm1:ffff:000000000000", edge.toText());
    assertEquals(edge, Payload.fromText(edge.toText()));
  }

  @Test
  void rejectsTextNotInTheStableForm() {
    for (String bad : new String[] {"", "key 1, image hash 3fa2c1d4e5f6", "kiln-wm1:1:3fa2c1d4e5f6",
        "kiln-wm1:0001:3FA2C1D4E5F6", "kiln-wm2:0001:3fa2c1d4e5f6", "kiln-wm1:0001:3fa2c1d4e5f6 "}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Payload.fromText(bad), bad);
      assertTrue(e.getMessage().contains("kiln-wm1:KKKK:HHHHHHHHHHHH"), e.getMessage());
    }
  }
}
