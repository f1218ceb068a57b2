package dev.kiln.provenance.c2pa.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * JUMBF (ISO/IEC 19566-5) as C2PA uses it: superboxes ({@code jumb}) that start with a description
 * box ({@code jumd}: type UUID, toggles, label) and hold content boxes ({@code cbor}, ...) or further
 * superboxes. Hand-written because no maintained Java library writes JUMBF, and because C2PA hashes
 * these exact bytes; it is small: a box is a 32-bit big-endian size, a four-character type and a
 * payload.
 */
public final class Jumbf {
  /** C2PA's JUMBF type UUIDs (C2PA specification, "C2PA box details"). */
  public static final byte[] MANIFEST_STORE_UUID = uuid("6332706100110010800000AA00389B71"); // c2pa

  public static final byte[] MANIFEST_UUID = uuid("63326D6100110010800000AA00389B71"); // c2ma
  public static final byte[] ASSERTION_STORE_UUID = uuid("6332617300110010800000AA00389B71"); // c2as
  public static final byte[] CLAIM_UUID = uuid("6332636C00110010800000AA00389B71"); // c2cl
  public static final byte[] SIGNATURE_UUID = uuid("6332637300110010800000AA00389B71"); // c2cs
  public static final byte[] CBOR_UUID = uuid("63626F7200110010800000AA00389B71"); // cbor

  /** Toggles of every description box Kiln writes: requestable, label present. */
  private static final int TOGGLES_REQUESTABLE_LABELLED = 0x03;

  private static final int LABEL_PRESENT = 0x02;
  private static final int ID_PRESENT = 0x04;
  private static final int SIGNATURE_PRESENT = 0x08;
  private static final int PRIVATE_PRESENT = 0x10;

  private Jumbf() {}

  /** A parsed box: a superbox has a description and children, a content box only a payload. */
  public record Box(String type, byte[] uuid, String label, List<Box> children, byte[] payload) {
    /** The first child superbox with this label. */
    public Optional<Box> child(String childLabel) {
      return children.stream().filter(b -> childLabel.equals(b.label())).findFirst();
    }

    /** The payload of the first content box of this type inside this superbox. */
    public Optional<byte[]> content(String contentType) {
      return children.stream().filter(b -> contentType.equals(b.type())).map(Box::payload).findFirst();
    }

    public boolean isSuperBox() {
      return "jumb".equals(type);
    }
  }

  /** A {@code jumb} superbox: a description box with {@code uuid} and {@code label}, then the children. */
  public static byte[] superBox(byte[] uuid, String label, byte[]... children) {
    return box("jumb", superBoxPayload(uuid, label, children));
  }

  /**
   * The payload of a superbox (everything after its 8-byte header): the description box and the
   * children. C2PA's hashed URIs hash exactly these bytes (c2pa-rs {@code calc_assertion_box_hash}
   * writes {@code super_box().write_box_payload}).
   */
  public static byte[] superBoxPayload(byte[] uuid, String label, byte[]... children) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(descriptionBox(uuid, label));
    for (byte[] child : children) {
      out.writeBytes(child);
    }
    return out.toByteArray();
  }

  /** A {@code cbor} content box. */
  public static byte[] cborBox(byte[] cbor) {
    return box("cbor", cbor);
  }

  /** A box of {@code type} around {@code payload}. */
  public static byte[] box(String type, byte[] payload) {
    byte[] fourcc = type.getBytes(StandardCharsets.US_ASCII);
    if (fourcc.length != 4) {
      throw new IllegalArgumentException("box type must be 4 characters: " + type);
    }
    return ByteBuffer.allocate(8 + payload.length).putInt(8 + payload.length).put(fourcc).put(payload).array();
  }

  private static byte[] descriptionBox(byte[] uuid, String label) {
    byte[] name = label.getBytes(StandardCharsets.UTF_8);
    ByteBuffer payload = ByteBuffer.allocate(16 + 1 + name.length + 1);
    payload.put(uuid).put((byte) TOGGLES_REQUESTABLE_LABELLED).put(name).put((byte) 0);
    return box("jumd", payload.array());
  }

  /** Parses one top-level box, which must span all of {@code data}. */
  public static Box parse(byte[] data) {
    List<Box> boxes = parseAll(ByteBuffer.wrap(data));
    if (boxes.size() != 1) {
      throw new IllegalArgumentException("expected one JUMBF box, found " + boxes.size());
    }
    return boxes.get(0);
  }

  private static List<Box> parseAll(ByteBuffer in) {
    List<Box> boxes = new ArrayList<>();
    while (in.hasRemaining()) {
      if (in.remaining() < 8) {
        throw new IllegalArgumentException("truncated JUMBF box header");
      }
      long size = Integer.toUnsignedLong(in.getInt());
      byte[] fourcc = new byte[4];
      in.get(fourcc);
      String type = new String(fourcc, StandardCharsets.US_ASCII);
      if (size < 8 || size - 8 > in.remaining()) {
        throw new IllegalArgumentException("JUMBF box '" + type + "' has a bad size " + size);
      }
      byte[] payload = new byte[(int) size - 8];
      in.get(payload);
      boxes.add("jumb".equals(type) ? parseSuperBox(payload) : new Box(type, null, null, List.of(), payload));
    }
    return boxes;
  }

  private static Box parseSuperBox(byte[] payload) {
    List<Box> parts = parseAll(ByteBuffer.wrap(payload));
    if (parts.isEmpty() || !"jumd".equals(parts.get(0).type())) {
      throw new IllegalArgumentException("JUMBF superbox does not start with a jumd description box");
    }
    ByteBuffer d = ByteBuffer.wrap(parts.get(0).payload());
    if (d.remaining() < 17) {
      throw new IllegalArgumentException("truncated jumd description box");
    }
    byte[] uuid = new byte[16];
    d.get(uuid);
    int toggles = d.get() & 0xff;
    String label = null;
    if ((toggles & LABEL_PRESENT) != 0) {
      int start = d.position();
      while (d.hasRemaining() && d.get() != 0) {
        // scan to the label's NUL terminator
      }
      byte[] bytes = parts.get(0).payload();
      label = new String(bytes, start, Math.max(0, d.position() - start - 1), StandardCharsets.UTF_8);
    }
    // ID, signature and private (salt) fields follow the label; Kiln reads none of them.
    if ((toggles & ~(0x01 | LABEL_PRESENT | ID_PRESENT | SIGNATURE_PRESENT | PRIVATE_PRESENT)) != 0) {
      throw new IllegalArgumentException("unknown jumd toggles " + toggles);
    }
    return new Box("jumb", uuid, label, List.copyOf(parts.subList(1, parts.size())), payload);
  }

  private static byte[] uuid(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
