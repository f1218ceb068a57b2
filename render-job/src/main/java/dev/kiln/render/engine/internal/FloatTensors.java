package dev.kiln.render.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * Float tensors in the element type a graph declares: float32 as is, float16 (as optimum's
 * {@code --dtype fp16} exports write every float input and output) converted with ONNX Runtime's
 * {@link Fp16Conversions} (round to nearest even), so the engine's own arithmetic stays float32.
 */
final class FloatTensors {
  private FloatTensors() {}

  /**
   * @param onnxType {@link OnnxGraphInfo.TensorSpec#FLOAT} or {@link OnnxGraphInfo.TensorSpec#FLOAT16}
   */
  static NDArray create(NDManager manager, float[] values, Shape shape, int onnxType) {
    if (onnxType != OnnxGraphInfo.TensorSpec.FLOAT16) {
      return manager.create(values, shape);
    }
    ByteBuffer bytes = ByteBuffer.allocateDirect(values.length * 2).order(ByteOrder.nativeOrder());
    for (float v : values) {
      bytes.putShort(Fp16Conversions.floatToFp16(v));
    }
    bytes.rewind();
    return manager.create(bytes, shape, DataType.FLOAT16);
  }

  /** The values of a float32 or float16 array as float32. */
  static float[] toFloats(NDArray array) {
    if (array.getDataType() != DataType.FLOAT16) {
      return array.toFloatArray();
    }
    ShortBuffer halves = array.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
    float[] out = new float[halves.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Fp16Conversions.fp16ToFloat(halves.get(i));
    }
    return out;
  }
}
