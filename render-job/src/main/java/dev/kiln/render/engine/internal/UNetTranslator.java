package dev.kiln.render.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.Arrays;

/**
 * One UNet call: feeds {@code sample}, {@code timestep} and {@code encoder_hidden_states} and
 * returns {@code out_sample} as a flat array shaped like the sample. The timestep is written in the
 * element type and shape the model declares: float32, float16, float64, int32 or int64 (truncated,
 * as diffusers' ONNX pipeline casts with numpy), as a scalar, {@code [1]} or {@code [B]}. Sample,
 * context and output are float32 or float16, each as the model declares it.
 */
public final class UNetTranslator implements NoBatchifyTranslator<UNetInput, float[]> {
  public static final String SAMPLE = "sample";
  public static final String TIMESTEP = "timestep";
  public static final String CONTEXT = "encoder_hidden_states";
  public static final String OUTPUT = "out_sample";

  /** How the model declares its timestep input. */
  public enum TimestepShape { SCALAR, ONE, BATCH }

  private final int sampleType;
  private final int timestepType;
  private final TimestepShape timestepShape;
  private final int contextType;

  /**
   * @param sampleType ONNX element type of {@code sample} (see {@link OnnxGraphInfo.TensorSpec})
   * @param timestepType ONNX element type of {@code timestep}
   * @param contextType ONNX element type of {@code encoder_hidden_states}
   */
  public UNetTranslator(int sampleType, int timestepType, TimestepShape timestepShape, int contextType) {
    this.sampleType = sampleType;
    this.timestepType = timestepType;
    this.timestepShape = timestepShape;
    this.contextType = contextType;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, UNetInput in) {
    NDManager manager = ctx.getNDManager();
    NDArray sample = FloatTensors.create(manager, in.sample(),
        new Shape(in.batch(), in.channels(), in.height(), in.width()), sampleType);
    sample.setName(SAMPLE);
    TextEmbeddings c = in.context();
    NDArray context = FloatTensors.create(manager, c.values(), new Shape(c.batch(), c.length(), c.dim()),
        contextType);
    context.setName(CONTEXT);
    NDArray timestep = timestep(manager, in.timestep(), in.batch());
    timestep.setName(TIMESTEP);
    return new NDList(sample, timestep, context);
  }

  private NDArray timestep(NDManager manager, float t, int batch) {
    Shape shape = switch (timestepShape) {
      case SCALAR -> new Shape();
      case ONE -> new Shape(1);
      case BATCH -> new Shape(batch);
    };
    int n = (int) Math.max(1, shape.size());
    return switch (timestepType) {
      case OnnxGraphInfo.TensorSpec.INT64 -> {
        long[] v = new long[n];
        Arrays.fill(v, (long) t);
        yield manager.create(v, shape);
      }
      case OnnxGraphInfo.TensorSpec.INT32 -> {
        int[] v = new int[n];
        Arrays.fill(v, (int) t);
        yield manager.create(v, shape);
      }
      case OnnxGraphInfo.TensorSpec.DOUBLE -> {
        double[] v = new double[n];
        Arrays.fill(v, t);
        yield manager.create(v, shape);
      }
      default -> {
        float[] v = new float[n];
        Arrays.fill(v, t);
        yield FloatTensors.create(manager, v, shape, timestepType);
      }
    };
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    return FloatTensors.toFloats(OnnxOutputs.named(list, OUTPUT));
  }
}
