package dev.kiln.render.engine.internal;

/**
 * A diffusers noise scheduler, configured once from {@code scheduler/scheduler_config.json}.
 * Immutable and thread-safe; each denoising loop gets its own {@link Sampling}.
 */
public interface NoiseScheduler {
  /** The diffusers class name this scheduler implements, e.g. {@code DDIMScheduler}. */
  String name();

  /** Largest step count {@link #start} accepts (the config's {@code num_train_timesteps}). */
  int maxSteps();

  /**
   * Plans a loop of {@code steps} inference steps.
   *
   * @throws IllegalArgumentException when steps is below 1 or above {@link #maxSteps()}
   */
  Sampling start(int steps);

  /**
   * One denoising loop. Calls must go in order {@code 0 .. modelCalls()-1}; multistep schedulers
   * keep history, so an instance is confined to one thread and one loop.
   *
   * <p>All arrays are flat latents of any batch size; every operation is element-wise with
   * per-call coefficients, so one call covers a whole batch.
   */
  interface Sampling {
    /** UNet evaluations in this loop; equals the step count for DDIM and Euler, one more for PLMS. */
    int modelCalls();

    /** The timestep value to pass to the UNet at {@code call}. */
    float timestep(int call);

    /** Standard deviation to multiply unit Gaussian initial latents by. */
    float initNoiseSigma();

    /** The UNet input for {@code sample} at {@code call}; may return {@code sample} itself when unscaled. */
    float[] scaleModelInput(float[] sample, int call);

    /** The latents after {@code call}, given the (guided) model output; returns a new array. */
    float[] step(float[] modelOutput, int call, float[] sample);

    /**
     * Whether {@link #step(float[], int, float[], float[])} at {@code call} adds fresh noise
     * (ancestral and consistency samplers do); the caller then draws it.
     */
    default boolean usesNoise(int call) {
      return false;
    }

    /**
     * {@link #step(float[], int, float[])} for a step that {@link #usesNoise uses noise}:
     * {@code noise} is unit Gaussian, shaped like {@code sample}, or null when the step uses none.
     */
    default float[] step(float[] modelOutput, int call, float[] sample, float[] noise) {
      return step(modelOutput, call, sample);
    }
  }

  /**
   * A loop over integer training timesteps whose UNet input is the sample itself and whose initial
   * noise is unit Gaussian, as DDIM and PLMS have; subclasses only implement {@link #step}.
   */
  abstract class UnscaledSampling implements Sampling {
    protected final int[] timesteps;

    protected UnscaledSampling(int[] timesteps) {
      this.timesteps = timesteps;
    }

    @Override
    public int modelCalls() {
      return timesteps.length;
    }

    @Override
    public float timestep(int call) {
      return timesteps[call];
    }

    @Override
    public float initNoiseSigma() {
      return 1.0f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int call) {
      return sample;
    }
  }
}
