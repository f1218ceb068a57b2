package dev.kiln.provenance.c2pa.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The PNG chunk layer: find, remove and insert the {@code caBX} chunk that holds a C2PA manifest
 * store. Kiln never decodes pixels here; it copies the other chunks byte for byte.
 */
public final class Png {
  public static final String C2PA_CHUNK = "caBX";
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** Length, type and CRC around a chunk's data. */
  public static final int CHUNK_OVERHEAD = 12;

  private Png() {}

  /** A chunk at {@code offset} (where its length field starts) whose data is {@code length} bytes. */
  public record Chunk(String type, int offset, int length) {
    public int end() {
      return offset + CHUNK_OVERHEAD + length;
    }

    public int dataOffset() {
      return offset + 8;
    }
  }

  /** The chunks of {@code png}, in file order; fails when it is not a well-framed PNG starting with IHDR. */
  public static List<Chunk> chunks(byte[] png) {
    if (png.length < SIGNATURE.length || !Arrays.equals(png, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw new IllegalArgumentException("not a PNG: the 8-byte PNG signature is missing");
    }
    List<Chunk> chunks = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(png);
    int pos = SIGNATURE.length;
    while (pos < png.length) {
      if (png.length - pos < CHUNK_OVERHEAD) {
        throw new IllegalArgumentException("not a PNG: truncated chunk at byte " + pos);
      }
      long length = Integer.toUnsignedLong(in.getInt(pos));
      if (length > png.length - pos - CHUNK_OVERHEAD) {
        throw new IllegalArgumentException("not a PNG: chunk at byte " + pos + " runs past the end");
      }
      String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
      chunks.add(new Chunk(type, pos, (int) length));
      pos += CHUNK_OVERHEAD + (int) length;
      if ("IEND".equals(type)) {
        break;
      }
    }
    if (chunks.isEmpty() || !"IHDR".equals(chunks.get(0).type())) {
      throw new IllegalArgumentException("not a PNG: the first chunk is not IHDR");
    }
    return chunks;
  }

  /** The first {@code caBX} chunk, if any. */
  public static Optional<Chunk> c2paChunk(byte[] png) {
    return chunks(png).stream().filter(c -> C2PA_CHUNK.equals(c.type())).findFirst();
  }

  /** {@code png} without any {@code caBX} chunk. */
  public static byte[] withoutC2pa(byte[] png) {
    List<Chunk> chunks = chunks(png);
    if (chunks.stream().noneMatch(c -> C2PA_CHUNK.equals(c.type()))) {
      return png;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
    out.write(png, 0, SIGNATURE.length);
    int last = SIGNATURE.length;
    for (Chunk c : chunks) {
      if (!C2PA_CHUNK.equals(c.type())) {
        out.write(png, c.offset(), c.end() - c.offset());
      }
      last = c.end();
    }
    out.write(png, last, png.length - last);
    return out.toByteArray();
  }

  /** Where a chunk inserted after IHDR starts: c2pa-rs puts {@code caBX} there. */
  public static int afterIhdr(byte[] png) {
    return chunks(png).get(0).end();
  }

  /** {@code png} with a chunk of {@code type} holding {@code data} inserted at byte {@code at}. */
  public static byte[] insertChunk(byte[] png, int at, String type, byte[] data) {
    byte[] chunk = chunk(type, data);
    byte[] out = new byte[png.length + chunk.length];
    System.arraycopy(png, 0, out, 0, at);
    System.arraycopy(chunk, 0, out, at, chunk.length);
    System.arraycopy(png, at, out, at + chunk.length, png.length - at);
    return out;
  }

  /** A framed chunk: length, type, data, CRC-32 over type and data. */
  public static byte[] chunk(String type, byte[] data) {
    byte[] fourcc = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(fourcc);
    crc.update(data);
    return ByteBuffer.allocate(CHUNK_OVERHEAD + data.length)
        .putInt(data.length)
        .put(fourcc)
        .put(data)
        .putInt((int) crc.getValue())
        .array();
  }
}
