package dev.kiln.render.engine;

import ai.djl.Device;
import dev.kiln.render.engine.internal.Schedulers;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to load a {@link DiffusionEngine}. Build with {@link #builder()}: {@code set*} for required
 * settings, {@code opt*} for optional ones; {@link Builder#build()} checks them.
 *
 * <pre>{@code
 * EngineOptions options = EngineOptions.builder()
 *     .setModelDir(Path.of("models/kiln-tiny"))
 *     .optDevice(Device.gpu(0))        // default Device.cpu()
 *     .optIntraOpThreads(2)            // default: ONNX Runtime's (one per physical core)
 *     .build();
 * }</pre>
 */
public final class EngineOptions {
  private final Path modelDir;
  private final Device device;
  private final Integer intraOpThreads;
  private final Integer interOpThreads;
  private final String scheduler;

  private EngineOptions(Builder b) {
    this.modelDir = b.modelDir;
    this.device = b.device;
    this.intraOpThreads = b.intraOpThreads;
    this.interOpThreads = b.interOpThreads;
    this.scheduler = b.scheduler;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The diffusers ONNX model directory. */
  public Path modelDir() {
    return modelDir;
  }

  /** Where the models run: {@code Device.cpu()} or {@code Device.gpu(id)}. */
  public Device device() {
    return device;
  }

  /** ONNX Runtime threads within one operator, when set. */
  public OptionalInt intraOpThreads() {
    return intraOpThreads == null ? OptionalInt.empty() : OptionalInt.of(intraOpThreads);
  }

  /** ONNX Runtime threads across operators, when set (only matters in parallel execution mode). */
  public OptionalInt interOpThreads() {
    return interOpThreads == null ? OptionalInt.empty() : OptionalInt.of(interOpThreads);
  }

  /** A scheduler class that replaces the one named in {@code scheduler_config.json}, when set. */
  public Optional<String> scheduler() {
    return Optional.ofNullable(scheduler);
  }

  @Override
  public String toString() {
    return "EngineOptions[modelDir=" + modelDir + ", device=" + device + ", intraOpThreads=" + intraOpThreads
        + ", interOpThreads=" + interOpThreads + ", scheduler=" + scheduler + "]";
  }

  /** Builder for {@link EngineOptions}; not thread-safe. */
  public static final class Builder {
    private Path modelDir;
    private Device device = Device.cpu();
    private Integer intraOpThreads;
    private Integer interOpThreads;
    private String scheduler;

    private Builder() {}

    /** Required: the model directory in the diffusers ONNX layout. */
    public Builder setModelDir(Path modelDir) {
      this.modelDir = modelDir;
      return this;
    }

    /** Optional: the device, {@code Device.cpu()} by default. */
    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    /** Optional: ONNX Runtime intra-op threads; unset keeps ONNX Runtime's default. */
    public Builder optIntraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /** Optional: ONNX Runtime inter-op threads; unset keeps ONNX Runtime's default. */
    public Builder optInterOpThreads(int threads) {
      this.interOpThreads = threads;
      return this;
    }

    /**
     * Optional: a diffusers scheduler class to use instead of the model's own, keeping the model's
     * beta and spacing settings (e.g. {@code EulerDiscreteScheduler} for an SD 1.5 export).
     */
    public Builder optScheduler(String className) {
      this.scheduler = className;
      return this;
    }

    /**
     * @throws IllegalArgumentException with a message that says how to fix the setting
     */
    public EngineOptions build() {
      if (modelDir == null) {
        throw new IllegalArgumentException("EngineOptions requires a model directory: call setModelDir(path)");
      }
      if (device == null) {
        throw new IllegalArgumentException("device must not be null: pass Device.cpu() or Device.gpu(id), "
            + "or do not call optDevice");
      }
      checkThreads("intraOpThreads", intraOpThreads);
      checkThreads("interOpThreads", interOpThreads);
      if (scheduler != null && !Schedulers.supported().contains(scheduler)) {
        throw new IllegalArgumentException("scheduler '" + scheduler + "' is not supported: use one of "
            + String.join(", ", Schedulers.supported()) + ", or do not call optScheduler to keep the model's own");
      }
      return new EngineOptions(this);
    }

    private static void checkThreads(String name, Integer threads) {
      if (threads != null && threads < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + threads
            + ": pass a positive thread count, or do not set it to keep ONNX Runtime's default");
      }
    }
  }
}
