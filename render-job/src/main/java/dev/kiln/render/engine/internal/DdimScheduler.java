package dev.kiln.render.engine.internal;

import java.util.List;

/**
 * diffusers' {@code DDIMScheduler} with {@code eta = 0} (deterministic DDIM). Honours
 * num_train_timesteps, beta_start, beta_end, beta_schedule, trained_betas, set_alpha_to_one,
 * steps_offset, timestep_spacing, prediction_type (epsilon, v_prediction, sample), clip_sample and
 * clip_sample_range. Thresholding and zero-terminal-SNR rescaling are refused at construction.
 */
public final class DdimScheduler implements NoiseScheduler {
  public static final String NAME = "DDIMScheduler";

  private final int trainSteps;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;
  private final int stepsOffset;
  private final String spacing;
  private final String prediction;
  private final boolean clipSample;
  private final float clipRange;

  public DdimScheduler(SchedulerConfig c) {
    trainSteps = c.integer("num_train_timesteps", 1000);
    alphasCumprod = c.alphasCumprod(trainSteps, c.number("beta_start", 0.0001), c.number("beta_end", 0.02),
        c.text("beta_schedule", "linear"));
    finalAlphaCumprod = c.flag("set_alpha_to_one", true) ? 1.0f : alphasCumprod[0];
    stepsOffset = c.integer("steps_offset", 0);
    spacing = c.choice("timestep_spacing", "leading", List.of("leading", "trailing", "linspace"));
    prediction = c.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction", "sample"));
    clipSample = c.flag("clip_sample", true);
    clipRange = (float) c.number("clip_sample_range", 1.0);
    c.requireUnset("thresholding", false, "dynamic thresholding is for pixel-space models");
    c.requireUnset("rescale_betas_zero_snr", false, "zero terminal SNR rescaling is not implemented");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int maxSteps() {
    return trainSteps;
  }

  /** The integer timesteps diffusers' set_timesteps produces for {@code steps}. */
  public int[] timesteps(int steps) {
    checkSteps(steps, trainSteps);
    double[] raw = SchedulerConfig.spacedTimesteps(spacing, trainSteps, steps, spacing.equals("leading") ? stepsOffset : 0);
    int[] t = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      t[i] = (int) Math.rint(raw[i]);
    }
    return t;
  }

  @Override
  public Sampling start(int steps) {
    int[] timesteps = timesteps(steps);
    int stride = trainSteps / steps;
    return new UnscaledSampling(timesteps) {
      @Override
      public float[] step(float[] modelOutput, int call, float[] sample) {
        int t = timesteps[call];
        int prev = t - stride;
        return ddimStep(modelOutput, sample, alphasCumprod[t], prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod);
      }
    };
  }

  private float[] ddimStep(float[] out, float[] sample, float alphaT, float alphaPrev) {
    float sqrtA = (float) Math.sqrt(alphaT);
    float sqrtB = (float) Math.sqrt(1.0f - alphaT);
    float sqrtAPrev = (float) Math.sqrt(alphaPrev);
    float dirPrev = (float) Math.sqrt(1.0f - alphaPrev);
    float[] next = new float[sample.length];
    for (int i = 0; i < next.length; i++) {
      float s = sample[i];
      float m = out[i];
      float x0;
      float eps;
      switch (prediction) {
        case "epsilon" -> {
          x0 = (s - sqrtB * m) / sqrtA;
          eps = m;
        }
        case "sample" -> {
          x0 = m;
          eps = (s - sqrtA * x0) / sqrtB;
        }
        default -> { // v_prediction
          x0 = sqrtA * s - sqrtB * m;
          eps = sqrtA * m + sqrtB * s;
        }
      }
      if (clipSample) {
        x0 = Math.max(-clipRange, Math.min(clipRange, x0));
      }
      next[i] = sqrtAPrev * x0 + dirPrev * eps;
    }
    return next;
  }

  static void checkSteps(int steps, int trainSteps) {
    if (steps < 1 || steps > trainSteps) {
      throw new IllegalArgumentException("steps must be between 1 and the scheduler's num_train_timesteps ("
          + trainSteps + "), got " + steps);
    }
  }
}
