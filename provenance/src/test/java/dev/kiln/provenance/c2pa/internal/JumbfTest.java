package dev.kiln.provenance.c2pa.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class JumbfTest {
  private static final HexFormat HEX = HexFormat.of();

  /**
   * The C2PA specification's manifest store box ("C2PA box details"): a jumb superbox whose first box
   * is a jumd description box with the c2pa UUID, toggles 0x03 (requestable, label present) and the
   * NUL-terminated label "c2pa"; here with one cbor content box holding the CBOR map {}.
   */
  @Test
  void writesTheManifestStoreBoxLayoutOfTheSpecification() {
    byte[] box = Jumbf.superBox(Jumbf.MANIFEST_STORE_UUID, "c2pa", Jumbf.cborBox(new byte[] {(byte) 0xa0}));
    String expected = "0000002f" + "6a756d62" // LBox 47, 'jumb'
        + "0000001e" + "6a756d64" // LBox 30, 'jumd'
        + "6332706100110010800000aa00389b71" // UUID 'c2pa' + ISO base
        + "03" // toggles
        + "6332706100" // "c2pa\0"
        + "00000009" + "63626f72" + "a0"; // LBox 9, 'cbor', {}
    assertThat(HEX.formatHex(box)).isEqualTo(expected);
  }

  @Test
  void superBoxPayloadIsTheBoxWithoutItsHeader() {
    byte[] content = Jumbf.cborBox(new byte[] {1, 2, 3});
    byte[] box = Jumbf.superBox(Jumbf.CBOR_UUID, "c2pa.hash.data", content);
    byte[] payload = Jumbf.superBoxPayload(Jumbf.CBOR_UUID, "c2pa.hash.data", content);
    assertThat(box.length).isEqualTo(payload.length + 8);
    assertThat(java.util.Arrays.copyOfRange(box, 8, box.length)).isEqualTo(payload);
  }

  @Test
  void parsesWhatItWrites() {
    byte[] assertion = Jumbf.superBox(Jumbf.CBOR_UUID, "c2pa.actions.v2", Jumbf.cborBox(new byte[] {(byte) 0xa0}));
    byte[] store = Jumbf.superBox(Jumbf.MANIFEST_STORE_UUID, "c2pa",
        Jumbf.superBox(Jumbf.MANIFEST_UUID, "urn:c2pa:1234",
            Jumbf.superBox(Jumbf.ASSERTION_STORE_UUID, "c2pa.assertions", assertion)));
    Jumbf.Box root = Jumbf.parse(store);
    assertThat(root.label()).isEqualTo("c2pa");
    assertThat(root.uuid()).isEqualTo(Jumbf.MANIFEST_STORE_UUID);
    Jumbf.Box a = root.child("urn:c2pa:1234").orElseThrow().child("c2pa.assertions").orElseThrow()
        .child("c2pa.actions.v2").orElseThrow();
    assertThat(a.uuid()).isEqualTo(Jumbf.CBOR_UUID);
    assertThat(a.content("cbor")).hasValueSatisfying(c -> assertThat(c).containsExactly(0xa0));
    assertThat(a.payload()).isEqualTo(java.util.Arrays.copyOfRange(assertion, 8, assertion.length));
  }

  @Test
  void rejectsABoxWhoseSizeRunsPastTheEnd() {
    byte[] box = Jumbf.cborBox(new byte[] {1});
    box[3] = 100;
    assertThatThrownBy(() -> Jumbf.parse(box)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
  }
}
