package dev.kiln.render.engine.internal;

import java.util.List;

/**
 * diffusers' {@code EulerDiscreteScheduler} without stochastic churn ({@code s_churn = 0}), the
 * scheduler of SD-Turbo. Honours num_train_timesteps, beta_start, beta_end, beta_schedule,
 * trained_betas, steps_offset, timestep_spacing and prediction_type (epsilon, v_prediction,
 * sample); sigmas are interpolated linearly and end at zero. Karras, exponential and beta sigmas,
 * other interpolation and final-sigma types, and zero-terminal-SNR rescaling are refused.
 */
public final class EulerDiscreteScheduler implements NoiseScheduler {
  public static final String NAME = "EulerDiscreteScheduler";

  private final int trainSteps;
  private final float[] trainSigmas;
  private final int stepsOffset;
  private final String spacing;
  private final String prediction;

  public EulerDiscreteScheduler(SchedulerConfig c) {
    trainSteps = c.integer("num_train_timesteps", 1000);
    float[] ac = c.alphasCumprod(trainSteps, c.number("beta_start", 0.0001), c.number("beta_end", 0.02),
        c.text("beta_schedule", "linear"));
    trainSigmas = new float[trainSteps];
    for (int i = 0; i < trainSteps; i++) {
      // float32 arithmetic as in diffusers: ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5
      trainSigmas[i] = (float) Math.sqrt((1.0f - ac[i]) / ac[i]);
    }
    stepsOffset = c.integer("steps_offset", 0);
    spacing = c.choice("timestep_spacing", "linspace", List.of("leading", "trailing", "linspace"));
    prediction = c.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction", "sample", "original_sample"));
    c.choice("interpolation_type", "linear", List.of("linear"));
    c.choice("final_sigmas_type", "zero", List.of("zero"));
    c.choice("timestep_type", "discrete", List.of("discrete"));
    c.requireUnset("use_karras_sigmas", false, "only linearly interpolated sigmas are implemented");
    c.requireUnset("use_exponential_sigmas", false, "only linearly interpolated sigmas are implemented");
    c.requireUnset("use_beta_sigmas", false, "only linearly interpolated sigmas are implemented");
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

  /** diffusers' float32 timesteps for {@code steps}, largest first. */
  public float[] timesteps(int steps) {
    DdimScheduler.checkSteps(steps, trainSteps);
    double[] raw = SchedulerConfig.spacedTimesteps(spacing, trainSteps, steps, spacing.equals("leading") ? stepsOffset : 0);
    float[] t = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      t[i] = (float) raw[i];
    }
    return t;
  }

  /** Sigmas at {@code timesteps(steps)}, followed by a final 0. */
  public float[] sigmas(int steps) {
    float[] t = timesteps(steps);
    float[] s = new float[t.length + 1];
    for (int i = 0; i < t.length; i++) {
      s[i] = (float) interp(t[i]);
    }
    return s;
  }

  /** numpy.interp over (0..T-1, trainSigmas), exact at grid points as numpy is. */
  private double interp(double x) {
    if (x <= 0) {
      return trainSigmas[0];
    }
    if (x >= trainSteps - 1) {
      return trainSigmas[trainSteps - 1];
    }
    int j = (int) Math.floor(x);
    if (j == x) {
      return trainSigmas[j];
    }
    double slope = (double) trainSigmas[j + 1] - trainSigmas[j]; // grid spacing is 1
    return slope * (x - j) + trainSigmas[j];
  }

  @Override
  public Sampling start(int steps) {
    float[] timesteps = timesteps(steps);
    float[] sigmas = sigmas(steps);
    float max = 0;
    for (float s : sigmas) {
      max = Math.max(max, s);
    }
    float init = spacing.equals("leading") ? (float) Math.sqrt(max * max + 1.0f) : max;
    return new Sampling() {
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
        return init;
      }

      @Override
      public float[] scaleModelInput(float[] sample, int call) {
        float sigma = sigmas[call];
        float scale = (float) Math.sqrt(sigma * sigma + 1.0f);
        float[] scaled = new float[sample.length];
        for (int i = 0; i < scaled.length; i++) {
          scaled[i] = sample[i] / scale;
        }
        return scaled;
      }

      @Override
      public float[] step(float[] modelOutput, int call, float[] sample) {
        float sigma = sigmas[call];
        float dt = sigmas[call + 1] - sigma;
        float vScale = (float) (-sigma / Math.sqrt(sigma * sigma + 1.0f));
        float vSample = 1.0f / (sigma * sigma + 1.0f);
        float[] next = new float[sample.length];
        for (int i = 0; i < next.length; i++) {
          float s = sample[i];
          float m = modelOutput[i];
          float x0 = switch (prediction) {
            case "epsilon" -> s - sigma * m;
            case "v_prediction" -> m * vScale + s * vSample;
            default -> m;
          };
          float derivative = (s - x0) / sigma;
          next[i] = s + derivative * dt;
        }
        return next;
      }
    };
  }
}
