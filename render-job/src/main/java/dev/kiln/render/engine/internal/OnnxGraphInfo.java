package dev.kiln.render.engine.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The declared inputs and outputs of an ONNX model, read from the file's protobuf without loading
 * the weights. DJL's ONNX Runtime engine exposes input names but not their element types, and
 * reading them here lets a broken model directory fail before any session is created, with a
 * message naming the file and tensor. Weight blobs are skipped by seeking, so a multi-gigabyte
 * UNet costs a few reads.
 *
 * @param inputs graph inputs that are not initializers, in declaration order
 * @param outputs graph outputs, in declaration order
 */
public record OnnxGraphInfo(List<TensorSpec> inputs, List<TensorSpec> outputs) {

  /**
   * One declared tensor.
   *
   * @param elementType ONNX {@code TensorProto.DataType} code (1 float, 6 int32, 7 int64, 10 float16, 11 double)
   * @param dims declared dimensions, {@code -1} where symbolic or unknown; empty for a scalar
   */
  public record TensorSpec(String name, int elementType, long[] dims) {
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int FLOAT16 = 10;
    public static final int DOUBLE = 11;

    public String typeName() {
      return switch (elementType) {
        case FLOAT -> "float32";
        case 2 -> "uint8";
        case 3 -> "int8";
        case 5 -> "int16";
        case INT32 -> "int32";
        case INT64 -> "int64";
        case 9 -> "bool";
        case FLOAT16 -> "float16";
        case DOUBLE -> "float64";
        case 16 -> "bfloat16";
        default -> "type#" + elementType;
      };
    }

    /** Declared size of axis {@code axis}, or -1 when symbolic or absent. */
    public long dim(int axis) {
      return axis < dims.length ? dims[axis] : -1;
    }

    @Override
    public String toString() {
      return name + ":" + typeName() + Arrays.toString(dims);
    }
  }

  public List<String> inputNames() {
    return inputs.stream().map(TensorSpec::name).toList();
  }

  public List<String> outputNames() {
    return outputs.stream().map(TensorSpec::name).toList();
  }

