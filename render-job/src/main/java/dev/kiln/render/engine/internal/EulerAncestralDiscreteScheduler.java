package dev.kiln.render.engine.internal;

import java.util.List;

/**
 * diffusers' {@code EulerAncestralDiscreteScheduler} (v0.30): Euler steps to {@code sigma_down} plus
 * fresh noise of {@code sigma_up}, with
 * {@code sigma_up = sqrt(sigma_to^2 (sigma_from^2 - sigma_to^2) / sigma_from^2)} and
 * {@code sigma_down = sqrt(sigma_to^2 - sigma_up^2)}. Timesteps, sigmas, initial noise and input
 * scaling are {@link EulerDiscreteScheduler}'s. Honours num_train_timesteps, beta_start, beta_end,
 * beta_schedule, trained_betas, steps_offset, timestep_spacing and prediction_type (epsilon,
 * v_prediction); zero-terminal-SNR rescaling is refused. Every step draws noise, as diffusers does
 * (the last one scales it by zero).
 */
public final class EulerAncestralDiscreteScheduler implements NoiseScheduler {
  public static final String NAME = "EulerAncestralDiscreteScheduler";

  private final EulerDiscreteScheduler euler;
  private final String prediction;

  public EulerAncestralDiscreteScheduler(SchedulerConfig c) {
    prediction = c.choice("prediction_type", "epsilon", List.of("epsilon", "v_prediction"));
    c.requireUnset("rescale_betas_zero_snr", false, "zero terminal SNR rescaling is not implemented");
    euler = new EulerDiscreteScheduler(c);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int maxSteps() {
    return euler.maxSteps();
  }

  @Override
  public Sampling start(int steps) {
    Sampling plain = euler.start(steps);
    float[] sigmas = euler.sigmas(steps);
    return new Sampling() {
      @Override
      public int modelCalls() {
        return plain.modelCalls();
      }

      @Override
      public float timestep(int call) {
        return plain.timestep(call);
      }

      @Override
      public float initNoiseSigma() {
        return plain.initNoiseSigma();
      }

      @Override
      public float[] scaleModelInput(float[] sample, int call) {
        return plain.scaleModelInput(sample, call);
      }

      @Override
      public boolean usesNoise(int call) {
        return true;
      }

      @Override
      public float[] step(float[] modelOutput, int call, float[] sample) {
        throw new IllegalStateException(NAME + " adds noise at every step: call step(out, call, sample, noise)");
      }

      @Override
      public float[] step(float[] modelOutput, int call, float[] sample, float[] noise) {
        float from = sigmas[call];
        float to = sigmas[call + 1];
        // float32 arithmetic, as diffusers computes these from float32 sigma tensors
        float up = (float) Math.sqrt(to * to * (from * from - to * to) / (from * from));
        float down = (float) Math.sqrt(to * to - up * up);
        float dt = down - from;
        float vScale = (float) (-from / Math.sqrt(from * from + 1.0f));
        float vSample = 1.0f / (from * from + 1.0f);
        float[] next = new float[sample.length];
        for (int i = 0; i < next.length; i++) {
          float s = sample[i];
          float m = modelOutput[i];
          float x0 = prediction.equals("epsilon") ? s - from * m : m * vScale + s * vSample;
          float derivative = (s - x0) / from;
          next[i] = s + derivative * dt + noise[i] * up;
        }
        return next;
      }
    };
  }
}
