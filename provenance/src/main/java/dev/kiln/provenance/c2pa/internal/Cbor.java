package dev.kiln.provenance.c2pa.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * CBOR through Jackson's CBOR module. Writing goes through the streaming generator rather than
 * databind so that every map and array has a definite length and the field order is the one C2PA's
 * CDDL and c2pa-rs use: the bytes are hashed and signed, so they must not depend on a serializer's
 * choices. Integers are written in their shortest form.
 */
public final class Cbor {
  private static final CBORFactory FACTORY = new CBORFactory();
  private static final CBORMapper MAPPER = new CBORMapper(FACTORY);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
  private final CBORGenerator gen;

  private Cbor() {
    try {
      gen = FACTORY.createGenerator(out);
      gen.enable(CBORGenerator.Feature.WRITE_MINIMAL_INTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new writer for one CBOR data item. */
  public static Cbor writer() {
    return new Cbor();
  }

  /** Parses one CBOR data item; maps with integer keys get those keys as decimal strings. */
  public static JsonNode read(byte[] cbor) {
    try {
      return MAPPER.readTree(cbor);
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid CBOR: " + e.getMessage(), e);
    }
  }

  public Cbor map(int entries) {
    return run(() -> gen.writeStartObject(entries));
  }

  public Cbor endMap() {
    return run(gen::writeEndObject);
  }

  public Cbor array(int elements) {
    return run(() -> gen.writeStartArray(null, elements));
  }

  public Cbor endArray() {
    return run(gen::writeEndArray);
  }

  public Cbor key(String name) {
    return run(() -> gen.writeFieldName(name));
  }

  public Cbor key(long id) {
    return run(() -> gen.writeFieldId(id));
  }

  public Cbor text(String value) {
    return run(() -> gen.writeString(value));
  }

  public Cbor bytes(byte[] value) {
    return run(() -> gen.writeBinary(value));
  }

  public Cbor integer(long value) {
    return run(() -> gen.writeNumber(value));
  }

  public Cbor float32(float value) {
    return run(() -> gen.writeNumber(value));
  }

  public Cbor nil() {
    return run(gen::writeNull);
  }

  public Cbor tag(int tag) {
    return run(() -> gen.writeTag(tag));
  }

  /** The encoded item; the writer is finished afterwards. */
  public byte[] toBytes() {
    run(gen::close);
    return out.toByteArray();
  }

  private Cbor run(IoAction action) {
    try {
      action.run();
    } catch (IOException e) {
      // Only a programming error (unbalanced maps) gets here: the target is a byte array.
      throw new UncheckedIOException(e);
    }
    return this;
  }

  private interface IoAction {
    void run() throws IOException;
  }
}