  public TensorSpec input(String name) {
    return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  public TensorSpec output(String name) {
    return outputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * Reads the graph signature of an ONNX file.
   *
   * @throws IOException when the file cannot be read or is not an ONNX ModelProto with a graph
   */
  public static OnnxGraphInfo read(Path file) throws IOException {
    try (FileReader in = new FileReader(file)) {
      while (in.hasMore(in.size())) {
        long tag = in.varint();
        if (tag >>> 3 == 7 && (tag & 7) == 2) { // ModelProto.graph
          long length = in.varint();
          return readGraph(in, in.position() + length);
        }
        in.skipField((int) (tag & 7));
      }
    } catch (IllegalStateException | IllegalArgumentException | ArithmeticException | BufferUnderflowException
        | EOFException e) {
      throw new IOException("not an ONNX model (" + e.getMessage() + ")", e);
    }
    throw new IOException("not an ONNX model: no graph found");
  }

  private static OnnxGraphInfo readGraph(FileReader in, long end) throws IOException {
    List<TensorSpec> inputs = new ArrayList<>();
    List<TensorSpec> outputs = new ArrayList<>();
    Set<String> initializers = new HashSet<>();
    while (in.hasMore(end)) {
      long tag = in.varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if ((field == 11 || field == 12) && wire == 2) { // GraphProto.input / output: ValueInfoProto
        TensorSpec spec = valueInfo(ByteBuffer.wrap(in.bytes(Math.toIntExact(in.varint()))));
        (field == 11 ? inputs : outputs).add(spec);
      } else if (field == 5 && wire == 2) { // GraphProto.initializer: TensorProto, name is field 8
        long tensorEnd = in.varint() + in.position();
        while (in.hasMore(tensorEnd)) {
          long t = in.varint();
          if (t >>> 3 == 8 && (t & 7) == 2) {
            initializers.add(new String(in.bytes(Math.toIntExact(in.varint())), StandardCharsets.UTF_8));
          } else {
            in.skipField((int) (t & 7));
          }
        }
      } else {
        in.skipField(wire);
      }
    }
    // Before IR version 4, initializers were also listed as graph inputs; ONNX Runtime does not feed them.
    List<TensorSpec> fed = inputs.stream().filter(s -> !initializers.contains(s.name())).collect(Collectors.toList());
    return new OnnxGraphInfo(List.copyOf(fed), List.copyOf(outputs));
  }

  /** ValueInfoProto: name = 1, type = 2 (TypeProto.tensor_type = 1: elem_type = 1, shape = 2). */
  private static TensorSpec valueInfo(ByteBuffer b) {
    String name = "";
    int elementType = 0;
    List<Long> dims = new ArrayList<>();
    while (b.hasRemaining()) {
      long tag = varint(b);
      if (tag >>> 3 == 1 && (tag & 7) == 2) {
        name = new String(bytes(b), StandardCharsets.UTF_8);
      } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
        ByteBuffer type = ByteBuffer.wrap(bytes(b));
        while (type.hasRemaining()) {
          long t = varint(type);
          if (t >>> 3 == 1 && (t & 7) == 2) {
            ByteBuffer tensor = ByteBuffer.wrap(bytes(type));
            while (tensor.hasRemaining()) {
              long f = varint(tensor);
              if (f >>> 3 == 1 && (f & 7) == 0) {
                elementType = (int) varint(tensor);
              } else if (f >>> 3 == 2 && (f & 7) == 2) {
                ByteBuffer shape = ByteBuffer.wrap(bytes(tensor));
                while (shape.hasRemaining()) {
                  long s = varint(shape);
                  if (s >>> 3 == 1 && (s & 7) == 2) {
                    dims.add(dimension(ByteBuffer.wrap(bytes(shape))));
                  } else {
                    skip(shape, (int) (s & 7));
                  }
                }
              } else {
                skip(tensor, (int) (f & 7));
              }
            }
          } else {
            skip(type, (int) (t & 7));
          }
        }
      } else {
        skip(b, (int) (tag & 7));
      }
    }
    return new TensorSpec(name, elementType, dims.stream().mapToLong(Long::longValue).toArray());
  }

  /** TensorShapeProto.Dimension: dim_value = 1 (int64), dim_param = 2 (string). */
  private static long dimension(ByteBuffer b) {
    long value = -1;
    while (b.hasRemaining()) {
      long tag = varint(b);
      if (tag >>> 3 == 1 && (tag & 7) == 0) {
        value = varint(b);
      } else {
        skip(b, (int) (tag & 7));
      }
    }
    return value;
  }

  private static long varint(ByteBuffer b) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!b.hasRemaining()) {
        throw new IllegalStateException("truncated varint");
      }
      byte x = b.get();
      result |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalStateException("malformed varint");
  }

  private static byte[] bytes(ByteBuffer b) {
    int n = Math.toIntExact(varint(b));
    if (n < 0 || n > b.remaining()) {
      throw new IllegalStateException("length " + n + " exceeds message");
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  private static void skip(ByteBuffer b, int wire) {
    switch (wire) {
      case 0 -> varint(b);
      case 1 -> b.position(b.position() + 8);
      case 2 -> {
        int length = Math.toIntExact(varint(b));
        b.position(b.position() + length);
      }
      case 5 -> b.position(b.position() + 4);
      default -> throw new IllegalStateException("unsupported wire type " + wire);
    }
  }

  /** Sequential protobuf reading over a file, seeking over skipped fields instead of reading them. */
  private static final class FileReader implements AutoCloseable {
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long bufferStart;
    private long position;

    FileReader(Path file) throws IOException {
      channel = FileChannel.open(file, StandardOpenOption.READ);
      size = channel.size();
      buffer.limit(0);
    }

    long size() {
      return size;
    }

    long position() {
      return position;
    }

    boolean hasMore(long end) {
      if (end > size) {
        throw new IllegalStateException("message runs past the end of the file");
      }
      return position < end;
    }

    int read() throws IOException {
      long offset = position - bufferStart;
      if (offset < 0 || offset >= buffer.limit()) {
        fill();
        offset = 0;
      }
      position++;
      return buffer.get((int) offset) & 0xFF;
    }

    private void fill() throws IOException {
      buffer.clear();
      bufferStart = position;
      channel.position(position);
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // keep reading until the buffer is full or the file ends
      }
      buffer.flip();
      if (buffer.limit() == 0) {
        throw new EOFException("unexpected end of file at offset " + position);
      }
    }

    long varint() throws IOException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = read();
        result |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalStateException("malformed varint at offset " + position);
    }

    byte[] bytes(int n) throws IOException {
      if (n < 0 || position + n > size) {
        throw new IllegalStateException("length " + n + " runs past the end of the file");
      }
      byte[] out = new byte[n];
      for (int i = 0; i < n; i++) {
        out[i] = (byte) read();
      }
      return out;
    }

    void skipField(int wire) throws IOException {
      switch (wire) {
        case 0 -> varint();
        case 1 -> position += 8;
        case 2 -> {
          long length = varint(); // read before adding: "position += varint()" would add to the old position
          position += length;
        }
        case 5 -> position += 4;
        default -> throw new IllegalStateException("unsupported wire type " + wire + " at offset " + position);
      }
      if (position > size) {
        throw new IllegalStateException("field runs past the end of the file");
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
