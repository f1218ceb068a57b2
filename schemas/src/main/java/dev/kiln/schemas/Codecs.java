package dev.kiln.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;

/**
 * Avro single-object encoding for every Kiln topic: a 2-byte marker, the writer schema's
 * 8-byte fingerprint, then the binary record. No schema registry is needed; readers know
 * the current schema and every released one (see {@code released/} in this module's tests).
 *
 * <p>Decoders throw {@link InvalidRecordException} for anything that is not a record of the
 * expected type, so callers can dead-letter it with the reason.
 */
public final class Codecs {
  /**
   * Largest encoded record accepted: a dead letter carries a whole Kafka record (1 MB by the
   * broker's default), everything else is a few KB. Anything larger is refused unread.
   */
  public static final int MAX_RECORD_BYTES = 4 << 20;

  static {
    TrustedPackages.ensure();
  }

  private Codecs() {}

  private static final String RELEASED = "/dev/kiln/schemas/released/";

  public static final Codec<RenderRequest> REQUEST =
      new Codec<>(RenderRequest.class, RenderRequest.getClassSchema(), RenderRequest.getEncoder());
  public static final Codec<RenderedImage> IMAGE =
      new Codec<>(RenderedImage.class, RenderedImage.getClassSchema(), RenderedImage.getEncoder());
  public static final Codec<RenderResult> RESULT =
      new Codec<>(RenderResult.class, RenderResult.getClassSchema(), RenderResult.getEncoder());
  public static final Codec<DeadLetter> DEAD_LETTER =
      new Codec<>(DeadLetter.class, DeadLetter.getClassSchema(), DeadLetter.getEncoder());

  static {
    for (String version : releasedVersions()) {
      Schema.Parser parser = new Schema.Parser();
      parse(parser, version, "GenerationParams");
      parse(parser, version, "Verdict");
      REQUEST.addReleasedWriterSchema(parse(parser, version, "RenderRequest"));
      IMAGE.addReleasedWriterSchema(parse(parser, version, "RenderedImage"));
      RESULT.addReleasedWriterSchema(parse(parser, version, "RenderResult"));
      DEAD_LETTER.addReleasedWriterSchema(parse(parser, version, "DeadLetter"));
    }
  }

  /** The released schema versions kept in this jar, oldest first. */
  public static List<String> releasedVersions() {
    try (InputStream in = Codecs.class.getResourceAsStream(RELEASED + "versions.txt")) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read released schema versions", e);
    }
  }

  private static Schema parse(Schema.Parser parser, String version, String name) {
    String path = RELEASED + version + "/" + name + ".avsc";
    try (InputStream in = Codecs.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("released schema " + path + " is missing from the jar");
      }
      return parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read released schema " + path, e);
    }
  }

  /** Encoder and decoder for one record type. Thread-safe. */
  public static final class Codec<T> {
    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    Codec(Class<T> type, Schema schema, BinaryMessageEncoder<T> encoder) {
      this.type = type;
      this.encoder = encoder;
      this.decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(type), schema);
    }

    /** Accepts records written with an older released schema of this type as well. */
    void addReleasedWriterSchema(Schema writer) {
      decoder.addSchema(writer);
    }

    public byte[] encode(T value) {
      try {
        ByteBuffer buffer = encoder.encode(value);
        return Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(),
            buffer.arrayOffset() + buffer.limit());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
      }
    }

    public T decode(byte[] bytes) throws InvalidRecordException {
      if (bytes == null || bytes.length == 0) {
        throw new InvalidRecordException("empty record: expected an Avro single-object encoded "
            + type.getSimpleName());
      }
      if (bytes.length > MAX_RECORD_BYTES) {
        throw new InvalidRecordException("record too large: " + bytes.length + " bytes, more than the "
            + MAX_RECORD_BYTES + " a " + type.getSimpleName() + " may have");
      }
      AvroLimits.apply();
      try {
        return decoder.decode(bytes);
      } catch (BadHeaderException e) {
        throw new InvalidRecordException("not Avro single-object encoding (" + e.getMessage()
            + "): expected the marker C3 01 and a " + type.getSimpleName() + " schema fingerprint");
      } catch (MissingSchemaException e) {
        throw new InvalidRecordException("unknown writer schema (" + e.getMessage() + "): expected "
            + type.getSimpleName() + " " + type.getName() + " or one of its released versions");
      } catch (IOException | RuntimeException e) {
        // Avro reports truncated or corrupt bodies as EOFException, AvroRuntimeException,
        // ArrayIndexOutOfBounds or NegativeArraySize depending on where the bytes run out.
        throw new InvalidRecordException("corrupt " + type.getSimpleName() + " body: "
            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
      }
    }
  }
}
